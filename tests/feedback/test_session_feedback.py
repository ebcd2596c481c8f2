"""Session feedback: answered through the session's link without an account, once per person,
anonymous unless signed, only while open, only by the people on the list, and rate-limited;
the trainers see the link, the count, the averages and the comments."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from oep.core.db import utcnow
from oep.core.errors import InvalidInput
from oep.extensions import db
from oep.feedback.models import SessionFeedback
from oep.feedback.services import feedback_token, submit
from oep.organisations.models import EnrolmentStatus


@pytest.fixture
def held_session(make):
    """A course session held yesterday, with two participants of an accepted organisation."""
    site = make.site()
    organisation = make.organisation(site)
    amina = make.participant(organisation, name="Amina Haddad")
    jonas = make.participant(organisation, name="Jonas Berg")
    sched = make.session(site, starts_in_days=-1, status="held")
    return sched, amina, jonas


def link(sched, token=None):
    return f"/feedback/{sched.uid}?k={feedback_token(sched) if token is None else token}"


def answer(client, sched, person, useful=4, clear=5, organised=3, comment="", sign=False, token=None):
    data = {"participant_id": person.id, "useful": useful, "clear": clear, "organised": organised, "comment": comment}
    if sign:
        data["sign"] = "y"
    return client.post(link(sched, token), data=data)


def answers():
    return db.session.scalars(sa.select(SessionFeedback).order_by(SessionFeedback.id)).all()


def results_page(client, sched, user):
    return client.login(user).get(f"/sessions/{sched.id}/feedback")


# --- answering ------------------------------------------------------------------------------------


def test_participant_answers_anonymously_without_an_account(client, make, held_session):
    sched, amina, _ = held_session
    form = client.get(link(sched))
    assert form.status_code == 200
    assert "Amina Haddad" in form.get_data(as_text=True) and "Jonas Berg" in form.get_data(as_text=True)

    response = answer(client, sched, amina, useful=4, clear=5, organised=3, comment="Very practical")
    assert response.status_code == 200
    assert 'data-testid="feedback-thanks"' in response.get_data(as_text=True)

    [stored] = answers()
    assert stored.session_id == sched.id
    assert (stored.useful, stored.clear, stored.organised, stored.comment) == (4, 5, 3, "Very practical")
    assert stored.participant_id is None
    assert stored.respondent not in (str(amina.id), amina.name)
    assert "Amina" not in stored.respondent and "Haddad" not in stored.respondent

    page = results_page(client, sched, make.trainer([sched.site]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="feedback-count">1 answer<' in html
    assert 'data-testid="average-useful">4.0<' in html
    assert 'data-testid="average-clear">5.0<' in html
    assert 'data-testid="average-organised">3.0<' in html
    assert "Very practical" in html and "Anonymous" in html and "Amina Haddad" not in html


def test_the_results_page_gives_the_link_that_works(client, client_factory, make, held_session):
    sched, amina, _ = held_session
    html = results_page(client, sched, make.coordinator()).get_data(as_text=True)
    assert 'data-testid="feedback-link"' in html
    expected = f"/feedback/{sched.uid}?k={feedback_token(sched)}"
    assert expected in html
    assert "<svg" in html  # the QR code
    participant_browser = client_factory()  # no account, not signed in
    assert answer(participant_browser, sched, amina).status_code == 200


def test_averages_combine_several_answers(client, make, held_session):
    sched, amina, jonas = held_session
    assert answer(client, sched, amina, useful=5, clear=2, organised=4).status_code == 200
    assert answer(client, sched, jonas, useful=4, clear=3, organised=4).status_code == 200
    html = results_page(client, sched, make.coordinator()).get_data(as_text=True)
    assert 'data-testid="feedback-count">2 answers<' in html
    assert 'data-testid="average-useful">4.5<' in html
    assert 'data-testid="average-clear">2.5<' in html
    assert 'data-testid="average-organised">4.0<' in html


def test_answering_twice_is_refused_but_someone_else_can_answer(client, held_session):
    sched, amina, jonas = held_session
    assert answer(client, sched, amina, useful=5).status_code == 200
    again = answer(client, sched, amina, useful=1, comment="Changed my mind")
    assert again.status_code == 422
    assert "You have already given your feedback on this session." in again.get_data(as_text=True)
    [only] = answers()
    assert only.useful == 5 and only.comment == ""

    other = answer(client, sched, jonas)
    assert other.status_code == 200 and 'data-testid="feedback-thanks"' in other.get_data(as_text=True)
    assert len(answers()) == 2


def test_signing_again_does_not_get_around_answering_once(client, held_session):
    sched, amina, _ = held_session
    assert answer(client, sched, amina).status_code == 200
    assert answer(client, sched, amina, sign=True, comment="Signed this time").status_code == 422
    assert len(answers()) == 1


def test_a_signed_comment_shows_the_name_an_unsigned_one_says_anonymous(client, make, held_session):
    sched, amina, jonas = held_session
    assert answer(client, sched, amina, comment="More exercises please", sign=True).status_code == 200
    assert answer(client, sched, jonas, comment="Room was too cold").status_code == 200
    signed = next(a for a in answers() if a.comment == "More exercises please")
    unsigned = next(a for a in answers() if a.comment == "Room was too cold")
    assert signed.participant_id == amina.id and unsigned.participant_id is None

    html = results_page(client, sched, make.coordinator()).get_data(as_text=True)
    assert "More exercises please</p><footer>Amina Haddad</footer>" in html
    assert "Room was too cold</p><footer>Anonymous</footer>" in html
    assert "Jonas Berg" not in html


def test_a_comment_is_shown_as_text_not_markup(client, make, held_session):
    sched, amina, _ = held_session
    assert answer(client, sched, amina, comment="<script>alert(1)</script> & more").status_code == 200
    html = results_page(client, sched, make.coordinator()).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


# --- the key ------------------------------------------------------------------------------------


def test_a_wrong_or_missing_key_finds_nothing(client, held_session):
    sched, amina, _ = held_session
    assert client.get(f"/feedback/{sched.uid}").status_code == 404
    assert client.get(link(sched, token="not-the-key")).status_code == 404
    assert client.get(link(sched, token=feedback_token(sched)[:-2])).status_code == 404
    assert client.get(f"/feedback/no-such-session?k={feedback_token(sched)}").status_code == 404
    assert answer(client, sched, amina, token="not-the-key").status_code == 404
    assert (
        client.post(
            f"/feedback/{sched.uid}", data={"participant_id": amina.id, "useful": 4, "clear": 4, "organised": 4}
        ).status_code
        == 404
    )
    assert answers() == []


def test_the_key_of_another_session_does_not_open_this_one(client, make, held_session):
    sched, amina, _ = held_session
    other = make.session(sched.site, starts_in_days=-1, status="held")
    assert client.get(link(sched, token=feedback_token(other))).status_code == 404
    assert answer(client, sched, amina, token=feedback_token(other)).status_code == 404
    assert answers() == []


# --- when feedback is open ------------------------------------------------------------------------


def test_feedback_closes_two_weeks_after_the_session(client, make, held_session):
    sched, amina, _ = held_session
    site = sched.site
    old = make.session(site, starts_in_days=-15, status="held")  # ended 15 days ago
    recent = make.session(site, starts_in_days=-13, status="held")  # ended 13 days ago: still open
    page = client.get(link(old))
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    assert 'data-testid="feedback-closed"' in html and "Feedback for this session has closed." in html
    assert "Send my feedback" not in html
    refused = answer(client, old, amina)
    assert refused.status_code == 409 and "has closed" in refused.get_data(as_text=True)
    assert answers() == []

    assert client.get(link(recent)).status_code == 200
    assert answer(client, recent, amina).status_code == 200
    assert len(answers()) == 1


def test_feedback_opens_only_when_the_session_starts(client, make, held_session):
    sched, amina, _ = held_session
    future = make.session(sched.site, starts_in_days=2)
    page = client.get(link(future))
    assert page.status_code == 409
    assert "Feedback opens when the session starts." in page.get_data(as_text=True)
    assert answer(client, future, amina).status_code == 409
    assert answers() == []


def test_a_session_under_way_takes_feedback(client, make, held_session):
    sched, amina, _ = held_session
    now = utcnow().replace(microsecond=0)
    running = make.session(sched.site, starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(minutes=90))
    assert answer(client, running, amina).status_code == 200
    assert len(answers()) == 1


def test_a_cancelled_session_takes_no_feedback(client, make, held_session):
    sched, amina, _ = held_session
    cancelled = make.session(sched.site, starts_in_days=-1, status="cancelled")
    page = client.get(link(cancelled))
    assert page.status_code == 409
    assert 'data-testid="feedback-closed"' in page.get_data(as_text=True)
    assert "This session was cancelled." in page.get_data(as_text=True)
    assert answer(client, cancelled, amina).status_code == 409
    assert answers() == []


# --- who can answer -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED, EnrolmentStatus.WITHDRAWN])
def test_a_participant_of_an_organisation_not_accepted_at_the_site_cannot_answer(client, make, held_session, status):
    sched, _, _ = held_session
    outsider = make.participant(make.organisation(sched.site, status=status), name="Olga Outsider")
    assert "Olga Outsider" not in client.get(link(sched)).get_data(as_text=True)
    response = answer(client, sched, outsider)
    assert response.status_code == 422
    assert answers() == []


def test_a_participant_of_another_site_cannot_answer(client, make, held_session):
    sched, _, _ = held_session
    stranger = make.participant(make.organisation(make.site(sched.site.programme)), name="Stranger")
    assert answer(client, sched, stranger).status_code == 422
    assert answers() == []


def test_only_the_people_booked_on_a_workshop_can_answer(client, make):
    site = make.site()
    organisation = make.organisation(site)
    booked = make.participant(organisation, name="Booked Person")
    not_booked = make.participant(organisation, name="Not Booked")
    cancelled_booking = make.participant(organisation, name="Cancelled Booking")
    workshop = make.session(site, kind="workshop", starts_in_days=-1, status="held")
    make.booking(workshop, booked)
    make.booking(workshop, cancelled_booking, status="cancelled")

    html = client.get(link(workshop)).get_data(as_text=True)
    assert "Booked Person" in html and "Not Booked" not in html and "Cancelled Booking" not in html
    assert answer(client, workshop, not_booked).status_code == 422
    assert answer(client, workshop, cancelled_booking).status_code == 422
    assert answers() == []
    assert answer(client, workshop, booked).status_code == 200
    assert len(answers()) == 1


def test_choosing_no_name_is_refused(client, held_session):
    sched, _, _ = held_session
    response = client.post(link(sched), data={"participant_id": "", "useful": 4, "clear": 4, "organised": 4})
    assert response.status_code == 422 and "Choose your name." in response.get_data(as_text=True)
    garbled = client.post(link(sched), data={"participant_id": "abc", "useful": 4, "clear": 4, "organised": 4})
    assert garbled.status_code == 422
    assert answers() == []


# --- bad ratings --------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["useful", "clear", "organised"])
def test_a_missing_rating_is_refused(client, held_session, missing):
    sched, amina, _ = held_session
    data = {"participant_id": amina.id, "useful": 4, "clear": 4, "organised": 4}
    del data[missing]
    response = client.post(link(sched), data=data)
    assert response.status_code == 422
    assert "Choose a rating from 1 to 5." in response.get_data(as_text=True)
    assert answers() == []


@pytest.mark.parametrize("value", ["0", "6", "abc", "-1", "4.5", ""])
def test_a_rating_out_of_range_is_refused(client, held_session, value):
    sched, amina, _ = held_session
    response = answer(client, sched, amina, useful=4, clear=value, organised=4)
    assert response.status_code == 422
    assert answers() == []


def test_a_refused_answer_can_be_corrected(client, held_session):
    sched, amina, _ = held_session
    assert answer(client, sched, amina, useful=0).status_code == 422
    assert answer(client, sched, amina, useful=2).status_code == 200
    [stored] = answers()
    assert stored.useful == 2


def test_too_long_a_comment_is_refused(client, held_session):
    sched, amina, _ = held_session
    page = answer(client, sched, amina, comment="x" * 2001)
    assert page.status_code == 422 and "At most 2,000 characters." in page.get_data(as_text=True)
    with pytest.raises(InvalidInput) as refused:
        submit(db.session, sched, amina, {"useful": 4, "clear": 4, "organised": 4}, "x" * 2001)
    assert (refused.value.field, refused.value.message) == ("comment", "At most 2,000 characters.")
    assert answers() == []


# --- throttling --------------------------------------------------------------------------------------


def test_after_thirty_refused_answers_the_form_pauses(client, held_session):
    sched, amina, jonas = held_session
    assert answer(client, sched, amina).status_code == 200
    for _ in range(30):
        assert answer(client, sched, amina).status_code == 422  # already answered
    paused = answer(client, sched, jonas)
    assert paused.status_code == 429
    assert "Too many attempts" in paused.get_data(as_text=True)
    assert len(answers()) == 1


def test_slips_in_the_form_do_not_count_towards_the_pause(client, held_session):
    sched, amina, _ = held_session
    for _ in range(40):
        assert answer(client, sched, amina, useful="abc").status_code == 422
    for _ in range(40):  # refused by the service, for what was typed rather than who sent it
        assert answer(client, sched, amina, comment="x" * 2001).status_code == 422
    assert answer(client, sched, amina).status_code == 200
    assert len(answers()) == 1


# --- who sees the results ---------------------------------------------------------------------------


def test_the_sites_trainer_and_coordinators_see_the_results(client, make, held_session):
    sched, amina, _ = held_session
    make.feedback(sched, amina, useful=2)
    for user in (make.trainer([sched.site]), make.coordinator()):
        page = results_page(client, sched, user)
        assert page.status_code == 200
        assert 'data-testid="feedback-count">1 answer<' in page.get_data(as_text=True)


def test_a_trainer_of_another_site_does_not_see_the_results(client, make, held_session):
    sched, amina, _ = held_session
    make.feedback(sched, amina, comment="Private remark")
    page = results_page(client, sched, make.trainer([make.site()]))
    assert page.status_code == 404
    assert "Private remark" not in page.get_data(as_text=True)


def test_a_contact_may_not_see_the_results(client, make, held_session):
    sched, amina, _ = held_session
    make.feedback(sched, amina, comment="Private remark")
    page = results_page(client, sched, make.contact_of(amina.organisation))
    assert page.status_code == 403
    assert "Private remark" not in page.get_data(as_text=True)


def test_results_need_signing_in(client, held_session):
    sched, _, _ = held_session
    response = client.get(f"/sessions/{sched.id}/feedback")
    assert response.status_code in (302, 401)
    assert "feedback-link" not in response.get_data(as_text=True)


def test_no_answers_yet(client, make, held_session):
    sched, _, _ = held_session
    html = results_page(client, sched, make.coordinator()).get_data(as_text=True)
    assert 'data-testid="feedback-count">0 answers<' in html
    assert 'data-testid="average-useful"' not in html

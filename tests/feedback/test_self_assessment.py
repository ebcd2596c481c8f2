"""Self-assessment: the organisation rates itself, 1 to 5, on the competences it needs, at the
start of the programme and again at the end, once the end is near or its site has held all
its course sessions."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from oep.extensions import db
from oep.feedback.models import AssessmentPhase, SelfAssessment


class _Forms(HTMLParser):
    """The forms of a page by their data-testid, with the radios checked in each."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = attrs.get("data-testid")
            self.forms[self._current] = {}
        elif tag == "input" and self._current is not None and attrs.get("type") == "radio" and "checked" in attrs:
            self.forms[self._current][attrs["name"]] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_of(html: str) -> dict[str, dict[str, str]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


@pytest.fixture
def joined(make):
    """An organisation accepted at a site, needing two competences and offering a third."""
    programme = make.programme()
    site = make.site(programme)
    organisation = make.organisation(site)
    budgeting = make.competence("Budgeting")
    fundraising = make.competence("Fundraising")
    translation = make.competence("Translation")
    make.declares(organisation, budgeting, "need")
    make.declares(organisation, fundraising, "need")
    make.declares(organisation, translation, "offer")
    return organisation, programme, site, budgeting, fundraising, translation


def page_url(organisation):
    return f"/organisations/{organisation.id}/self-assessment"


def rate(client, organisation, programme, phase, ratings: dict):
    data = {"programme_id": programme.id, "phase": phase}
    data.update({f"rating-{getattr(c, 'id', c)}": v for c, v in ratings.items()})
    return client.post(page_url(organisation), data=data)


def saved(phase=None):
    stmt = sa.select(SelfAssessment).order_by(SelfAssessment.phase, SelfAssessment.competence_id)
    if phase is not None:
        stmt = stmt.where(SelfAssessment.phase == AssessmentPhase(phase))
    return {(a.phase.value, a.competence_id): a.rating for a in db.session.scalars(stmt)}


def test_the_contact_rates_the_start_and_sees_the_ratings_checked(client, make, joined):
    organisation, programme, site, budgeting, fundraising, _ = joined
    client.login(make.contact_of(organisation))
    page = client.get(page_url(organisation))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Budgeting" in html and "Fundraising" in html and "Translation" not in html
    assert forms_of(html)["assessment-start"] == {}

    response = rate(client, organisation, programme, "start", {budgeting: "2", fundraising: "4"})
    assert response.status_code == 302
    assert saved() == {("start", budgeting.id): 2, ("start", fundraising.id): 4}

    html = client.get(page_url(organisation)).get_data(as_text=True)
    assert "your self-assessment is saved" in html
    assert forms_of(html)["assessment-start"] == {f"rating-{budgeting.id}": "2", f"rating-{fundraising.id}": "4"}
    assert "Update these ratings" in html


def test_rating_again_updates_without_duplicates(client, make, joined):
    organisation, programme, site, budgeting, fundraising, _ = joined
    client.login(make.contact_of(organisation))
    assert rate(client, organisation, programme, "start", {budgeting: "2", fundraising: "4"}).status_code == 302
    assert rate(client, organisation, programme, "start", {budgeting: "3", fundraising: "5"}).status_code == 302
    assert saved() == {("start", budgeting.id): 3, ("start", fundraising.id): 5}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SelfAssessment)) == 2
    html = client.get(page_url(organisation)).get_data(as_text=True)
    assert forms_of(html)["assessment-start"] == {f"rating-{budgeting.id}": "3", f"rating-{fundraising.id}": "5"}


def test_a_coordinator_can_rate_for_the_organisation(client, make, joined):
    organisation, programme, site, budgeting, _, _ = joined
    client.login(make.coordinator())
    assert rate(client, organisation, programme, "start", {budgeting: "1"}).status_code == 302
    assert saved() == {("start", budgeting.id): 1}


@pytest.mark.parametrize("which", ["offered", "undeclared"])
def test_rating_a_competence_not_needed_is_refused_and_nothing_saved(client, make, joined, which):
    organisation, programme, site, budgeting, _, translation = joined
    other = translation if which == "offered" else make.competence("Carpentry")
    client.login(make.contact_of(organisation))
    response = rate(client, organisation, programme, "start", {budgeting: "3", other: "4"})
    assert response.status_code == 422
    assert "for the competences your organisation needs" in response.get_data(as_text=True)
    assert saved() == {}


@pytest.mark.parametrize("value", ["0", "6", "abc", "3.5", "-1"])
def test_a_rating_out_of_range_is_refused_and_nothing_saved(client, make, joined, value):
    organisation, programme, site, budgeting, fundraising, _ = joined
    make.self_assessment(organisation, programme, budgeting, "start", 2)
    client.login(make.contact_of(organisation))
    response = rate(client, organisation, programme, "start", {budgeting: "4", fundraising: value})
    assert response.status_code == 422
    assert "Ratings go from 1 to 5" in response.get_data(as_text=True)
    assert saved() == {("start", budgeting.id): 2}


def test_sending_no_rating_is_refused(client, make, joined):
    organisation, programme, *_ = joined
    client.login(make.contact_of(organisation))
    response = rate(client, organisation, programme, "start", {})
    assert response.status_code == 422
    assert "Rate at least one competence." in response.get_data(as_text=True)
    assert saved() == {}


def test_a_programme_the_organisation_is_not_in_or_an_unknown_phase_is_refused(client, make, joined):
    organisation, programme, site, budgeting, _, _ = joined
    elsewhere = make.programme()
    make.site(elsewhere)
    client.login(make.contact_of(organisation))
    assert rate(client, organisation, elsewhere, "start", {budgeting: "3"}).status_code == 422
    response = rate(client, organisation, programme, "middle", {budgeting: "3"})
    assert response.status_code == 422
    assert "Choose the programme and the moment you are rating." in response.get_data(as_text=True)
    assert saved() == {}


def test_the_end_is_refused_and_not_shown_before_it_opens(client, make, joined):
    organisation, programme, site, budgeting, _, _ = joined
    make.session(site, starts_in_days=-7, status="held")
    make.session(site, starts_in_days=7, status="confirmed")  # a course session still to hold
    client.login(make.contact_of(organisation))
    html = client.get(page_url(organisation)).get_data(as_text=True)
    assert 'data-testid="end-not-open"' in html
    assert "assessment-end" not in forms_of(html) and "assessment-start" in forms_of(html)

    response = rate(client, organisation, programme, "end", {budgeting: "5"})
    assert response.status_code == 422
    assert "The end-of-programme assessment is not open yet." in response.get_data(as_text=True)
    assert saved() == {}


def test_a_tentative_course_session_left_also_keeps_the_end_closed(client, make, joined):
    organisation, programme, site, budgeting, _, _ = joined
    make.session(site, starts_in_days=-7, status="held")
    make.session(site, starts_in_days=7, status="tentative")
    client.login(make.contact_of(organisation))
    assert rate(client, organisation, programme, "end", {budgeting: "5"}).status_code == 422
    assert saved() == {}


def test_a_site_that_has_held_nothing_yet_is_not_finished(client, make, joined):
    organisation, programme, site, budgeting, _, _ = joined
    make.session(site, starts_in_days=-3, status="cancelled")
    client.login(make.contact_of(organisation))
    assert 'data-testid="end-not-open"' in client.get(page_url(organisation)).get_data(as_text=True)
    assert rate(client, organisation, programme, "end", {budgeting: "5"}).status_code == 422
    assert saved() == {}


def test_the_end_opens_once_the_site_has_held_all_its_course_sessions(client, make, joined):
    organisation, programme, site, budgeting, fundraising, _ = joined
    make.self_assessment(organisation, programme, budgeting, "start", 2)
    make.session(site, starts_in_days=-14, status="held")
    make.session(site, starts_in_days=-7, status="held")
    make.session(site, starts_in_days=-5, status="cancelled")
    make.session(site, kind="workshop", starts_in_days=10, status="confirmed")  # not a course session
    other_site = make.site(programme)
    make.session(other_site, starts_in_days=10, status="confirmed")  # another site's course: not ours
    assert (programme.ends_on - date.today()).days > 60

    client.login(make.contact_of(organisation))
    html = client.get(page_url(organisation)).get_data(as_text=True)
    assert 'data-testid="end-not-open"' not in html
    assert "assessment-end" in forms_of(html)

    response = rate(client, organisation, programme, "end", {budgeting: "4", fundraising: "3"})
    assert response.status_code == 302
    assert saved() == {("start", budgeting.id): 2, ("end", budgeting.id): 4, ("end", fundraising.id): 3}
    html = client.get(page_url(organisation)).get_data(as_text=True)
    forms = forms_of(html)
    assert forms["assessment-end"] == {f"rating-{budgeting.id}": "4", f"rating-{fundraising.id}": "3"}
    assert forms["assessment-start"] == {f"rating-{budgeting.id}": "2"}


def test_the_end_opens_when_the_programme_ends_within_six_weeks(client, make, joined):
    organisation, programme, site, budgeting, _, _ = joined
    make.session(site, starts_in_days=-7, status="held")
    make.session(site, starts_in_days=7, status="confirmed")  # sessions still to hold
    programme.ends_on = date.today() + timedelta(days=60)
    client.login(make.contact_of(organisation))
    assert rate(client, organisation, programme, "end", {budgeting: "5"}).status_code == 422
    assert saved() == {}

    programme.ends_on = date.today() + timedelta(days=30)
    html = client.get(page_url(organisation)).get_data(as_text=True)
    assert 'data-testid="end-not-open"' not in html and "assessment-end" in forms_of(html)
    assert rate(client, organisation, programme, "end", {budgeting: "5"}).status_code == 302
    assert saved() == {("end", budgeting.id): 5}


def test_an_organisation_with_no_needs_is_asked_to_declare_them_first(client, make):
    site = make.site()
    organisation = make.organisation(site)
    make.declares(organisation, make.competence("Translation"), "offer")
    client.login(make.contact_of(organisation))
    html = client.get(page_url(organisation)).get_data(as_text=True)
    assert "Your organisation has not said which competences it needs yet." in html
    assert "Declare them first." in html
    assert f'href="/organisations/{organisation.id}/competences"' in html
    assert forms_of(html).keys().isdisjoint({"assessment-start", "assessment-end"})


def test_an_organisation_not_yet_accepted_is_told_when_it_opens(client, make):
    from oep.organisations.models import EnrolmentStatus

    site = make.site()
    organisation = make.organisation(site, status=EnrolmentStatus.PENDING)
    make.declares(organisation, make.competence("Budgeting"), "need")
    client.login(make.contact_of(organisation))
    html = client.get(page_url(organisation)).get_data(as_text=True)
    assert "opens once your organisation is accepted into a programme" in html
    assert "assessment-start" not in forms_of(html)


def test_another_organisations_contact_gets_not_found(client, make, joined):
    organisation, programme, site, budgeting, _, _ = joined
    other = make.organisation(site)
    client.login(make.contact_of(other))
    assert client.get(page_url(organisation)).status_code == 404
    assert rate(client, organisation, programme, "start", {budgeting: "3"}).status_code == 404
    assert saved() == {}


def test_a_trainer_may_not_rate_for_an_organisation(client, make, joined):
    organisation, programme, site, budgeting, _, _ = joined
    client.login(make.trainer([site]))
    assert client.get(page_url(organisation)).status_code == 403
    assert rate(client, organisation, programme, "start", {budgeting: "3"}).status_code == 403
    assert saved() == {}


def test_the_dashboard_asks_the_contact_to_rate_until_it_is_done(client, make, joined):
    organisation, programme, site, budgeting, fundraising, _ = joined
    client.login(make.contact_of(organisation))
    assert 'data-testid="assessment-due"' in client.get("/dashboard").get_data(as_text=True)
    response = client.post(
        page_url(organisation),
        data={
            "programme_id": programme.id,
            "phase": "start",
            f"rating-{budgeting.id}": "2",
            f"rating-{fundraising.id}": "3",
        },
    )
    assert response.status_code == 302
    assert 'data-testid="assessment-due"' not in client.get("/dashboard").get_data(as_text=True)

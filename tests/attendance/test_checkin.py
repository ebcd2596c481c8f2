"""Self check-in with rotating codes: present or late, refused outside the window or with a
stale code, idempotent, rate-limited, and counted live."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from oep.attendance import checkin
from oep.attendance.models import Attendance, AttendanceStatus, MarkSource
from oep.core.db import utcnow
from oep.extensions import db
from tests.conftest import make_test_app


@pytest.fixture
def open_session(make, app):
    site = make.site()
    programme = site.programme
    programme.checkin_code_seconds = 30
    programme.checkin_grace_minutes = 10
    programme.checkin_opens_minutes = 30
    organisation = make.organisation(site)
    amina = make.participant(organisation, name="Amina Haddad")
    make.participant(organisation, name="Jonas Berg")
    sched = make.session(site, starts_in_days=-2 / (24 * 60))  # started two minutes ago
    return sched, amina


def code_now(sched, when=None):
    return checkin.current_code(sched, sched.site.programme, when or utcnow()).code


def the_mark():
    return db.session.scalar(sa.select(Attendance))


def test_participant_checks_in_with_the_shown_code(client, open_session):
    sched, amina = open_session
    code = code_now(sched)
    page = client.get(f"/checkin/{sched.uid}?code={code}")
    assert page.status_code == 200 and "Amina Haddad" in page.get_data(as_text=True)
    response = client.post(f"/checkin/{sched.uid}", data={"code": code, "participant_id": amina.id})
    assert response.status_code == 200
    assert "you are checked in as Present" in response.get_data(as_text=True)
    mark = the_mark()
    assert mark.status is AttendanceStatus.PRESENT and mark.source is MarkSource.SELF_CHECKIN


def test_typing_the_name_works_too(client, open_session):
    sched, amina = open_session
    response = client.post(f"/checkin/{sched.uid}", data={"code": code_now(sched), "name": "  amina   HADDAD "})
    assert response.status_code == 200 and the_mark().participant_id == amina.id


def test_after_the_grace_period_it_is_late(client, open_session):
    sched, amina = open_session
    sched.starts_at = utcnow() - timedelta(minutes=25)
    response = client.post(f"/checkin/{sched.uid}", data={"code": code_now(sched), "participant_id": amina.id})
    assert "checked in as Late" in response.get_data(as_text=True)
    assert the_mark().status is AttendanceStatus.LATE


def test_scanning_twice_changes_nothing_and_says_so(client, open_session):
    sched, amina = open_session
    data = {"code": code_now(sched), "participant_id": amina.id}
    client.post(f"/checkin/{sched.uid}", data=data)
    again = client.post(f"/checkin/{sched.uid}", data=data)
    assert "you were already checked in" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1
    assert len(the_mark().changes) == 1


def test_a_trainers_mark_is_not_overwritten(client, open_session, make):
    sched, amina = open_session
    make.mark(sched, amina, "present", remark="Marked by the trainer")
    client.post(f"/checkin/{sched.uid}", data={"code": code_now(sched), "participant_id": amina.id})
    assert the_mark().remark == "Marked by the trainer"


def test_stale_code_is_refused(client, open_session):
    sched, amina = open_session
    old = code_now(sched, utcnow() - timedelta(seconds=95))  # three steps ago
    assert old != code_now(sched)
    response = client.post(f"/checkin/{sched.uid}", data={"code": old, "participant_id": amina.id})
    assert response.status_code == 422
    assert "This code has expired or is wrong." in response.get_data(as_text=True)
    assert the_mark() is None


def test_the_previous_code_still_works_for_a_moment(client, open_session):
    sched, amina = open_session
    previous = code_now(sched, utcnow() - timedelta(seconds=30))
    response = client.post(f"/checkin/{sched.uid}", data={"code": previous, "participant_id": amina.id})
    assert response.status_code == 200 and the_mark() is not None


def test_future_session_cannot_be_self_marked(client, make):
    site = make.site()
    person = make.participant(make.organisation(site))
    sched = make.session(site, starts_in_days=1)
    response = client.post(f"/checkin/{sched.uid}", data={"code": code_now(sched), "participant_id": person.id})
    assert response.status_code == 422
    assert "has not opened yet" in response.get_data(as_text=True)
    assert the_mark() is None


def test_finished_or_cancelled_sessions_are_closed(client, make):
    site = make.site()
    person = make.participant(make.organisation(site))
    over = make.session(site, starts_in_days=-1)
    cancelled = make.session(site, starts_in_days=-0.001, status="cancelled")
    for sched, message in ((over, "check-in is closed"), (cancelled, "cancelled")):
        response = client.post(f"/checkin/{sched.uid}", data={"code": code_now(sched), "participant_id": person.id})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert the_mark() is None


def test_someone_not_on_the_list_is_refused(client, open_session, make):
    sched, _ = open_session
    stranger = make.participant(make.organisation(make.site()), name="Stranger")
    response = client.post(f"/checkin/{sched.uid}", data={"code": code_now(sched), "participant_id": stranger.id})
    assert response.status_code == 422 and "is not on this session" in response.get_data(as_text=True)
    response = client.post(f"/checkin/{sched.uid}", data={"code": code_now(sched), "name": "Stranger"})
    assert response.status_code == 422
    assert the_mark() is None


def test_attempts_are_rate_limited(client, open_session):
    sched, amina = open_session
    for _ in range(20):
        client.post(f"/checkin/{sched.uid}", data={"code": "000000", "participant_id": amina.id})
    response = client.post(f"/checkin/{sched.uid}", data={"code": code_now(sched), "participant_id": amina.id})
    assert response.status_code == 422 and "Too many attempts" in response.get_data(as_text=True)
    assert the_mark() is None


def guess_then_check_in(client, sched, amina, guesser: str, participant: str) -> str:
    """Twenty wrong codes from one address, then the right code from another (as a proxy
    in front would say in X-Forwarded-For); what the second one is told."""
    for _ in range(20):
        client.post(
            f"/checkin/{sched.uid}",
            data={"code": "000000", "participant_id": amina.id},
            headers={"X-Forwarded-For": guesser},
        )
    response = client.post(
        f"/checkin/{sched.uid}",
        data={"code": code_now(sched), "participant_id": amina.id},
        headers={"X-Forwarded-For": participant},
    )
    return response.get_data(as_text=True)


def test_behind_a_trusted_proxy_each_visitor_counts_for_themselves(database_url, tmp_path, open_session):
    sched, amina = open_session
    db.session.commit()
    behind_proxy = make_test_app(database_url, tmp_path, TRUSTED_PROXIES=1).test_client()
    assert "you are checked in as Present" in guess_then_check_in(
        behind_proxy, sched, amina, "203.0.113.5", "203.0.113.6"
    )


def test_without_a_trusted_proxy_a_forwarded_address_changes_nothing(client, open_session):
    sched, amina = open_session
    assert "Too many attempts" in guess_then_check_in(client, sched, amina, "203.0.113.5", "203.0.113.6")
    assert the_mark() is None


def test_typing_the_short_code_finds_the_session(client, open_session):
    sched, amina = open_session
    code = code_now(sched)
    response = client.post("/checkin", data={"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302 and sched.uid in response.headers["Location"]
    wrong = client.post("/checkin", data={"code": "123"})
    assert wrong.status_code == 422 and "No session is open for check-in with this code" in wrong.get_data(as_text=True)


def test_trainer_display_shows_the_code_and_the_live_count(client, open_session, make):
    sched, amina = open_session
    client.login(make.trainer([sched.site]))
    page = client.get(f"/sessions/{sched.id}/checkin").get_data(as_text=True)
    assert code_now(sched) in page and "<svg" in page
    state = client.get(f"/sessions/{sched.id}/checkin/state.json").get_json()
    assert state["open"] and state["code"] == code_now(sched) and state["count"] == 0 and state["expected"] == 2
    make.mark(sched, amina, "present", source=MarkSource.SELF_CHECKIN)
    assert client.get(f"/sessions/{sched.id}/checkin/state.json").get_json()["count"] == 1


def test_codes_differ_between_sessions_and_steps(make, app):
    site = make.site()
    a, b = make.session(site), make.session(site)
    now = utcnow()
    assert code_now(a, now) != code_now(b, now)
    assert code_now(a, now) != code_now(a, now + timedelta(seconds=31))
    assert len(code_now(a, now)) == 6 and code_now(a, now).isdigit()

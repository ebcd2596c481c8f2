"""Scheduling sessions and series, changing and cancelling them, and who is told."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from oep.extensions import db
from oep.scheduling.models import ScheduledSession, SessionSeries, SessionStatus
from oep.scheduling.services import series_dates


@pytest.fixture
def palermo(make):
    site = make.site(city="Palermo", timezone="Europe/Rome")
    trainer = make.trainer([site])
    module = make.module(site.programme, title="Fundraising")
    return site, trainer, module


def session_form(module, **overrides):
    data = {
        "kind": "course",
        "module_id": str(module.id),
        "title": "",
        "day": "2027-03-02",
        "start": "17:00",
        "end": "20:00",
        "venue": "Centro Arcobaleno",
        "address": "Via Maqueda 1",
        "language": "it",
        "status": "confirmed",
    }
    data.update(overrides)
    # The title has one input per language of the programme (here English alone).
    return {("title-en" if k == "title" else k): v for k, v in data.items() if v is not None}


def all_sessions():
    return db.session.scalars(sa.select(ScheduledSession).order_by(ScheduledSession.starts_at)).all()


def test_a_course_session_is_entered_in_the_sites_time_and_stored_in_utc(client, palermo):
    site, trainer, module = palermo
    client.login(trainer)
    response = client.post(f"/sites/{site.id}/sessions/new", data=session_form(module, trainer_ids=[trainer.id]))
    assert response.status_code == 302
    [sched] = all_sessions()
    assert sched.title == "Fundraising"  # the module's title by default
    assert sched.starts_at == datetime(2027, 3, 2, 16, 0, tzinfo=UTC)  # 17:00 in Rome (CET)
    assert sched.duration_minutes == 180 and sched.status is SessionStatus.CONFIRMED
    assert [t.id for t in sched.trainers] == [trainer.id]
    page = client.get(f"/sessions/{sched.id}").get_data(as_text=True)
    assert "17:00" in page and "20:00" in page and "Europe/Rome" in page


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"module_id": "0"}, "A course session belongs to a module"),
        ({"end": "16:00"}, "The session must end after it starts."),
        ({"day": ""}, "Enter a date."),
        ({"start": "25:99"}, "Not a valid time value."),
        ({"capacity": "0"}, "Between 1 and 10000"),
        ({"online_url": "meet me"}, "Enter a web address"),
        ({"kind": "party"}, "Not a valid choice."),
    ],
)
def test_bad_session_input(client, palermo, overrides, message):
    site, trainer, module = palermo
    client.login(trainer)
    response = client.post(f"/sites/{site.id}/sessions/new", data=session_form(module, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert all_sessions() == []


def test_a_module_of_another_programme_is_refused(client, palermo, make):
    site, trainer, _module = palermo
    foreign = make.module(make.programme())
    client.login(trainer)
    response = client.post(f"/sites/{site.id}/sessions/new", data=session_form(foreign))
    assert response.status_code == 422 and "Not a valid choice." in response.get_data(as_text=True)


def test_series_dates():
    # Tuesdays and Thursdays every two weeks from Tue 2 March 2027 until 31 March.
    assert series_dates(date(2027, 3, 2), [1, 3], 2, date(2027, 3, 31)) == [
        date(2027, 3, 2),
        date(2027, 3, 4),
        date(2027, 3, 16),
        date(2027, 3, 18),
        date(2027, 3, 30),
    ]


def test_weekly_series_keeps_local_time_across_the_dst_change(client, palermo):
    site, trainer, module = palermo
    client.login(trainer)
    data = session_form(module, day="2027-03-16", repeat="y", weekdays=["1"], interval_weeks="1", until="2027-04-06")
    response = client.post(f"/sites/{site.id}/sessions/new", data=data)
    assert response.status_code == 302
    sessions = all_sessions()
    assert len(sessions) == 4 and len({s.series_id for s in sessions}) == 1
    # 17:00 in Rome is 16:00 UTC in winter and 15:00 UTC after 28 March 2027.
    assert [s.starts_at.hour for s in sessions] == [16, 16, 15, 15]


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"weekdays": None}, "Choose at least one weekday."),
        ({"until": "2027-01-01"}, "The last date cannot be before the first."),
        ({"until": "2035-01-01"}, "at most 200 at once"),
        ({"until": ""}, "Give the last date of the series."),
        ({"interval_weeks": "13"}, "Every 1 to 12 weeks."),
    ],
)
def test_bad_series_input(client, palermo, overrides, message):
    site, trainer, module = palermo
    client.login(trainer)
    data = session_form(module, repeat="y", weekdays=["1"], interval_weeks="1", until="2027-04-06")
    data.update({k: v for k, v in overrides.items() if v is not None})
    for k, v in overrides.items():
        if v is None:
            data.pop(k, None)
    response = client.post(f"/sites/{site.id}/sessions/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert all_sessions() == [] and db.session.scalar(sa.select(sa.func.count()).select_from(SessionSeries)) == 0


def _series(client, site, module, **overrides):
    data = session_form(module, day="2027-05-04", repeat="y", weekdays=["1"], interval_weeks="1", until="2027-05-25")
    data.update(overrides)
    client.post(f"/sites/{site.id}/sessions/new", data=data)
    return all_sessions()


def test_edit_one_occurrence_of_a_series(client, palermo):
    site, trainer, module = palermo
    client.login(trainer)
    sessions = _series(client, site, module)
    second = sessions[1]
    response = client.post(
        f"/sessions/{second.id}/edit",
        data=session_form(module, day="2027-05-12", start="10:00", end="12:00", scope="this"),
    )
    assert response.status_code == 302
    after = all_sessions()
    moved = next(s for s in after if s.id == second.id)
    assert moved.starts_at == datetime(2027, 5, 12, 8, 0, tzinfo=UTC)
    assert sum(s.starts_at.hour == 15 for s in after) == 3  # the others stay at 17:00 Rome time


def test_edit_the_rest_of_a_series(client, palermo):
    site, trainer, module = palermo
    client.login(trainer)
    first, second, third, fourth = _series(client, site, module)
    response = client.post(
        f"/sessions/{third.id}/edit",
        data=session_form(module, day="2027-05-18", start="18:00", end="21:00", venue="Biblioteca", scope="following"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [s.starts_at.hour for s in (first, second, third, fourth)] == [15, 15, 16, 16]
    assert [s.venue for s in (first, second, third, fourth)] == ["Centro Arcobaleno"] * 2 + ["Biblioteca"] * 2
    assert [s.starts_at.date() for s in (third, fourth)] == [date(2027, 5, 18), date(2027, 5, 25)]


def test_moving_a_session_tells_each_concerned_contact_once(client, palermo, make, mailbox):
    site, trainer, module = palermo
    accepted = [make.organisation(site) for _ in range(2)]
    for org in accepted:
        make.participant(org)
        make.participant(org)
    make.organisation(site, status="pending")  # not concerned
    make.organisation(make.site())  # another site: not concerned
    sched = make.session(site, module=module, starts_in_days=10)
    client.login(trainer)
    local = sched.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Rome"))
    data = session_form(module, day=local.date().isoformat(), start="09:00", end="11:00")
    assert client.post(f"/sessions/{sched.id}/edit", data=data).status_code == 302
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == sorted(make.contact_of(o).email for o in accepted)
    message = mailbox.messages[0]
    assert message["Subject"].startswith("Changed:")
    assert "It was:" in mailbox.body(message) and "09:00" not in message["Subject"]
    assert sched.sequence == 1
    # Saving again without a change tells nobody.
    client.post(f"/sessions/{sched.id}/edit", data=data)
    assert len(mailbox.messages) == 2


def test_cancelling_needs_a_reason_and_tells_people(client, palermo, make, mailbox):
    site, trainer, module = palermo
    organisation = make.organisation(site)
    sched = make.session(site, module=module, starts_in_days=5)
    client.login(trainer)
    response = client.post(
        f"/sessions/{sched.id}/status", data={"status": "cancelled", "reason": ""}, follow_redirects=True
    )
    assert "Say why the session is cancelled" in response.get_data(as_text=True)
    assert sched.status is SessionStatus.CONFIRMED and mailbox.messages == []
    client.post(f"/sessions/{sched.id}/status", data={"status": "cancelled", "reason": "The trainer is ill."})
    assert sched.status is SessionStatus.CANCELLED and sched.sequence == 1
    [message] = mailbox.to(make.contact_of(organisation).email)
    assert message["Subject"].startswith("Cancelled:") and "The trainer is ill." in mailbox.body(message)
    # Reinstating tells them too.
    client.post(f"/sessions/{sched.id}/status", data={"status": "confirmed"})
    assert sched.status is SessionStatus.CONFIRMED
    assert mailbox.messages[-1]["Subject"].startswith("Back on:")


def test_a_future_session_cannot_be_marked_held(client, palermo, make):
    site, trainer, module = palermo
    sched = make.session(site, module=module, starts_in_days=5)
    client.login(trainer)
    page = client.post(f"/sessions/{sched.id}/status", data={"status": "held"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "cannot be marked as held before it starts" in page
    assert sched.status is SessionStatus.CONFIRMED


def test_speakers_and_unconfirmed_slots(client, palermo, make):
    site, trainer, _module = palermo
    client.login(trainer)
    data = session_form(
        _module,
        kind="meeting",
        module_id="0",
        title="Network meeting",
        is_public="y",
        **{
            "speakers-0-name": "Amina Haddad",
            "speakers-0-role": "Fundraising in practice",
            "speakers-0-confirmed": "y",
            "speakers-1-name": "Lars Nielsen",
            "speakers-1-organisation": "Aarhus Kommune",
        },
    )
    data["status"] = "tentative"
    assert client.post(f"/sites/{site.id}/sessions/new", data=data).status_code == 302
    [sched] = all_sessions()
    assert [(s.name, s.confirmed) for s in sched.speakers] == [("Amina Haddad", True), ("Lars Nielsen", False)]
    page = client.get("/events").get_data(as_text=True)
    assert "Network meeting" in page and "Amina Haddad" in page


def test_headcount_of_a_workshop(client, palermo, make):
    site, trainer, _module = palermo
    workshop = make.session(site, kind="workshop", starts_in_days=-1)
    client.login(trainer)
    bad = client.post(
        f"/sessions/{workshop.id}/headcount",
        data={"headcount_total": "10", "headcount_newcomers": "8", "headcount_residents": "5"},
    )
    assert bad.status_code == 422 and "cannot be more than the total" in bad.get_data(as_text=True)
    assert workshop.headcount_total is None
    ok = client.post(
        f"/sessions/{workshop.id}/headcount",
        data={"headcount_total": "40", "headcount_newcomers": "25", "headcount_residents": "12"},
    )
    assert ok.status_code == 302
    assert (workshop.headcount_total, workshop.headcount_newcomers, workshop.headcount_residents) == (40, 25, 12)


def test_public_events_page_shows_only_public_upcoming_sessions(client, make):
    site = make.site(city="Kassel")
    make.session(site, kind="event", title="Open day", is_public=True, starts_in_days=3)
    make.session(site, kind="event", title="Internal", starts_in_days=3)
    make.session(site, kind="event", title="Last year", is_public=True, starts_in_days=-30)
    make.session(site, kind="event", title="Called off", is_public=True, starts_in_days=3, status="cancelled")
    page = client.get("/events").get_data(as_text=True)
    assert "Open day" in page
    assert "Internal" not in page and "Last year" not in page and "Called off" not in page


def test_schedule_views(client, palermo, make):
    site, trainer, module = palermo
    make.session(site, module=module, starts_at=datetime(2027, 3, 2, 16, 0, tzinfo=UTC), title="Session A")
    make.session(site, module=module, starts_at=datetime(2027, 3, 24, 16, 0, tzinfo=UTC), title="Session B")
    client.login(trainer)
    month = client.get(f"/sites/{site.id}/schedule?view=month&date=2027-03-10").get_data(as_text=True)
    assert "Session A" in month and "Session B" in month and "March 2027" in month
    week = client.get(f"/sites/{site.id}/schedule?view=week&date=2027-03-03").get_data(as_text=True)
    assert "Session A" in week and "Session B" not in week
    listing = client.get(f"/sites/{site.id}/schedule?date=2027-03-01").get_data(as_text=True)
    assert listing.index("Session A") < listing.index("Session B")
    assert client.get(f"/sites/{site.id}/schedule?view=bogus&date=nonsense").status_code == 200


def test_contact_sees_the_sessions_their_people_are_expected_at(client, make):
    site, other = make.site(), make.site()
    organisation = make.organisation(site)
    make.session(site, title="Our course", starts_in_days=2)
    make.session(other, title="Elsewhere", starts_in_days=2)
    open_event = make.session(site, kind="event", title="Open event", starts_in_days=4, capacity=10)
    client.login(make.contact_of(organisation))
    page = client.get(f"/organisations/{organisation.id}/schedule").get_data(as_text=True)
    assert "Our course" in page and "Elsewhere" not in page
    assert "Open for booking" in page and "Open event" in page
    assert client.get(f"/sessions/{open_event.id}").status_code == 200

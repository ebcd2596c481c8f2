"""iCalendar feeds, read back with an independent parser (vobject)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import vobject

from oep.extensions import db


def parse(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return vobject.readOne(response.get_data(as_text=True))


def events_by_summary(calendar):
    return {str(e.summary.value): e for e in calendar.vevent_list} if hasattr(calendar, "vevent_list") else {}


def test_site_feed_has_local_times_with_their_zone(client, make):
    site = make.site(city="Palermo", timezone="Europe/Rome")
    make.session(site, title="Fundraising", starts_at=datetime(2027, 3, 2, 16, 0, tzinfo=UTC), venue="Centro", hours=3)
    make.session(site, title="Summer session", starts_at=datetime(2027, 7, 6, 15, 0, tzinfo=UTC), hours=3)
    response = client.get(f"/calendar/sites/{site.calendar_token}.ics")
    assert "DTSTART;TZID=Europe/Rome:20270302T170000" in response.get_data(as_text=True)
    calendar = parse(response)
    events = events_by_summary(calendar)
    winter, summer = events["Fundraising"], events["Summer session"]
    # Both at 17:00 local time, in the site's zone, whatever DST says.
    assert winter.dtstart.value.hour == 17 and summer.dtstart.value.hour == 17
    assert winter.dtstart.value.utcoffset().total_seconds() == 3600
    assert summer.dtstart.value.utcoffset().total_seconds() == 7200
    assert winter.dtstart.value.astimezone(UTC) == datetime(2027, 3, 2, 16, 0, tzinfo=UTC)
    assert winter.dtend.value - winter.dtstart.value == summer.dtend.value - summer.dtstart.value
    assert str(winter.location.value) == "Centro"
    assert hasattr(calendar, "vtimezone")


def test_changes_and_cancellations_reach_subscribed_calendars(client, make):
    site = make.site()
    organisation = make.organisation(site)
    trainer = make.trainer([site])
    sched = make.session(site, title="Mediation", starts_in_days=10)
    feed_url = f"/calendar/organisations/{organisation.calendar_token}.ics"
    before = events_by_summary(parse(client.get(feed_url)))["Mediation"]
    assert int(before.sequence.value) == 0 and str(before.status.value) == "CONFIRMED"
    uid = str(before.uid.value)

    client.login(trainer)
    client.post(f"/sessions/{sched.id}/status", data={"status": "cancelled", "reason": "Storm warning"})
    after = events_by_summary(parse(client.get(feed_url)))["Mediation"]
    assert str(after.uid.value) == uid  # the same event, updated
    assert str(after.status.value) == "CANCELLED"
    assert int(after.sequence.value) > int(before.sequence.value)
    assert "Storm warning" in str(after.description.value)


def test_organisation_feed_holds_only_its_sessions(client, make):
    site, elsewhere = make.site(), make.site()
    organisation = make.organisation(site)
    person = make.participant(organisation)
    make.session(site, title="Our course", starts_in_days=3)
    booked = make.session(elsewhere, kind="event", title="Booked event", starts_in_days=4)
    make.booking(booked, person)
    make.session(elsewhere, title="Not ours", starts_in_days=5)
    make.session(site, kind="event", title="Unbooked event", starts_in_days=5)
    summaries = set(events_by_summary(parse(client.get(f"/calendar/organisations/{organisation.calendar_token}.ics"))))
    assert summaries == {"Our course", "Booked event"}


def test_resetting_the_token_kills_the_old_address(client, make):
    site = make.site()
    organisation = make.organisation(site)
    old = organisation.calendar_token
    client.login(make.contact_of(organisation))
    assert client.post(f"/organisations/{organisation.id}/calendar-token").status_code == 302
    db.session.refresh(organisation)
    assert organisation.calendar_token != old
    assert client.get(f"/calendar/organisations/{old}.ics").status_code == 404
    assert client.get(f"/calendar/organisations/{organisation.calendar_token}.ics").status_code == 200


def test_unknown_token_is_404(client):
    assert client.get("/calendar/sites/guess.ics").status_code == 404


def test_public_feed(client, make):
    site = make.site()
    make.session(site, kind="event", title="Open day", is_public=True, starts_in_days=3)
    make.session(site, kind="event", title="Private", starts_in_days=3)
    assert set(events_by_summary(parse(client.get("/events.ics")))) == {"Open day"}


def test_feed_uses_no_floating_times(client, make):
    site = make.site(timezone="Europe/Athens")
    make.session(site, title="Athens", starts_in_days=2)
    event = events_by_summary(parse(client.get(f"/calendar/sites/{site.calendar_token}.ics")))["Athens"]
    assert event.dtstart.value.tzinfo is not None
    assert event.dtstart.value.astimezone(ZoneInfo("Europe/Athens")).hour == event.dtstart.value.hour

"""iCalendar (RFC 5545) feeds of sessions, written with the icalendar library.

Times carry their site's time zone (TZID, with the VTIMEZONE definitions included), so a
calendar application shows 10:00 in Palermo as 10:00 in Palermo whatever the reader's zone.
A change bumps SEQUENCE and a cancellation is STATUS:CANCELLED, so subscribed calendars
update the event instead of duplicating it.

The VTIMEZONE definitions are written in the common yearly-rule form (RRULE, as tzurl.org
publishes them) rather than as long lists of dates: every calendar program reads that form,
while some mis-read date lists and then shift summer events by an hour.
"""

from __future__ import annotations

import calendar as calendar_module
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from oep.core.timezones import to_local
from oep.scheduling.models import ScheduledSession, SessionStatus

PRODID = "-//OEP//Organisational Empowerment Programme//EN"

STATUS = {
    SessionStatus.TENTATIVE: "TENTATIVE",
    SessionStatus.CONFIRMED: "CONFIRMED",
    SessionStatus.HELD: "CONFIRMED",
    SessionStatus.CANCELLED: "CANCELLED",
}


def _location(sched: ScheduledSession) -> str:
    parts = [p for p in (sched.venue, sched.address) if p]
    if sched.online_url:
        parts.append(sched.online_url)
    return ", ".join(parts)


def feed(sessions: list[ScheduledSession], name: str, link_for) -> bytes:
    """An iCalendar file of ``sessions``; ``link_for(session)`` gives each one's web page."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for sched in sessions:
        tz = sched.site.timezone
        event = Event()
        event.add("uid", f"{sched.uid}@oep")
        event.add("dtstamp", sched.updated_at)
        event.add("last-modified", sched.updated_at)
        event.add("dtstart", to_local(sched.starts_at, tz))
        event.add("dtend", to_local(sched.ends_at, tz))
        event.add("summary", str(sched.title))
        event.add("status", STATUS[sched.status])
        event.add("sequence", sched.sequence)
        location = _location(sched)
        if location:
            event.add("location", location)
        link = link_for(sched)
        description = str(sched.description)
        if sched.is_cancelled and sched.cancel_reason:
            description = f"{sched.cancel_reason}\n\n{description}".strip()
        event.add("description", f"{description}\n\n{link}".strip())
        event.add("url", link)
        calendar.add_component(event)
    for tz in sorted({s.site.timezone for s in sessions}):
        calendar.add_component(vtimezone(tz))
    return calendar.to_ical()


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants in ``year`` at which the zone's offset changes (hour resolution,
    refined to the minute)."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        nxt = moment + timedelta(hours=1)
        offset = nxt.astimezone(zone).utcoffset()
        if offset != previous:
            exact = moment
            while (exact + timedelta(minutes=1)).astimezone(zone).utcoffset() == previous:
                exact += timedelta(minutes=1)
            found.append(exact + timedelta(minutes=1))
            previous = offset
        moment = nxt
    return found


def _byday(day: datetime) -> str:
    """The RRULE weekday rule for a date: "-1SU" for a month's last Sunday, "2SU" for its
    second, and so on."""
    name = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][day.weekday()]
    if day.day + 7 > calendar_module.monthrange(day.year, day.month)[1]:
        return f"-1{name}"
    return f"{(day.day - 1) // 7 + 1}{name}"


def vtimezone(tz: str, year: int | None = None) -> Timezone:
    """A VTIMEZONE for ``tz`` with the rules in force in ``year`` (default: this year)."""
    zone = ZoneInfo(tz)
    year = year or datetime.now(UTC).year
    component = Timezone()
    component.add("tzid", tz)
    transitions = _transitions(zone, year)
    if not transitions:
        standard = TimezoneStandard()
        offset = datetime(year, 1, 1, tzinfo=zone).utcoffset()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", datetime(year, 1, 1, tzinfo=zone).tzname())
        component.add_component(standard)
        return component
    for instant in transitions:
        before = (instant - timedelta(minutes=1)).astimezone(zone)
        after = instant.astimezone(zone)
        is_summer = bool(after.dst())
        part = TimezoneDaylight() if is_summer else TimezoneStandard()
        local_start = instant.astimezone(timezone(before.utcoffset())).replace(tzinfo=None)
        part.add("dtstart", _first_matching(local_start))
        part.add("rrule", {"freq": "yearly", "bymonth": local_start.month, "byday": _byday(local_start)})
        part.add("tzoffsetfrom", before.utcoffset())
        part.add("tzoffsetto", after.utcoffset())
        part.add("tzname", after.tzname())
        component.add_component(part)
    return component


def _first_matching(local_start: datetime) -> datetime:
    """The same rule's date in 1970, as DTSTART of a yearly RRULE."""
    rule = _byday(local_start)
    weekday = local_start.weekday()
    month_days = calendar_module.monthrange(1970, local_start.month)[1]
    candidates = [
        datetime(1970, local_start.month, d, local_start.hour, local_start.minute)
        for d in range(1, month_days + 1)
        if datetime(1970, local_start.month, d).weekday() == weekday
    ]
    index = -1 if rule.startswith("-1") else int(rule[0]) - 1
    return candidates[index]

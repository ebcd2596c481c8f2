"""Writes for scheduling: sessions and series, status changes, bookings with a waiting list,
notices of absence, and telling the people concerned when a session changes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from oep.accounts import services as accounts
from oep.accounts.models import Role, User
from oep.attendance.models import Attendance, AttendanceChange, AttendanceStatus, MarkSource
from oep.core.db import utcnow
from oep.core.errors import Conflict, InvalidInput
from oep.core.i18n import spoken_languages
from oep.core.i18n_text import I18nText
from oep.core.mail import send_template
from oep.core.timezones import to_local, to_utc
from oep.core.validation import Problems, translations
from oep.organisations.models import Enrolment, EnrolmentStatus, Organisation, Participant
from oep.pairings.models import Pairing, PairingStatus
from oep.programmes.models import Module, Site, new_calendar_token
from oep.scheduling.models import (
    SESSION_TRANSITIONS,
    AbsenceNotice,
    Booking,
    BookingStatus,
    ScheduledSession,
    SessionKind,
    SessionSeries,
    SessionStatus,
    Speaker,
)

log = logging.getLogger(__name__)

#: A series may not create more sessions than this in one go (a typo in a date must not
#: create thousands).
MAX_SERIES_SESSIONS = 200

#: Changes that a calendar and the people concerned must hear about.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "venue", "address", "online_url", "status", "title")

#: The longest text each field of a session holds, in characters (the columns' lengths; a
#: description is kept to what people read).
SESSION_TEXT_LIMITS = {"venue": 200, "address": 300, "online_url": 500}
#: The longest title and description, in each of the programme's languages.
SESSION_TRANSLATED_LIMITS = {"title": 200, "description": 5000}
#: A session has at most this many speakers, each with a name, role and organisation of at
#: most SPEAKER_TEXT_LIMIT characters.
MAX_SPEAKERS = 20
SPEAKER_TEXT_LIMIT = 200
#: The most places a session offers, and the largest headcount it records.
MAX_CAPACITY = 10000
MAX_HEADCOUNT = 100000
#: The longest reason of a notice of absence and of a cancellation, in characters.
NOTICE_REASON_LIMIT = 500
CANCEL_REASON_LIMIT = 2000


@dataclass
class SpeakerData:
    """A speaker of a session as entered: a name (a row without one is dropped), their role or
    topic, their organisation, and whether they have confirmed."""

    name: str
    role: str = ""
    organisation: str = ""
    confirmed: bool = True


@dataclass
class SessionData:
    """What a trainer enters for a session.

    ``day`` is a date and ``start``/``end`` are times of day, all in the site's time zone (the
    service stores UTC). ``title`` and ``description`` are texts in the programme's languages
    (an ``I18nText``, a mapping of language codes to texts, or a plain string for the main
    language's); an empty ``title`` takes the module's (in all its languages). ``capacity`` is a number of
    places (``None``: no limit); ``language`` an ISO 639-1 code; ``trainer_ids`` the ids of
    users who are trainers or coordinators. ``status`` matters only when the session is
    created (tentative or confirmed); an update keeps the session's own.
    """

    kind: SessionKind
    title: I18nText | dict[str, str] | str
    day: date
    start: time
    end: time
    module_id: int | None = None
    pairing_id: int | None = None
    venue: str = ""
    address: str = ""
    online_url: str = ""
    capacity: int | None = None
    language: str = "en"
    description: I18nText | dict[str, str] | str = ""
    is_public: bool = False
    status: SessionStatus = SessionStatus.TENTATIVE
    trainer_ids: list[int] = field(default_factory=list)
    speakers: list[SpeakerData] = field(default_factory=list)


@dataclass
class Repeat:
    """How a series repeats: on ``weekdays`` (Monday = 0), every ``interval_weeks`` weeks
    (1 to 12), up to and including ``until`` (a date in the site's time zone; required)."""

    weekdays: list[int]
    interval_weeks: int
    until: date | None


def _check_length(value: str, limit: int, field: str | None) -> None:
    """Refuse a text of more than ``limit`` characters (spaces around it do not count)."""
    if len(value.strip()) > limit:
        raise InvalidInput(_("At most %(n)s characters.", n=format_decimal(limit)), field=field)


def _is_web_address(value: str) -> bool:
    parts = urlsplit(value)
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host.strip(".") and not any(c.isspace() for c in value)


def _texts(data: SessionData, site: Site) -> dict[str, I18nText]:
    """The session's title and description as stored, in the programme's languages (a text in
    another language is refused, one over its limit too)."""
    languages = site.programme.languages
    texts = {
        "title": translations(data.title, languages, single_line=True),
        "description": translations(data.description, languages),
    }
    problems = Problems()
    for name, limit in SESSION_TRANSLATED_LIMITS.items():
        problems.translations(name, texts[name], languages, limit)
    problems.raise_if_any()
    return texts


def _check_fields(data: SessionData) -> None:
    """The rules about a session's fields on their own (those that depend on the site and
    its programme are checked where the field is used)."""
    for name, limit in SESSION_TEXT_LIMITS.items():
        _check_length(getattr(data, name), limit, name)
    if data.online_url.strip() and not _is_web_address(data.online_url.strip()):
        raise InvalidInput(_("Enter a web address such as https://meet.example.org/abc."), field="online_url")
    if data.language not in spoken_languages():
        raise InvalidInput(_("Choose a language from the list."), field="language")
    if len(data.speakers) > MAX_SPEAKERS:
        raise InvalidInput(_("A session has at most %(n)d speakers.", n=MAX_SPEAKERS))
    for speaker in data.speakers:
        for text in (speaker.name, speaker.role, speaker.organisation):
            _check_length(text, SPEAKER_TEXT_LIMIT, None)


def _module_for(session: Session, site: Site, data: SessionData) -> Module | None:
    if data.kind is SessionKind.COURSE and not data.module_id:
        raise InvalidInput(_("A course session belongs to a module: choose one."), field="module_id")
    if not data.module_id:
        return None
    module = session.get(Module, data.module_id)
    if module is None or module.programme_id != site.programme_id:
        raise InvalidInput(_("Choose a module of this programme."), field="module_id")
    return module


def _pairing_for(session: Session, site: Site, data: SessionData):
    if not data.pairing_id:
        return None

    pairing = session.get(Pairing, data.pairing_id)
    if (
        pairing is None
        or pairing.site_id != site.id
        or pairing.status not in (PairingStatus.ACTIVE, PairingStatus.COMPLETED)
    ):
        raise InvalidInput(_("Choose an active pairing of this site."), field="pairing_id")
    if data.kind is not SessionKind.WORKSHOP:
        raise InvalidInput(_("Only a skill-transfer workshop is delivered by a pairing."), field="pairing_id")
    return pairing


def _trainers_for(session: Session, site: Site, ids: list[int]) -> list[User]:
    if not ids:
        return []
    users = session.scalars(sa.select(User).where(User.id.in_(ids))).all()
    if len(users) != len(set(ids)) or any(u.role not in (Role.TRAINER, Role.COORDINATOR) for u in users):
        raise InvalidInput(_("Choose trainers from the list."), field="trainer_ids")
    return list(users)


def _times(site: Site, day: date, start: time, end: time) -> tuple[datetime, datetime]:
    if end <= start:
        raise InvalidInput(_("The session must end after it starts."), field="end")
    starts_at = to_utc(day, start, site.timezone)
    ends_at = to_utc(day, end, site.timezone)
    if ends_at <= starts_at:  # only across a DST change at night
        raise InvalidInput(_("The session must end after it starts."), field="end")
    return starts_at, ends_at


def _check_capacity(capacity: int | None) -> None:
    if capacity is not None and capacity < 1:
        raise InvalidInput(_("Capacity is at least 1 (leave it empty for no limit)."), field="capacity")
    if capacity is not None and capacity > MAX_CAPACITY:
        raise InvalidInput(_("Between 1 and 10000, or empty for no limit."), field="capacity")


def _apply(
    session: Session, sched: ScheduledSession, site: Site, data: SessionData, *, keep_date: bool = False
) -> None:
    module = _module_for(session, site, data)
    _check_capacity(data.capacity)
    _check_fields(data)
    texts = _texts(data, site)
    day = to_local(sched.starts_at, site.timezone).date() if keep_date and sched.starts_at else data.day
    starts_at, ends_at = _times(site, day, data.start, data.end)
    title = texts["title"] or (module.title if module else I18nText())
    if not title:
        raise InvalidInput(_("Give the session a title."), field="title")
    pairing = _pairing_for(session, site, data)
    sched.kind = data.kind
    sched.module_id = module.id if module else None
    sched.pairing_id = pairing.id if pairing else None
    sched.title = title
    sched.starts_at, sched.ends_at = starts_at, ends_at
    sched.duration_minutes = int((ends_at - starts_at).total_seconds() // 60)
    sched.venue, sched.address, sched.online_url = data.venue.strip(), data.address.strip(), data.online_url.strip()
    sched.capacity = data.capacity
    sched.language = data.language
    sched.description = texts["description"]
    sched.is_public = data.is_public
    sched.trainers = _trainers_for(session, site, data.trainer_ids)
    sched.speakers = [
        Speaker(
            position=i,
            name=s.name.strip(),
            role=s.role.strip(),
            organisation=s.organisation.strip(),
            confirmed=s.confirmed,
        )
        for i, s in enumerate(data.speakers)
        if s.name.strip()
    ]


def create_session(session: Session, site: Site, data: SessionData, by: User) -> ScheduledSession:
    """Schedule one session at ``site`` from ``data`` (local date and times, see
    ``SessionData``); returns it, flushed.

    Raises ``InvalidInput`` for a status other than tentative or confirmed (field ``status``),
    a course session without a module of the programme (``module_id``), a capacity outside 1
    to ``MAX_CAPACITY`` (``capacity``), a text longer than ``SESSION_TEXT_LIMITS`` allows (on
    its field), an online link that is not an http(s) address (``online_url``), a language
    not in ``spoken_languages()`` (``language``), more than ``MAX_SPEAKERS`` speakers or a
    speaker's text over ``SPEAKER_TEXT_LIMIT`` (no field), an end not after the start
    (``end``), no title and no module to take it from (``title``), a pairing that is not an
    active or completed one of the site or for a session that is not a workshop
    (``pairing_id``), or trainers who are neither trainers nor coordinators
    (``trainer_ids``).
    """
    if data.status not in (SessionStatus.TENTATIVE, SessionStatus.CONFIRMED):
        raise InvalidInput(_("A new session is either confirmed or not yet confirmed."), field="status")
    sched = ScheduledSession(site_id=site.id, status=data.status, cancel_reason="")
    _apply(session, sched, site, data)
    session.add(sched)
    session.flush()
    return sched


def series_dates(first: date, weekdays: list[int], interval_weeks: int, until: date) -> list[date]:
    """Every date from ``first`` to ``until`` that falls on one of ``weekdays`` in the weeks
    counted every ``interval_weeks`` from the week of ``first``."""
    week_start = first - timedelta(days=first.weekday())
    result = []
    day = first
    while day <= until:
        weeks_since = (day - week_start).days // 7
        if day.weekday() in weekdays and weeks_since % interval_weeks == 0:
            result.append(day)
        day += timedelta(days=1)
    return result


def create_series(session: Session, site: Site, data: SessionData, repeat: Repeat, by: User) -> list[ScheduledSession]:
    """Create one session per date of the repeating pattern, linked to a new series; returns
    them in date order, flushed.

    ``data.day`` is the first date (in the site's time zone); every session gets the times and
    the rest of ``data``. Raises ``InvalidInput`` for no last date (field ``until``), no
    weekday (``weekdays``), an interval outside 1 to 12 weeks (``interval_weeks``), a last
    date before the first (``until``), no date on the chosen weekdays (``weekdays``), more than
    ``MAX_SERIES_SESSIONS`` sessions (``until``), and whatever ``create_session`` refuses.
    """
    if repeat.until is None:
        raise InvalidInput(_("Give the last date of the series."), field="until")
    if not repeat.weekdays:
        raise InvalidInput(_("Choose at least one weekday."), field="weekdays")
    if not 1 <= repeat.interval_weeks <= 12:
        raise InvalidInput(_("Repeat every 1 to 12 weeks."), field="interval_weeks")
    if repeat.until < data.day:
        raise InvalidInput(_("The last date cannot be before the first."), field="until")
    dates = series_dates(data.day, repeat.weekdays, repeat.interval_weeks, repeat.until)
    if not dates:
        raise InvalidInput(_("No date between the first and the last falls on the chosen weekdays."), field="weekdays")
    if len(dates) > MAX_SERIES_SESSIONS:
        raise InvalidInput(
            _("That would create %(n)d sessions; at most %(max)d at once.", n=len(dates), max=MAX_SERIES_SESSIONS),
            field="until",
        )
    series = SessionSeries(
        site_id=site.id,
        weekdays=sorted(set(repeat.weekdays)),
        interval_weeks=repeat.interval_weeks,
        first_date=data.day,
        until=repeat.until,
        start_time=data.start,
        end_time=data.end,
    )
    session.add(series)
    created = []
    for day in dates:
        occurrence = SessionData(**{**data.__dict__, "day": day})
        sched = create_session(session, site, occurrence, by)
        sched.series = series
        created.append(sched)
    session.flush()
    return created


# --- changes and who is told ---------------------------------------------------------------------


def _snapshot(sched: ScheduledSession) -> dict:
    return {name: getattr(sched, name) for name in NOTIFIED_FIELDS}


def update_session(
    session: Session, sched: ScheduledSession, data: SessionData, by: User, scope: str = "this"
) -> list[ScheduledSession]:
    """Change a session, or it and the later sessions of its series (``scope="following"``:
    their dates stay, everything else — times of day included — follows this one; any other
    scope is "this"). Returns every session the change was applied to, changed or not.

    ``data`` is read as for ``create_session`` (local date and times) except its status: the
    sessions keep theirs. The people concerned are told once per session whose time, place or
    title changed, and calendars see a new SEQUENCE; a changed capacity gives freed places to
    the waiting list (whose contacts are told). Raises ``Conflict`` for a cancelled session,
    and ``InvalidInput`` for what ``create_session`` refuses (the status aside).
    """
    if sched.is_cancelled:
        raise Conflict(_("A cancelled session cannot be edited; reinstate it first."))
    targets = [sched]
    if scope == "following" and sched.series_id:
        targets = session.scalars(
            sa.select(ScheduledSession)
            .where(
                ScheduledSession.series_id == sched.series_id,
                ScheduledSession.starts_at >= sched.starts_at,
                ScheduledSession.status != SessionStatus.CANCELLED,
            )
            .order_by(ScheduledSession.starts_at)
        ).all()
    site = sched.site
    changed = []
    for target in targets:
        before = _snapshot(target)
        old_capacity = target.capacity
        _apply(session, target, site, data, keep_date=target is not sched)
        if _snapshot(target) != before:
            target.sequence += 1
            changed.append((target, before))
        if target.capacity != old_capacity:
            _promote_waitlisted(session, target)
    if scope == "following" and sched.series_id and sched.series is not None:
        sched.series.start_time, sched.series.end_time = data.start, data.end
    session.flush()
    for target, before in changed:
        _notify_change(session, target, before)
    return targets


def set_status(session: Session, sched: ScheduledSession, status: SessionStatus, reason: str, by: User) -> None:
    """Move a session to ``status`` along ``SESSION_TRANSITIONS`` (the same status changes
    nothing). Cancelling needs a ``reason``, which the people concerned read: they are told of
    a cancellation and of a reinstatement.

    Raises ``Conflict`` for a change the transitions do not allow or for "held" before the
    session starts, and ``InvalidInput`` for a cancellation without a reason or a reason over
    ``CANCEL_REASON_LIMIT`` characters (field ``reason``).
    """
    reason = (reason or "").strip()
    if status is sched.status:
        return
    if status not in SESSION_TRANSITIONS[sched.status]:
        raise Conflict(
            _("A session that is “%(current)s” cannot become “%(new)s”.", current=sched.status.label, new=status.label)
        )
    if status is SessionStatus.CANCELLED and not reason:
        raise InvalidInput(_("Say why the session is cancelled; the people concerned will read it."), field="reason")
    _check_length(reason, CANCEL_REASON_LIMIT, "reason")
    if status is SessionStatus.HELD and sched.starts_at > utcnow():
        raise Conflict(_("A session cannot be marked as held before it starts."))
    before = _snapshot(sched)
    sched.status = status
    sched.cancel_reason = reason if status is SessionStatus.CANCELLED else ""
    sched.sequence += 1
    session.flush()
    if status is SessionStatus.CANCELLED or before["status"] is SessionStatus.CANCELLED:
        _notify_change(session, sched, before)


def record_headcount(
    session: Session, sched: ScheduledSession, total: int | None, newcomers: int | None, residents: int | None
) -> None:
    """Record the community headcount of a workshop or event: the total number of attendees,
    and where known how many are newcomers and how many long-time residents (``None``: not
    counted).

    Raises ``InvalidInput`` for a count below 0 or above ``MAX_HEADCOUNT`` (on its field),
    newcomers or residents without a total, or newcomers and residents together above the
    total (field ``headcount_total``).
    """
    for value, name in (
        (total, "headcount_total"),
        (newcomers, "headcount_newcomers"),
        (residents, "headcount_residents"),
    ):
        if value is not None and value < 0:
            raise InvalidInput(_("Counts cannot be negative."), field=name)
        if value is not None and value > MAX_HEADCOUNT:
            raise InvalidInput(
                _(
                    "Enter a number between %(low)s and %(high)s.",
                    low=format_decimal(0),
                    high=format_decimal(MAX_HEADCOUNT),
                ),
                field=name,
            )
    if total is None and (newcomers or residents):
        raise InvalidInput(_("Enter the total number of attendees too."), field="headcount_total")
    if total is not None and (newcomers or 0) + (residents or 0) > total:
        raise InvalidInput(
            _("Newcomers and long-time residents together cannot be more than the total."), field="headcount_total"
        )
    sched.headcount_total, sched.headcount_newcomers, sched.headcount_residents = total, newcomers, residents
    session.flush()


def concerned_contacts(session: Session, sched: ScheduledSession) -> list[User]:
    """The active contact accounts of the organisations whose people are expected at a course
    session (every organisation accepted at the site) or booked on another session (booking not
    cancelled), by user id."""
    if sched.kind.takes_bookings:
        org_ids = (
            sa.select(Participant.organisation_id)
            .join(Booking, Booking.participant_id == Participant.id)
            .where(Booking.session_id == sched.id, Booking.status != BookingStatus.CANCELLED)
        )
    else:
        org_ids = sa.select(Enrolment.organisation_id).where(
            Enrolment.site_id == sched.site_id, Enrolment.status == EnrolmentStatus.ACCEPTED
        )
    return session.scalars(
        sa.select(User)
        .where(User.organisation_id.in_(org_ids), User.is_active.is_(True), User.role == Role.CONTACT)
        .order_by(User.id)
    ).all()


def _notify_change(session: Session, sched: ScheduledSession, before: dict) -> None:
    """One mail per contact concerned, saying what changed."""
    contacts = concerned_contacts(session, sched)
    if not contacts:
        return
    tz = sched.site.timezone
    old_start, old_end = to_local(before["starts_at"], tz), to_local(before["ends_at"], tz)
    for contact in contacts:
        send_template(
            session,
            contact.email,
            "session_changed",
            locale=contact.locale,
            contact=contact,
            sched=sched,
            before=before,
            old_start=old_start,
            old_end=old_end,
            new_start=to_local(sched.starts_at, tz),
            new_end=to_local(sched.ends_at, tz),
            link=accounts.external_url("scheduling.detail", session_id=sched.id),
        )


# --- bookings and the waiting list -----------------------------------------------------------------


def _lock_for_booking(session: Session, sched: ScheduledSession) -> None:
    """Serialise booking changes of one session: the UPDATE takes the row lock on PostgreSQL
    (a concurrent booking waits for this transaction) and the write lock on SQLite, so the
    count of confirmed places read next is never stale."""
    session.execute(
        sa.update(ScheduledSession)
        .where(ScheduledSession.id == sched.id)
        .values(booking_revision=ScheduledSession.booking_revision + 1)
        .execution_options(synchronize_session=False)
    )


def _confirmed_count(session: Session, sched: ScheduledSession) -> int:
    return session.scalar(
        sa.select(sa.func.count()).where(Booking.session_id == sched.id, Booking.status == BookingStatus.CONFIRMED)
    )


def _check_bookable(sched: ScheduledSession) -> None:
    if not sched.kind.takes_bookings:
        raise Conflict(_("Course sessions take no bookings: every participant of the site is expected."))
    if sched.status in (SessionStatus.CANCELLED, SessionStatus.HELD) or sched.ends_at <= utcnow():
        raise Conflict(_("This session can no longer be booked."))


def _accepted_at_site(session: Session, organisation_id: int, site_id: int) -> bool:
    return bool(
        session.scalar(
            sa.select(Enrolment.id).where(
                Enrolment.organisation_id == organisation_id,
                Enrolment.site_id == site_id,
                Enrolment.status == EnrolmentStatus.ACCEPTED,
            )
        )
    )


def book(session: Session, sched: ScheduledSession, participants: list[Participant], by: User) -> list[Booking]:
    """Book participants on a session: confirmed while places last, then on the waiting list,
    in the order given. Booking someone already booked (or waiting) changes nothing; a
    cancelled booking is booked again. Returns one booking per participant, in that order.

    Raises ``Conflict`` for a course session (it takes no bookings), a session cancelled, held
    or over, or a participant whose organisation is not accepted at the site; and
    ``InvalidInput`` for no participant (field ``participant_ids``).
    """
    _check_bookable(sched)
    if not participants:
        raise InvalidInput(_("Choose at least one participant."), field="participant_ids")
    for participant in participants:
        if not _accepted_at_site(session, participant.organisation_id, sched.site_id):
            raise Conflict(_("%(name)s's organisation is not accepted at this site.", name=participant.name))
    _lock_for_booking(session, sched)
    existing = {
        b.participant_id: b
        for b in session.scalars(
            sa.select(Booking).where(
                Booking.session_id == sched.id, Booking.participant_id.in_([p.id for p in participants])
            )
        )
    }
    confirmed = _confirmed_count(session, sched)
    now = utcnow()
    result = []
    for participant in participants:
        booking = existing.get(participant.id)
        if booking is not None and booking.status is not BookingStatus.CANCELLED:
            result.append(booking)
            continue
        has_place = sched.capacity is None or confirmed < sched.capacity
        status = BookingStatus.CONFIRMED if has_place else BookingStatus.WAITLISTED
        confirmed += has_place
        if booking is None:
            booking = Booking(session_id=sched.id, participant_id=participant.id, booked_by_id=by.id)
            session.add(booking)
        booking.status, booking.created_at, booking.updated_at = status, now, now
        result.append(booking)
    session.flush()
    return result


def cancel_booking(session: Session, booking: Booking, by: User) -> list[Booking]:
    """Cancel a booking; a place freed goes to the first on the waiting list, whose contacts
    are told. Returns the bookings promoted (none for a booking already cancelled).

    Raises ``Conflict`` once the session has started (an absence is recorded instead).
    """
    sched = booking.session
    if booking.status is BookingStatus.CANCELLED:
        return []
    if sched.starts_at <= utcnow():
        raise Conflict(_("The session has started; record an absence instead."))
    _lock_for_booking(session, sched)
    booking.status, booking.updated_at = BookingStatus.CANCELLED, utcnow()
    session.flush()
    return _promote_waitlisted(session, sched)


def _promote_waitlisted(session: Session, sched: ScheduledSession) -> list[Booking]:
    if sched.capacity is None:
        free = None
    else:
        free = sched.capacity - _confirmed_count(session, sched)
        if free <= 0:
            return []
    waiting = sa.select(Booking).where(Booking.session_id == sched.id, Booking.status == BookingStatus.WAITLISTED)
    waiting = waiting.order_by(Booking.created_at, Booking.id)
    if free is not None:
        waiting = waiting.limit(free)
    promoted = session.scalars(waiting).all()
    for booking in promoted:
        booking.status, booking.updated_at = BookingStatus.CONFIRMED, utcnow()
    session.flush()
    for booking in promoted:
        for contact in booking.participant.organisation.contacts:
            if contact.is_active:
                send_template(
                    session,
                    contact.email,
                    "booking_promoted",
                    locale=contact.locale,
                    contact=contact,
                    booking=booking,
                    sched=sched,
                    start=to_local(sched.starts_at, sched.site.timezone),
                    link=accounts.external_url("scheduling.detail", session_id=sched.id),
                )
    return promoted


# --- calendar feeds -----------------------------------------------------------------------------------


def renew_site_feed(session: Session, site: Site) -> str:
    """Give the site's private calendar feed a new secret address; the old one stops working
    at once. Returns the new token."""
    site.calendar_token = new_calendar_token()
    session.flush()
    return site.calendar_token


def renew_organisation_feed(session: Session, organisation: Organisation) -> str:
    """Give the organisation's private calendar feed a new secret address; the old one stops
    working at once. Returns the new token."""
    organisation.calendar_token = new_calendar_token()
    session.flush()
    return organisation.calendar_token


# --- notices of absence ---------------------------------------------------------------------------


def is_expected(session: Session, sched: ScheduledSession, participant: Participant) -> bool:
    """Whether a participant is expected at a session: for a course session, when their
    organisation is accepted at the site; for the others, when they have a booking that is not
    cancelled (confirmed or on the waiting list)."""
    if sched.kind.takes_bookings:
        return bool(
            session.scalar(
                sa.select(Booking.id).where(
                    Booking.session_id == sched.id,
                    Booking.participant_id == participant.id,
                    Booking.status != BookingStatus.CANCELLED,
                )
            )
        )
    return _accepted_at_site(session, participant.organisation_id, sched.site_id)


def give_notice(
    session: Session, sched: ScheduledSession, participant: Participant, reason: str, by: User
) -> AbsenceNotice:
    """Say before a session that a participant will be absent, and why; returns the notice
    (a second notice replaces the first's reason). The trainer sees it when taking attendance,
    and the participant is marked "excused" unless a mark exists already.

    Raises ``InvalidInput`` for an empty reason or one over ``NOTICE_REASON_LIMIT``
    characters (field ``reason``); ``Conflict`` once the session has started, for a cancelled
    session, or for someone not expected there (see ``is_expected``).
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give a reason, so that the trainer can excuse the absence."), field="reason")
    _check_length(reason, NOTICE_REASON_LIMIT, "reason")
    if sched.starts_at <= utcnow():
        raise Conflict(_("Notices of absence are given before the session starts."))
    if sched.is_cancelled:
        raise Conflict(_("This session is cancelled."))
    if not is_expected(session, sched, participant):
        raise Conflict(_("%(name)s is not expected at this session.", name=participant.name))
    notice = session.scalar(
        sa.select(AbsenceNotice).where(
            AbsenceNotice.session_id == sched.id, AbsenceNotice.participant_id == participant.id
        )
    )
    if notice is None:
        notice = AbsenceNotice(session_id=sched.id, participant_id=participant.id)
        session.add(notice)
    notice.reason, notice.given_by_id, notice.created_at = reason, by.id, utcnow()
    mark = session.scalar(
        sa.select(Attendance).where(Attendance.session_id == sched.id, Attendance.participant_id == participant.id)
    )
    if mark is None:
        mark = Attendance(
            session_id=sched.id,
            participant_id=participant.id,
            status=AttendanceStatus.EXCUSED,
            remark=reason,
            source=MarkSource.NOTICE,
            marked_by_id=by.id,
            marked_at=utcnow(),
        )
        session.add(mark)
        session.flush()
        session.add(
            AttendanceChange(
                attendance_id=mark.id,
                old_status=None,
                new_status=AttendanceStatus.EXCUSED,
                new_remark=mark.remark,
                source=MarkSource.NOTICE,
                changed_by_id=by.id,
            )
        )
    session.flush()
    return notice


def withdraw_notice(session: Session, notice: AbsenceNotice, by: User) -> None:
    """Take a notice back before the session: the "excused" it set goes too, unless a trainer
    has marked the participant since. Raises ``Conflict`` once the session has started."""
    if notice.session.starts_at <= utcnow():
        raise Conflict(_("The session has started; the notice can no longer be withdrawn."))
    mark = session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == notice.session_id, Attendance.participant_id == notice.participant_id
        )
    )
    if mark is not None and mark.source is MarkSource.NOTICE:
        session.delete(mark)
    session.delete(notice)
    session.flush()


def organisation_participants(session: Session, organisation: Organisation, ids: list[int]) -> list[Participant]:
    """The organisation's participants among ``ids``, in the given order (duplicates once).
    Raises ``InvalidInput`` (field ``participant_ids``) when an id is not one of them."""
    found = {
        p.id: p
        for p in session.scalars(
            sa.select(Participant).where(Participant.organisation_id == organisation.id, Participant.id.in_(ids))
        )
    }
    if len(found) != len(set(ids)):
        raise InvalidInput(_("Choose participants of your organisation."), field="participant_ids")
    return [found[i] for i in dict.fromkeys(ids)]

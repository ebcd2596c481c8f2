"""Reads for scheduling, scoped to what the user may see.

A coordinator sees every session; a trainer, the sessions of their sites; an organisation
contact, the sessions at the sites where their organisation is accepted and those their
participants are booked on. Anyone sees public sessions on the public events page.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from oep.accounts.models import Role, User
from oep.attendance.models import Attendance
from oep.core.db import utcnow
from oep.core.timezones import to_local, to_utc
from oep.extensions import db
from oep.organisations.models import Enrolment, EnrolmentStatus, Organisation, Participant
from oep.programmes.models import Programme, Site
from oep.programmes.queries import site_ids_of_trainer
from oep.scheduling.models import (
    AbsenceNotice,
    Booking,
    BookingStatus,
    ScheduledSession,
    SessionKind,
    SessionStatus,
)


def accepted_site_ids(organisation_id: int):
    """A select of the ids of the sites where the organisation is accepted (for an ``IN``)."""
    return sa.select(Enrolment.site_id).where(
        Enrolment.organisation_id == organisation_id, Enrolment.status == EnrolmentStatus.ACCEPTED
    )


def booked_session_ids(organisation_id: int):
    """A select of the ids of the sessions the organisation's participants are booked on
    (confirmed or on the waiting list; for an ``IN``)."""
    return (
        sa.select(Booking.session_id)
        .join(Participant, Participant.id == Booking.participant_id)
        .where(Participant.organisation_id == organisation_id, Booking.status != BookingStatus.CANCELLED)
    )


def visible_sessions_stmt(user: User):
    """A select of the sessions ``user`` may see: every session for a coordinator, those of
    their sites for a trainer; for an organisation contact, every session at the sites where
    the organisation is accepted and those its participants are booked on."""
    stmt = sa.select(ScheduledSession)
    if user.role is Role.COORDINATOR:
        return stmt
    if user.role is Role.TRAINER:
        return stmt.where(ScheduledSession.site_id.in_(site_ids_of_trainer(user)))
    return stmt.where(
        sa.or_(
            ScheduledSession.site_id.in_(accepted_site_ids(user.organisation_id)),
            ScheduledSession.id.in_(booked_session_ids(user.organisation_id)),
        )
    )


def get_session_or_404(user: User, session_id: int) -> ScheduledSession:
    """The session ``session_id`` if ``user`` may see it (``visible_sessions_stmt``), with its
    site, programme and module loaded; aborts with 404 otherwise."""
    sched = db.session.scalar(
        visible_sessions_stmt(user)
        .where(ScheduledSession.id == session_id)
        .options(joinedload(ScheduledSession.site).joinedload(Site.programme), joinedload(ScheduledSession.module))
    )
    if sched is None:
        abort(404)
    return sched


def can_manage(user: User, sched: ScheduledSession) -> bool:
    """Whether ``user`` may schedule, change and take attendance for ``sched``: coordinators
    always, trainers at their own sites."""
    if user.role is Role.COORDINATOR:
        return True
    return user.role is Role.TRAINER and any(s.id == sched.site_id for s in user.sites)


def get_managed_session_or_404(user: User, session_id: int) -> ScheduledSession:
    """The session ``session_id`` if ``user`` may manage it (``can_manage``); aborts with 404
    otherwise, also when the user may only see it."""
    sched = get_session_or_404(user, session_id)
    if not can_manage(user, sched):
        abort(404)
    return sched


def get_public_session_or_404(session_id: int) -> ScheduledSession:
    """The session ``session_id`` if it is public (for anyone, signed in or not; past and
    cancelled ones too), with its site and programme loaded; aborts with 404 otherwise."""
    sched = db.session.scalar(
        sa.select(ScheduledSession)
        .where(ScheduledSession.id == session_id, ScheduledSession.is_public.is_(True))
        .options(joinedload(ScheduledSession.site).joinedload(Site.programme))
    )
    if sched is None:
        abort(404)
    return sched


# --- lists and calendars ----------------------------------------------------------------------------


@dataclass
class Period:
    """What a schedule page shows: a list from a day on, a month or a week."""

    view: str  # "list", "month" or "week"
    anchor: date
    start: date
    end: date  # exclusive

    @property
    def previous(self) -> date:
        """The date to show the period before this one: the previous month's first day, the
        previous week's Monday, or four weeks earlier for a list."""
        if self.view == "month":
            return (self.start - timedelta(days=1)).replace(day=1)
        if self.view == "week":
            return self.start - timedelta(days=7)
        return self.start - timedelta(days=28)

    @property
    def next(self) -> date:
        """The date to show the period after this one (the day after it ends)."""
        if self.view == "month":
            return self.end
        if self.view == "week":
            return self.start + timedelta(days=7)
        return self.end


def period_for(view: str, anchor: date) -> Period:
    """The period a schedule page shows for ``anchor`` (a date in the schedule's time zone):
    its month for ``"month"``, its week from Monday for ``"week"``, and otherwise a list of the
    eight weeks from that day."""
    if view == "month":
        start = anchor.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return Period("month", anchor, start, end)
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return Period("week", anchor, start, start + timedelta(days=7))
    return Period("list", anchor, anchor, anchor + timedelta(days=56))


def sessions_between(stmt, start: date, end: date, tz: str = "UTC") -> list[ScheduledSession]:
    """Sessions of ``stmt`` starting between two dates in the zone ``tz`` (``end``
    exclusive), padded by a day on each side so that sites in other zones are not missed
    (``in_local_range`` trims them), by start; with site, module and trainers loaded in a
    fixed number of queries."""
    return db.session.scalars(
        stmt.where(
            ScheduledSession.starts_at >= to_utc(start - timedelta(days=1), datetime.min.time(), tz),
            ScheduledSession.starts_at < to_utc(end + timedelta(days=1), datetime.min.time(), tz),
        )
        .options(
            joinedload(ScheduledSession.site),
            joinedload(ScheduledSession.module),
            selectinload(ScheduledSession.trainers),
        )
        .order_by(ScheduledSession.starts_at, ScheduledSession.id)
    ).all()


def in_local_range(sessions, start: date, end: date) -> list[ScheduledSession]:
    """Those of ``sessions`` that start from the date ``start`` up to ``end`` (exclusive),
    each date read in the session's own site's zone."""
    return [s for s in sessions if start <= to_local(s.starts_at, s.site.timezone).date() < end]


def booking_counts(session_ids: list[int]) -> dict[int, dict[BookingStatus, int]]:
    """Bookings per session and status, ``{session_id: {BookingStatus: count}}``, in one
    aggregate query; a session or status without bookings is absent (sessions read as ``{}``
    from the ``defaultdict``)."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        sa.select(Booking.session_id, Booking.status, sa.func.count())
        .where(Booking.session_id.in_(session_ids))
        .group_by(Booking.session_id, Booking.status)
    ).all()
    counts: dict[int, dict[BookingStatus, int]] = defaultdict(dict)
    for session_id, status, count in rows:
        counts[session_id][status] = count
    return counts


def month_grid(period: Period) -> list[list[date]]:
    """The weeks (Monday first) covering the month of ``period``."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(period.start.year, period.start.month)
    return weeks


def by_local_day(sessions) -> dict[date, list[ScheduledSession]]:
    """``sessions`` grouped by the date they start on in their site's zone, in the order
    given (a ``defaultdict``: a day without sessions reads as ``[]``)."""
    days: dict[date, list[ScheduledSession]] = defaultdict(list)
    for s in sessions:
        days[to_local(s.starts_at, s.site.timezone).date()].append(s)
    return days


def upcoming_public_sessions(limit: int = 100) -> list[ScheduledSession]:
    """Public sessions that are not cancelled and have not ended, soonest first, at most
    ``limit``; with site, programme and speakers loaded. For anyone (no user scope)."""
    return db.session.scalars(
        sa.select(ScheduledSession)
        .where(
            ScheduledSession.is_public.is_(True),
            ScheduledSession.ends_at >= utcnow(),
            ScheduledSession.status != SessionStatus.CANCELLED,
        )
        .options(joinedload(ScheduledSession.site).joinedload(Site.programme), selectinload(ScheduledSession.speakers))
        .order_by(ScheduledSession.starts_at)
        .limit(limit)
    ).all()


def upcoming_for(user: User, limit: int = 8) -> list[ScheduledSession]:
    """The sessions ``user`` may see that are not cancelled and have not ended, soonest
    first, at most ``limit``; with their sites loaded."""
    return db.session.scalars(
        visible_sessions_stmt(user)
        .where(ScheduledSession.ends_at >= utcnow(), ScheduledSession.status != SessionStatus.CANCELLED)
        .options(joinedload(ScheduledSession.site))
        .order_by(ScheduledSession.starts_at)
        .limit(limit)
    ).all()


def organisation_sessions_stmt(organisation: Organisation):
    """A select of the sessions an organisation's people are expected at (course sessions of
    the sites where it is accepted) or booked on (confirmed or waiting)."""
    return sa.select(ScheduledSession).where(
        sa.or_(
            sa.and_(
                ScheduledSession.kind == SessionKind.COURSE,
                ScheduledSession.site_id.in_(accepted_site_ids(organisation.id)),
            ),
            ScheduledSession.id.in_(booked_session_ids(organisation.id)),
        )
    )


def open_for_booking(organisation: Organisation) -> list[ScheduledSession]:
    """Sessions the organisation may still book: sessions taking bookings at the sites where
    it is accepted, tentative or confirmed, not ended, and on which none of its participants
    is booked yet; soonest first, with their sites loaded."""
    return db.session.scalars(
        sa.select(ScheduledSession)
        .where(
            ScheduledSession.site_id.in_(accepted_site_ids(organisation.id)),
            ScheduledSession.kind != SessionKind.COURSE,
            ScheduledSession.ends_at >= utcnow(),
            ScheduledSession.status.in_([SessionStatus.TENTATIVE, SessionStatus.CONFIRMED]),
            ~ScheduledSession.id.in_(booked_session_ids(organisation.id)),
        )
        .options(joinedload(ScheduledSession.site))
        .order_by(ScheduledSession.starts_at)
    ).all()


# --- a session's people ------------------------------------------------------------------------


@dataclass
class RosterRow:
    """One line of a session's roster: the participant, and their mark, notice of absence and
    booking (each ``None`` when there is none)."""

    participant: Participant
    attendance: Attendance | None
    notice: AbsenceNotice | None
    booking: Booking | None


def roster_ids_stmt(sched: ScheduledSession):
    """A select of the ids of the participants on a session's roster: everyone expected (the
    site's accepted organisations' participants for a course session, confirmed bookings
    otherwise) plus anyone already marked. The one definition of the roster, for the list a
    trainer marks and for the service that saves it."""
    if sched.kind.takes_bookings:
        expected = sa.select(Booking.participant_id).where(
            Booking.session_id == sched.id, Booking.status == BookingStatus.CONFIRMED
        )
    else:
        expected = (
            sa.select(Participant.id)
            .join(Enrolment, Enrolment.organisation_id == Participant.organisation_id)
            .where(Enrolment.site_id == sched.site_id, Enrolment.status == EnrolmentStatus.ACCEPTED)
        )
    marked = sa.select(Attendance.participant_id).where(Attendance.session_id == sched.id)
    return sa.select(Participant.id).where(sa.or_(Participant.id.in_(expected), Participant.id.in_(marked)))


def roster(sched: ScheduledSession) -> list[RosterRow]:
    """The participants on a session's roster (``roster_ids_stmt``), by name, each with their
    mark, notice and booking; four queries (five for a session that takes bookings)."""
    participants = db.session.scalars(
        sa.select(Participant)
        .where(Participant.id.in_(roster_ids_stmt(sched)))
        .options(joinedload(Participant.organisation))
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .order_by(Participant.name, Organisation.name_key, Participant.id)
    ).all()
    marks = {
        a.participant_id: a
        for a in db.session.scalars(
            sa.select(Attendance)
            .where(Attendance.session_id == sched.id)
            .options(selectinload(Attendance.changes), joinedload(Attendance.marked_by))
        )
    }
    notices = {
        n.participant_id: n
        for n in db.session.scalars(sa.select(AbsenceNotice).where(AbsenceNotice.session_id == sched.id))
    }
    bookings = {}
    if sched.kind.takes_bookings:
        bookings = {
            b.participant_id: b for b in db.session.scalars(sa.select(Booking).where(Booking.session_id == sched.id))
        }
    return [RosterRow(p, marks.get(p.id), notices.get(p.id), bookings.get(p.id)) for p in participants]


def bookings_of(sched: ScheduledSession, organisation: Organisation | None = None) -> list[Booking]:
    """The session's bookings that are not cancelled (only those of ``organisation``'s
    participants when it is given): confirmed first, then the waiting list, each in the order
    booked; with participants and their organisations loaded."""
    stmt = (
        sa.select(Booking)
        .where(Booking.session_id == sched.id, Booking.status != BookingStatus.CANCELLED)
        .options(joinedload(Booking.participant).joinedload(Participant.organisation))
        .order_by(Booking.status, Booking.created_at, Booking.id)
    )
    if organisation is not None:
        stmt = stmt.join(Participant, Participant.id == Booking.participant_id).where(
            Participant.organisation_id == organisation.id
        )
    return db.session.scalars(stmt).unique().all()


def notices_of(sched: ScheduledSession, organisation: Organisation | None = None) -> list[AbsenceNotice]:
    """The session's notices of absence (only those of ``organisation``'s participants when
    it is given), oldest first, with the participants loaded."""
    stmt = (
        sa.select(AbsenceNotice)
        .where(AbsenceNotice.session_id == sched.id)
        .options(joinedload(AbsenceNotice.participant))
        .order_by(AbsenceNotice.created_at)
    )
    if organisation is not None:
        stmt = stmt.join(Participant, Participant.id == AbsenceNotice.participant_id).where(
            Participant.organisation_id == organisation.id
        )
    return db.session.scalars(stmt).unique().all()


def sites_for_scheduling(user: User) -> list[Site]:
    """The sites ``user`` may schedule at: every site for a coordinator, their own for a
    trainer, none for anyone else; by programme name and city, with the programme loaded."""
    stmt = (
        sa.select(Site)
        .join(Site.programme)
        .options(joinedload(Site.programme))
        .order_by(Programme.name_key, Site.city_key)
    )
    if user.role is Role.TRAINER:
        stmt = stmt.where(Site.id.in_(site_ids_of_trainer(user)))
    elif user.role is not Role.COORDINATOR:
        return []
    return db.session.scalars(stmt).all()


# --- workshops of pairings -----------------------------------------------------------------------


@dataclass
class WorkshopTally:
    """A pairing's skill-transfer workshops: planned (not cancelled), held, and whom the held
    ones reached (headcounts, with newcomers and long-time residents where recorded)."""

    planned: int = 0
    held: int = 0
    people_reached: int = 0
    newcomers: int = 0
    residents: int = 0


def workshop_tallies(pairing_ids: list[int]) -> dict[int, WorkshopTally]:
    """``WorkshopTally`` per pairing id, in one aggregate query; pairings without a workshop
    get an empty tally."""
    result: dict[int, WorkshopTally] = defaultdict(WorkshopTally)
    if not pairing_ids:
        return result
    held = ScheduledSession.status == SessionStatus.HELD
    for pairing_id, planned, done, reached, newcomers, residents in db.session.execute(
        sa.select(
            ScheduledSession.pairing_id,
            sa.func.count(),
            sa.func.sum(sa.case((held, 1), else_=0)),
            sa.func.coalesce(sa.func.sum(sa.case((held, ScheduledSession.headcount_total), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((held, ScheduledSession.headcount_newcomers), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((held, ScheduledSession.headcount_residents), else_=0)), 0),
        )
        .where(
            ScheduledSession.pairing_id.in_(pairing_ids),
            ScheduledSession.kind == SessionKind.WORKSHOP,
            ScheduledSession.status != SessionStatus.CANCELLED,
        )
        .group_by(ScheduledSession.pairing_id)
    ):
        result[pairing_id] = WorkshopTally(
            planned, int(done or 0), int(reached or 0), int(newcomers or 0), int(residents or 0)
        )
    return result


def workshops_of_pairing(pairing_id: int) -> list[ScheduledSession]:
    """Every workshop session of the pairing ``pairing_id`` (cancelled ones too), with its
    site, in order of start."""
    return db.session.scalars(
        sa.select(ScheduledSession)
        .where(ScheduledSession.pairing_id == pairing_id)
        .options(joinedload(ScheduledSession.site))
        .order_by(ScheduledSession.starts_at)
    ).all()

"""Writes for attendance: saving a room's marks in one go, walk-ins, self check-in, and the
warnings that follow a save."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from oep.accounts import services as accounts
from oep.accounts.models import User
from oep.attendance import checkin, completion
from oep.attendance.models import (
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    MarkSource,
    WarningKind,
    WarningNotice,
)
from oep.core.db import utcnow
from oep.core.errors import Conflict, InvalidInput
from oep.core.mail import send_template
from oep.organisations import services as organisations
from oep.organisations.models import Enrolment, EnrolmentStatus, Organisation, Participant
from oep.programmes.models import site_trainers
from oep.scheduling.models import Booking, BookingStatus, ScheduledSession, SessionKind, SessionStatus
from oep.scheduling.queries import roster_ids_stmt
from oep.scheduling.services import is_expected

log = logging.getLogger(__name__)

#: How long before a session's start its attendance list may be filled in.
MARKING_OPENS_BEFORE = timedelta(hours=12)
#: The longest remark on a mark, in characters.
REMARK_LIMIT = 500


@dataclass
class Mark:
    """One row of a room's list: a participant, the status to record (``None``: leave them
    unmarked, or keep their mark and change only the remark), and a remark."""

    participant_id: int
    status: AttendanceStatus | None
    remark: str = ""


@dataclass
class SaveResult:
    """What a save did: how many marks it created, changed and left as they were (rows left
    unmarked are not counted)."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0


def _check_markable(sched: ScheduledSession) -> None:
    if sched.is_cancelled:
        raise Conflict(_("This session is cancelled; there is no attendance to take."))
    if sched.starts_at - MARKING_OPENS_BEFORE > utcnow():
        # A trainer may prepare the list on the day; a future session's absences are notices.
        raise Conflict(_("Attendance is taken on the day of the session, not before."))


def _set_mark(
    session: Session,
    sched: ScheduledSession,
    existing: Attendance | None,
    participant_id: int,
    status: AttendanceStatus,
    remark: str,
    source: MarkSource,
    by: User | None,
) -> tuple[Attendance, bool]:
    """Create or change one mark and keep the change in its history. Returns (mark, changed)."""
    remark = (remark or "").strip()
    now = utcnow()
    if existing is None:
        mark = Attendance(
            session_id=sched.id,
            participant_id=participant_id,
            status=status,
            remark=remark,
            source=source,
            marked_by_id=by.id if by else None,
            marked_at=now,
        )
        session.add(mark)
        session.flush()
        session.add(
            AttendanceChange(
                attendance_id=mark.id,
                old_status=None,
                new_status=status,
                old_remark="",
                new_remark=remark,
                source=source,
                changed_by_id=by.id if by else None,
                changed_at=now,
            )
        )
        return mark, True
    if existing.status is status and existing.remark == remark:
        return existing, False
    session.add(
        AttendanceChange(
            attendance_id=existing.id,
            old_status=existing.status,
            new_status=status,
            old_remark=existing.remark,
            new_remark=remark,
            source=source,
            changed_by_id=by.id if by else None,
            changed_at=now,
        )
    )
    existing.status, existing.remark, existing.source = status, remark, source
    existing.marked_by_id, existing.marked_at = (by.id if by else None), now
    return existing, True


def _check_on_roster(session: Session, sched: ScheduledSession, participant_ids: set[int]) -> None:
    if not participant_ids:
        return
    on_roster = set(
        session.scalars(
            sa.select(Participant.id).where(
                Participant.id.in_(participant_ids), Participant.id.in_(roster_ids_stmt(sched))
            )
        )
    )
    if participant_ids - on_roster:
        raise InvalidInput(_("Some people on the list are not on this session's roster. Reload the page."))


def save_marks(
    session: Session,
    sched: ScheduledSession,
    marks: list[Mark],
    by: User,
    *,
    mark_unmarked_present: bool = False,
) -> SaveResult:
    """Save a whole room's marks at once: every change recorded with who and when. Returns
    the counts of marks created, changed and unchanged.

    Rows left without a status stay unmarked — or become "present" with
    ``mark_unmarked_present``. Saving
    attendance for a tentative or confirmed session that has started marks it held; after a
    held course session, the warnings of the participants on the list are evaluated (and
    mailed, see ``evaluate_warnings``).

    Raises ``Conflict`` for a cancelled session or more than ``MARKING_OPENS_BEFORE`` before
    its start, and ``InvalidInput`` for a participant who is not on the session's roster
    (``scheduling.queries.roster_ids_stmt``) or a remark over ``REMARK_LIMIT`` characters
    (field ``remark-<participant id>``, as the attendance page names it).
    """
    _check_markable(sched)
    _check_on_roster(session, sched, {m.participant_id for m in marks})
    for mark in marks:
        if len((mark.remark or "").strip()) > REMARK_LIMIT:
            raise InvalidInput(
                _("A remark has at most %(n)d characters.", n=REMARK_LIMIT), field=f"remark-{mark.participant_id}"
            )
    existing = {
        a.participant_id: a for a in session.scalars(sa.select(Attendance).where(Attendance.session_id == sched.id))
    }
    result = SaveResult()
    for mark in marks:
        status = mark.status
        current = existing.get(mark.participant_id)
        if status is None:
            if current is not None:
                status = current.status  # a remark may still change
            elif mark_unmarked_present:
                status = AttendanceStatus.PRESENT
            else:
                continue
        _attendance, changed = _set_mark(
            session, sched, current, mark.participant_id, status, mark.remark, MarkSource.TRAINER, by
        )
        if current is None:
            result.created += 1
        elif changed:
            result.changed += 1
        else:
            result.unchanged += 1
    if sched.starts_at <= utcnow() and sched.status in (SessionStatus.TENTATIVE, SessionStatus.CONFIRMED):
        sched.status = SessionStatus.HELD
        sched.sequence += 1
    session.flush()
    if sched.kind is SessionKind.COURSE and sched.status is SessionStatus.HELD:
        evaluate_warnings(session, sched, [m.participant_id for m in marks])
    return result


@dataclass
class WalkIn:
    """Someone who came without being on the list, as the trainer enters them: their name, the
    organisation they come with (``None``: not chosen), whether they agree to be recorded
    (the trainer asks them on the spot), and the status to mark."""

    name: str
    organisation_id: int | None
    consent: bool
    status: AttendanceStatus = AttendanceStatus.PRESENT


def add_walk_in(session: Session, sched: ScheduledSession, walk_in: WalkIn, by: User) -> Participant:
    """Add a walk-in as a participant of an organisation accepted at the site (in the
    session's language, with their consent recorded now), book them when the session takes
    bookings, and mark them. Returns the new participant.

    Raises ``InvalidInput`` when no organisation is chosen or it is not accepted at the site
    (field ``walk_in_organisation``), without the person's consent (``walk_in_consent``), or
    for an empty name (``walk_in_name``); ``Conflict`` when attendance cannot be taken (see
    ``save_marks``) or the organisation already has a participant of that name (``name``).
    """
    organisation = session.get(Organisation, walk_in.organisation_id) if walk_in.organisation_id else None
    if organisation is None:
        raise InvalidInput(_("Choose the walk-in's organisation."), field="walk_in_organisation")
    if not walk_in.consent:
        raise InvalidInput(_("Confirm that the person agrees to be recorded."), field="walk_in_consent")
    _check_markable(sched)
    if not session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.organisation_id == organisation.id,
            Enrolment.site_id == sched.site_id,
            Enrolment.status == EnrolmentStatus.ACCEPTED,
        )
    ):
        raise InvalidInput(_("Choose an organisation accepted at this site."), field="walk_in_organisation")
    if not (walk_in.name or "").strip():
        raise InvalidInput(_("Enter the person's name."), field="walk_in_name")
    participant = organisations.add_participant(
        session,
        organisation,
        organisations.ParticipantData(name=walk_in.name, preferred_language=sched.language, consent=walk_in.consent),
    )
    if sched.kind.takes_bookings:
        session.add(
            Booking(
                session_id=sched.id, participant_id=participant.id, status=BookingStatus.CONFIRMED, booked_by_id=by.id
            )
        )
    _set_mark(session, sched, None, participant.id, walk_in.status, "", MarkSource.TRAINER, by)
    session.flush()
    return participant


# --- self check-in --------------------------------------------------------------------------------


@dataclass
class CheckInResult:
    """What a self check-in did: the participant, their status, whether they had checked in
    already (nothing changed then), and when they were marked (UTC)."""

    participant: Participant
    status: AttendanceStatus
    already: bool
    marked_at: datetime


def self_check_in(
    session: Session, sched: ScheduledSession, participant: Participant, code: str, now: datetime | None = None
) -> CheckInResult:
    """A participant marks themselves present (or late after the programme's grace period)
    with the code shown in the room; ``now`` is a UTC datetime (default: now). Scanning twice
    changes nothing, and an "excused" or "absent" mark becomes present or late.

    Raises ``Conflict`` with the reason for a cancelled session, outside the check-in window
    (from ``checkin_opens_minutes`` before the start to the end), for a code that is neither
    the current one nor the one before, and for someone not expected (see
    ``scheduling.services.is_expected``).
    """
    now = now or utcnow()
    programme = sched.site.programme
    checkin.ensure_open(sched, programme, now)
    if not checkin.verify(sched, programme, code, now):
        raise Conflict(_("This code has expired or is wrong. Scan the code shown in the room again."))

    if not is_expected(session, sched, participant):
        raise Conflict(_("%(name)s is not on this session's list. Please ask the trainer.", name=participant.name))
    existing = session.scalar(
        sa.select(Attendance).where(Attendance.session_id == sched.id, Attendance.participant_id == participant.id)
    )
    if existing is not None and existing.status.attended:
        return CheckInResult(participant, existing.status, True, existing.marked_at)
    status = checkin.status_at(sched, programme, now)
    mark, _changed = _set_mark(
        session,
        sched,
        existing,
        participant.id,
        status,
        existing.remark if existing else "",
        MarkSource.SELF_CHECKIN,
        None,
    )
    session.flush()
    return CheckInResult(participant, mark.status, False, mark.marked_at)


# --- warnings ------------------------------------------------------------------------------------


def evaluate_warnings(session: Session, sched: ScheduledSession, participant_ids: list[int]) -> list[WarningNotice]:
    """Raise (and mail, once per trigger) the warnings for these participants after a held
    course session, from the programme's settings: an attendance rate (attended share of the
    hours held) below ``completion_min_attendance_percent`` once ``warning_min_held_sessions``
    course sessions are held, and ``warning_consecutive_absences`` absences in a row. An open
    warning whose cause remains gets the new figure; one whose cause went away is resolved.

    Returns the warnings newly raised; each is mailed to the organisation's active contacts
    and the site's active trainers.
    """
    if not participant_ids:
        return []
    programme = sched.site.programme
    progress = completion.progress_for_participants(session, sched.site, participant_ids)
    runs = completion.absence_runs(session, sched.site, participant_ids)
    open_warnings = {
        (w.participant_id, w.kind): w
        for w in session.scalars(
            sa.select(WarningNotice).where(
                WarningNotice.participant_id.in_(participant_ids), WarningNotice.resolved_at.is_(None)
            )
        )
    }
    raised = []
    now = utcnow()
    for pid in participant_ids:
        p = progress.get(pid)
        if p is None:
            continue
        low = (
            p.held_sessions >= programme.warning_min_held_sessions
            and p.attendance_rate is not None
            and p.attendance_rate * 100 < programme.completion_min_attendance_percent
        )
        run = runs.get(pid, 0)
        for kind, active, detail in (
            (WarningKind.LOW_ATTENDANCE, low, f"{round((p.attendance_rate or 0) * 100)}%"),
            (WarningKind.CONSECUTIVE_ABSENCES, run >= programme.warning_consecutive_absences, str(run)),
        ):
            current = open_warnings.get((pid, kind))
            if active and current is None:
                warning = WarningNotice(participant_id=pid, kind=kind, trigger=f"session-{sched.id}", detail=detail)
                session.add(warning)
                raised.append(warning)
            elif active and current is not None:
                current.detail = detail
            elif not active and current is not None:
                current.resolved_at = now
    session.flush()
    for warning in raised:
        _mail_warning(session, sched, warning)
    return raised


def _mail_warning(session: Session, sched: ScheduledSession, warning: WarningNotice) -> None:
    participant = warning.participant
    trainers = session.scalars(
        sa.select(User).where(
            User.id.in_(sa.select(site_trainers.c.user_id).where(site_trainers.c.site_id == sched.site_id)),
            User.is_active.is_(True),
        )
    ).all()
    recipients = [c for c in participant.organisation.contacts if c.is_active] + list(trainers)
    programme = sched.site.programme
    for user in recipients:
        send_template(
            session,
            user.email,
            "attendance_warning",
            locale=user.locale,
            user=user,
            warning=warning,
            participant=participant,
            programme=programme,
            link=accounts.external_url(
                "attendance.participant", org_id=participant.organisation_id, participant_id=participant.id
            ),
        )

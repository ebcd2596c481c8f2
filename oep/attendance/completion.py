"""Who completes the programme: attended course hours against planned hours, and mandatory
modules attended — computed with aggregate queries, never a loop over attendance rows.

The rule is the programme's: at least ``completion_min_attendance_percent`` of the planned
course hours of the participant's site, and (if required) at least one attended session of
every mandatory module. "Present" and "late" count a session's full hours, "left early"
``left_early_credit_percent`` of them; excused and absent count nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from oep.attendance.models import Attendance, AttendanceStatus
from oep.organisations.models import Enrolment, EnrolmentStatus, Participant
from oep.programmes.models import Module, Programme, Site
from oep.scheduling.models import ScheduledSession, SessionKind, SessionStatus

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)


@dataclass
class SiteTotals:
    planned_minutes: int = 0
    held_minutes: int = 0
    held_sessions: int = 0


@dataclass
class Progress:
    participant_id: int
    programme: Programme
    totals: SiteTotals
    attended_minutes: float = 0.0
    marked_sessions: int = 0
    present: int = 0
    late: int = 0
    left_early: int = 0
    excused: int = 0
    absent: int = 0
    mandatory_attended: set[int] = field(default_factory=set)
    mandatory_modules: list[int] = field(default_factory=list)

    @property
    def attended_hours(self) -> float:
        return round(self.attended_minutes / 60, 2)

    @property
    def planned_hours(self) -> float:
        return round(self.totals.planned_minutes / 60, 2)

    @property
    def held_sessions(self) -> int:
        return self.totals.held_sessions

    @property
    def attendance_rate(self) -> float | None:
        """Attended share of the hours held so far (None before anything is held)."""
        if not self.totals.held_minutes:
            return None
        return self.attended_minutes / self.totals.held_minutes

    @property
    def share_of_planned(self) -> float:
        if not self.totals.planned_minutes:
            return 0.0
        return self.attended_minutes / self.totals.planned_minutes

    @property
    def missing_mandatory(self) -> list[int]:
        return [m for m in self.mandatory_modules if m not in self.mandatory_attended]

    @property
    def meets_hours(self) -> bool:
        return (
            bool(self.totals.planned_minutes)
            and self.share_of_planned * 100 >= self.programme.completion_min_attendance_percent - 1e-9
        )

    @property
    def complete(self) -> bool:
        modules_ok = not self.programme.completion_requires_mandatory_modules or not self.missing_mandatory
        return self.meets_hours and modules_ok

    @property
    def attended_any(self) -> bool:
        return self.attended_minutes > 0


def site_totals(session: Session, site: Site) -> SiteTotals:
    course = sa.and_(ScheduledSession.site_id == site.id, ScheduledSession.kind == SessionKind.COURSE)
    held = ScheduledSession.status == SessionStatus.HELD
    row = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(ScheduledSession.duration_minutes), 0),
            sa.func.coalesce(sa.func.sum(sa.case((held, ScheduledSession.duration_minutes), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((held, 1), else_=0)), 0),
        ).where(course, ScheduledSession.status != SessionStatus.CANCELLED)
    ).one()
    return SiteTotals(planned_minutes=int(row[0]), held_minutes=int(row[1]), held_sessions=int(row[2]))


def _credit_expression(programme: Programme):
    credit = programme.left_early_credit_percent / 100
    return sa.case(
        (Attendance.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]), ScheduledSession.duration_minutes),
        (Attendance.status == AttendanceStatus.LEFT_EARLY, ScheduledSession.duration_minutes * credit),
        else_=0,
    )


def progress_for_participants(session: Session, site: Site, participant_ids) -> dict[int, Progress]:
    """Progress of the given participants at a site: four queries.

    ``participant_ids`` is a list of ids, or a select of them (the whole roster). For a select,
    the attendance is read by the site's sessions and matched afterwards: the database then
    walks the sessions' index instead of probing every participant's marks.
    """
    listed = isinstance(participant_ids, (list, tuple, set))
    programme = site.programme
    totals = site_totals(session, site)
    counted = sa.and_(
        ScheduledSession.site_id == site.id,
        ScheduledSession.kind == SessionKind.COURSE,
        ScheduledSession.status != SessionStatus.CANCELLED,
    )

    def count(status):
        return sa.func.sum(sa.case((Attendance.status == status, 1), else_=0))

    rows = session.execute(
        sa.select(
            Attendance.participant_id,
            sa.func.sum(_credit_expression(programme)),
            sa.func.count(),
            count(AttendanceStatus.PRESENT),
            count(AttendanceStatus.LATE),
            count(AttendanceStatus.LEFT_EARLY),
            count(AttendanceStatus.EXCUSED),
            count(AttendanceStatus.ABSENT),
        )
        .join(ScheduledSession, ScheduledSession.id == Attendance.session_id)
        .where(counted, *([Attendance.participant_id.in_(participant_ids)] if listed else []))
        .group_by(Attendance.participant_id)
    ).all()
    mandatory = session.scalars(
        sa.select(Module.id)
        .where(Module.programme_id == programme.id, Module.mandatory.is_(True))
        .order_by(Module.position)
    ).all()
    done_rows = session.execute(
        sa.select(Attendance.participant_id, ScheduledSession.module_id)
        .join(ScheduledSession, ScheduledSession.id == Attendance.session_id)
        .join(Module, Module.id == ScheduledSession.module_id)
        .where(
            counted,
            Module.mandatory.is_(True),
            Attendance.status.in_(ATTENDED),
            *([Attendance.participant_id.in_(participant_ids)] if listed else []),
        )
        .distinct()
    ).all()
    ids = participant_ids if listed else session.scalars(participant_ids).all()
    result = {pid: Progress(pid, programme, totals, mandatory_modules=list(mandatory)) for pid in ids}
    for pid, minutes, marked, present, late, left_early, excused, absent in rows:
        p = result.get(pid)
        if p is None:  # marked at the site, but no longer on its roster
            continue
        p.attended_minutes = float(minutes or 0)
        p.marked_sessions, p.present, p.late, p.left_early, p.excused, p.absent = (
            marked,
            present or 0,
            late or 0,
            left_early or 0,
            excused or 0,
            absent or 0,
        )
    for pid, module_id in done_rows:
        if pid in result:
            result[pid].mandatory_attended.add(module_id)
    return result


def roster_ids_of_site(site: Site):
    """A select of the ids of every participant of the site's accepted organisations."""
    return (
        sa.select(Participant.id)
        .join(Enrolment, Enrolment.organisation_id == Participant.organisation_id)
        .where(Enrolment.site_id == site.id, Enrolment.status == EnrolmentStatus.ACCEPTED)
    )


def absence_runs(session: Session, site: Site, participant_ids: list[int]) -> dict[int, int]:
    """For each participant, how many of the latest held course sessions in a row they missed
    (marked absent; an unmarked or any other mark ends the run)."""
    limit = max(site.programme.warning_consecutive_absences, 1)
    latest = session.scalars(
        sa.select(ScheduledSession.id)
        .where(
            ScheduledSession.site_id == site.id,
            ScheduledSession.kind == SessionKind.COURSE,
            ScheduledSession.status == SessionStatus.HELD,
        )
        .order_by(ScheduledSession.starts_at.desc())
        .limit(limit)
    ).all()
    if not latest:
        return {}
    marks = {
        (pid, sid): status
        for pid, sid, status in session.execute(
            sa.select(Attendance.participant_id, Attendance.session_id, Attendance.status).where(
                Attendance.session_id.in_(latest), Attendance.participant_id.in_(participant_ids)
            )
        )
    }
    runs = {}
    for pid in participant_ids:
        run = 0
        for sid in latest:
            if marks.get((pid, sid)) is AttendanceStatus.ABSENT:
                run += 1
            else:
                break
        runs[pid] = run
    return runs

"""Reads for attendance: who checked in, the open check-in sessions, and the reports per
site, organisation and participant — all with aggregate queries."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import segno
import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from oep.accounts.models import User
from oep.attendance import checkin, completion
from oep.attendance.models import Attendance, AttendanceStatus, WarningNotice
from oep.extensions import db
from oep.organisations.models import Enrolment, EnrolmentStatus, Organisation, Participant
from oep.organisations.queries import accepted_sites, visible_organisation_ids
from oep.programmes.models import Module, Programme, Site
from oep.scheduling.models import Booking, BookingStatus, ScheduledSession, SessionStatus
from oep.scheduling.queries import roster, visible_sessions_stmt


def accepted_organisations(site_id: int) -> list[Organisation]:
    """The organisations accepted at the site ``site_id``, by name. Not scoped: the caller
    has authorised the site."""
    return db.session.scalars(
        sa.select(Organisation)
        .join(Enrolment, Enrolment.organisation_id == Organisation.id)
        .where(Enrolment.site_id == site_id, Enrolment.status == EnrolmentStatus.ACCEPTED)
        .order_by(Organisation.name_key)
    ).all()


def checked_in_count(sched: ScheduledSession) -> int:
    """How many marks of the session count as attended (present, late or left early),
    however they were taken."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Attendance.session_id == sched.id,
            Attendance.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY]),
        )
    )


def expected_count(sched: ScheduledSession) -> int:
    """How many people are expected: confirmed bookings for a session that takes bookings,
    the participants of the site's accepted organisations for a course session."""
    if sched.kind.takes_bookings:
        return db.session.scalar(
            sa.select(sa.func.count()).where(Booking.session_id == sched.id, Booking.status == BookingStatus.CONFIRMED)
        )
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(completion.roster_ids_of_site(sched.site).subquery())
    )


def qr_svg(data: str) -> Markup:
    """A QR code of ``data`` (error correction M) as inline SVG markup."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title="QR")
    return Markup(out.getvalue().decode())


def session_for_code(code: str, now: datetime) -> ScheduledSession | None:
    """The session whose check-in is open at ``now`` (a UTC datetime) and whose current (or
    previous) code ``code`` is; ``None`` when there is none. For anyone: the code is the key."""
    longest_opening = db.session.scalar(sa.select(sa.func.max(Programme.checkin_opens_minutes))) or 0
    candidates = db.session.scalars(
        sa.select(ScheduledSession)
        .where(
            ScheduledSession.starts_at <= now + timedelta(minutes=longest_opening),
            ScheduledSession.ends_at >= now,
            ScheduledSession.status != SessionStatus.CANCELLED,
        )
        .options(joinedload(ScheduledSession.site).joinedload(Site.programme))
    ).all()
    for sched in candidates:
        programme = sched.site.programme
        if checkin.is_open(sched, programme, now) and checkin.verify(sched, programme, code, now):
            return sched
    return None


def roster_for_checkin(sched: ScheduledSession) -> list[Participant]:
    """The participants on the session's roster (``scheduling.queries.roster``), by name."""
    return [row.participant for row in roster(sched)]


# --- reports ------------------------------------------------------------------------------------------


@dataclass
class ParticipantLine:
    """A participant's line in an attendance report: their progress towards completion and
    their open warnings."""

    participant: Participant
    progress: completion.Progress
    warnings: list[WarningNotice] = field(default_factory=list)


@dataclass
class SessionLine:
    """A held session's line: how many marks it has of each status."""

    sched: ScheduledSession
    counts: dict[AttendanceStatus, int]

    @property
    def marked(self) -> int:
        """Marks of any status."""
        return sum(self.counts.values())

    @property
    def attended(self) -> int:
        """Marks that count as attended (present, late, left early)."""
        return sum(n for s, n in self.counts.items() if s.attended)

    @property
    def rate(self) -> float | None:
        """Attended marks as a share (0 to 1) of all marks; ``None`` without marks."""
        return self.attended / self.marked if self.marked else None


@dataclass
class ModuleLine:
    """A module's line: its held sessions at the site, their hours, and their marks (all,
    and attended)."""

    module: Module
    sessions_held: int
    hours_held: float
    marks: int
    attended: int

    @property
    def rate(self) -> float | None:
        """Attended marks as a share (0 to 1) of all marks; ``None`` without marks."""
        return self.attended / self.marks if self.marks else None


@dataclass
class OrganisationLine:
    """An organisation's line: its participants on the roster, how many of them complete,
    and the mean of their attendance rates (``None`` when none has one yet)."""

    organisation: Organisation
    participants: int
    complete: int
    rate: float | None


@dataclass
class SiteReport:
    """What the attendance overview of a site and its exports show (see ``site_report``)."""

    site: Site
    totals: completion.SiteTotals
    participants: list[ParticipantLine]
    sessions: list[SessionLine]
    modules: list[ModuleLine]
    organisations: list[OrganisationLine]

    @property
    def absentees(self) -> list[ParticipantLine]:
        """Who misses sessions: an open warning, or any absence, lowest attendance first."""
        lines = [p for p in self.participants if p.warnings or p.progress.absent]
        return sorted(lines, key=lambda p: (p.progress.attendance_rate or 0, p.participant.name))

    @property
    def attendance_rate(self) -> float | None:
        """Attended marks of all marks at the held course sessions (the report's figure)."""
        marks = sum(m.marks for m in self.modules)
        return sum(m.attended for m in self.modules) / marks if marks else None

    @property
    def complete_count(self) -> int:
        """How many participants meet the completion rule."""
        return sum(p.progress.complete for p in self.participants)

    @property
    def warning_count(self) -> int:
        """How many open warnings the participants have."""
        return sum(len(p.warnings) for p in self.participants)


def _status_counts(session_ids) -> dict[int, dict[AttendanceStatus, int]]:
    counts: dict[int, dict[AttendanceStatus, int]] = defaultdict(dict)
    for session_id, status, n in db.session.execute(
        sa.select(Attendance.session_id, Attendance.status, sa.func.count())
        .where(Attendance.session_id.in_(session_ids))
        .group_by(Attendance.session_id, Attendance.status)
    ):
        counts[session_id][status] = n
    return counts


def open_warnings(participant_ids) -> dict[int, list[WarningNotice]]:
    """The open warnings of the given participants (a list of ids or a select of them),
    ``{participant_id: [warning, ...]}`` oldest first (a ``defaultdict``)."""
    result: dict[int, list[WarningNotice]] = defaultdict(list)
    for warning in db.session.scalars(
        sa.select(WarningNotice)
        .where(WarningNotice.participant_id.in_(participant_ids), WarningNotice.resolved_at.is_(None))
        .order_by(WarningNotice.created_at)
    ):
        result[warning.participant_id].append(warning)
    return result


def site_report(site: Site) -> SiteReport:
    """Everything the attendance overview and its exports show for a site, in a fixed number
    of queries whatever the number of participants, sessions or marks."""
    roster_ids = completion.roster_ids_of_site(site)
    participants = db.session.scalars(
        sa.select(Participant)
        .where(Participant.id.in_(roster_ids))
        .options(joinedload(Participant.organisation))
        .order_by(Participant.name, Participant.id)
    ).all()
    progress = completion.progress_for_participants(db.session, site, roster_ids)
    warnings = open_warnings(roster_ids)
    lines = [
        ParticipantLine(
            p,
            progress.get(p.id) or completion.Progress(p.id, site.programme, completion.site_totals(db.session, site)),
            warnings.get(p.id, []),
        )
        for p in participants
    ]
    sessions = db.session.scalars(
        sa.select(ScheduledSession)
        .where(ScheduledSession.site_id == site.id, ScheduledSession.status == SessionStatus.HELD)
        .options(joinedload(ScheduledSession.module))
        .order_by(ScheduledSession.starts_at)
    ).all()
    counts = _status_counts([s.id for s in sessions])
    session_lines = [SessionLine(s, counts.get(s.id, {})) for s in sessions]

    modules = db.session.scalars(
        sa.select(Module).where(Module.programme_id == site.programme_id).order_by(Module.position, Module.id)
    ).all()
    module_lines = []
    for module in modules:
        held = [line for line in session_lines if line.sched.module_id == module.id]
        module_lines.append(
            ModuleLine(
                module=module,
                sessions_held=len(held),
                hours_held=sum(line.sched.hours for line in held),
                marks=sum(line.marked for line in held),
                attended=sum(line.attended for line in held),
            )
        )

    by_org: dict[int, list[ParticipantLine]] = defaultdict(list)
    for line in lines:
        by_org[line.participant.organisation_id].append(line)
    org_lines = []
    for organisation in accepted_organisations(site.id):
        people = by_org.get(organisation.id, [])
        rates = [p.progress.attendance_rate for p in people if p.progress.attendance_rate is not None]
        org_lines.append(
            OrganisationLine(
                organisation=organisation,
                participants=len(people),
                complete=sum(p.progress.complete for p in people),
                rate=sum(rates) / len(rates) if rates else None,
            )
        )
    return SiteReport(
        site=site,
        totals=completion.site_totals(db.session, site),
        participants=lines,
        sessions=session_lines,
        modules=module_lines,
        organisations=org_lines,
    )


@dataclass
class OrganisationReport:
    """An organisation's attendance: for each site it is accepted at, its participants' lines."""

    organisation: Organisation
    sites: list[tuple[Site, list[ParticipantLine]]]


def organisation_report(organisation: Organisation, user: User) -> OrganisationReport:
    """An organisation's participants' progress at each site it is accepted at (four
    queries per site). ``user`` is not used: the caller has authorised the organisation."""
    sites = accepted_sites(organisation.id)
    people = db.session.scalars(
        sa.select(Participant).where(Participant.organisation_id == organisation.id).order_by(Participant.name)
    ).all()
    ids = [p.id for p in people]
    warnings = open_warnings(ids)
    result = []
    for site in sites:
        progress = completion.progress_for_participants(db.session, site, ids)
        result.append((site, [ParticipantLine(p, progress[p.id], warnings.get(p.id, [])) for p in people]))
    return OrganisationReport(organisation, result)


@dataclass
class ParticipantRecord:
    """A participant's record: their marks with their history, their progress at each site
    their organisation is accepted at, and their open warnings."""

    marks: list[Attendance]
    progress: list[tuple[Site, completion.Progress]]
    warnings: list[WarningNotice]


def participant_record(person: Participant, user: User) -> ParticipantRecord:
    """``person``'s record as ``user`` may see it: their marks at the sessions the user may
    see, by start; their progress at every site their organisation is accepted at (not only
    the user's); and their open warnings."""
    marks = (
        db.session.scalars(
            sa.select(Attendance)
            .join(ScheduledSession, ScheduledSession.id == Attendance.session_id)
            .where(
                Attendance.participant_id == person.id,
                ScheduledSession.id.in_(visible_sessions_stmt(user).with_only_columns(ScheduledSession.id)),
            )
            .options(
                joinedload(Attendance.session).joinedload(ScheduledSession.site),
                joinedload(Attendance.session).joinedload(ScheduledSession.module),
                sa.orm.selectinload(Attendance.changes),
            )
            .order_by(ScheduledSession.starts_at)
        )
        .unique()
        .all()
    )
    sites = accepted_sites(person.organisation_id)
    progress = [
        (site, completion.progress_for_participants(db.session, site, [person.id])[person.id]) for site in sites
    ]
    return ParticipantRecord(marks, progress, open_warnings([person.id]).get(person.id, []))


def warnings_for(user: User, limit: int = 20) -> list[WarningNotice]:
    """Open warnings the user should see on their dashboard: those of the participants of
    the organisations the user may see, newest first, at most ``limit``."""
    return db.session.scalars(
        sa.select(WarningNotice)
        .join(Participant, Participant.id == WarningNotice.participant_id)
        .where(WarningNotice.resolved_at.is_(None), Participant.organisation_id.in_(visible_organisation_ids(user)))
        .options(joinedload(WarningNotice.participant).joinedload(Participant.organisation))
        .order_by(WarningNotice.created_at.desc())
        .limit(limit)
    ).all()

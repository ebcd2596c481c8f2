"""What the OEP report says, computed with aggregate queries and handed over as plain data.

``build`` reads a programme (every site, consolidated) or one site, for a period, and returns
a ``Report``: figures, tables and narratives, with every label already in the report's
language. Nothing in it is an ORM object, so it can be rendered as HTML, PDF, XLSX or CSV
anywhere. The queries group in the database (by session, site, module, type, competence):
no loop in Python ever walks attendance marks, whatever the size of the programme.

What is counted:

- Organisations and participants: the site's accepted organisations as on the day the report
  is made. Completion is each participant's standing on that day (the programme's rule).
- Sessions, hours, attendance, workshops and their reach, feedback: sessions that *start* in
  the period (in the site's own time zone) — attendance counts marks at held course sessions
  ("present", "late" and "left early" count as attended).
- Certificates: valid certificates issued in the period. Pairings: confirmed pairings (active
  or completed) confirmed by the end of the period, with their project ideas.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session, aliased, selectinload

from oep.attendance import completion
from oep.attendance.models import Attendance, AttendanceStatus
from oep.certificates.models import Certificate, CertificateKind, CertificateStatus
from oep.core import markdown
from oep.core.i18n import isolate
from oep.core.tables import Table
from oep.core.templating import cell
from oep.core.timezones import to_local, to_utc
from oep.feedback.models import QUESTION_SHORT, QUESTIONS, AssessmentPhase, SelfAssessment, SessionFeedback
from oep.organisations.models import (
    Competence,
    CompetenceDirection,
    Enrolment,
    EnrolmentStatus,
    Organisation,
    OrganisationCompetence,
    OrganisationType,
    Participant,
)
from oep.pairings import queries as pairing_queries
from oep.pairings.models import Pairing, PairingMember, PairingStatus
from oep.programmes.models import CommitteeMember, Module, Programme, Site
from oep.programmes.queries import committee_check
from oep.reports.models import Narrative, NarrativeSection
from oep.scheduling.models import ScheduledSession, SessionKind, SessionStatus

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
#: Attendance is said to fall when the last weeks' rate is this much below the weeks before.
FALL_WEEKS = 3
FALL_POINTS = 0.10
COMMENTS_PER_SITE = 6


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """The period in UTC for a site's time zone: [start 00:00, day after end 00:00)."""
        return to_utc(self.start, time(0), tz), to_utc(self.end + timedelta(days=1), time(0), tz)


@dataclass
class Figure:
    key: str
    label: str
    value: float | int | None
    kind: str = "int"  # "int", "number" or "percent" (a fraction)
    detail: str = ""


@dataclass
class Totals:
    """Counts that add up from sites to the programme."""

    organisations: int = 0
    participants: int = 0
    complete: int = 0
    course_sessions_held: int = 0
    course_minutes_held: int = 0
    other_sessions_held: int = 0
    marks: int = 0
    attended: int = 0
    certificates_completion: int = 0
    certificates_participation: int = 0
    pairings: int = 0
    workshops: int = 0
    events: int = 0
    reached: int = 0
    newcomers: int = 0
    residents: int = 0
    project_ideas: int = 0
    feedback_answers: int = 0
    feedback_points: int = 0  # the sum of every rating given

    def __add__(self, other: Totals) -> Totals:
        return Totals(**{name: getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__})

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.marks if self.marks else None

    @property
    def completion_rate(self) -> float | None:
        return self.complete / self.participants if self.participants else None

    @property
    def course_hours_held(self) -> float:
        return round(self.course_minutes_held / 60, 1)

    @property
    def certificates(self) -> int:
        return self.certificates_completion + self.certificates_participation

    @property
    def feedback_average(self) -> float | None:
        ratings = self.feedback_answers * len(QUESTIONS)
        return round(self.feedback_points / ratings, 2) if ratings else None


@dataclass
class Chart:
    key: str
    title: str
    table: Table
    svg: str = ""  # filled in by oep.reports.charts


@dataclass
class PairingView:
    names: list[str]
    status: str
    exchanges: list[tuple[str, str, str]]  # (teacher, learner, competence)
    project: str = ""
    project_status: str = ""
    workshops: int = 0
    reached: int = 0

    @property
    def teaching(self) -> list[tuple[str, str, str]]:
        """The exchanges by who teaches whom: (teacher, learner, "competence, competence")."""
        grouped: dict[tuple[str, str], list[str]] = {}
        for teacher, learner, competence in self.exchanges:
            grouped.setdefault((teacher, learner), []).append(competence)
        return [(teacher, learner, ", ".join(items)) for (teacher, learner), items in grouped.items()]


@dataclass
class SiteSection:
    site_id: int
    anchor: str
    city: str
    country: str
    partner: str
    trainers: list[str]
    totals: Totals
    figures: list[Figure]
    organisations: Table
    organisation_types: str  # "12 civil-society organisations, ..." for the consolidated report
    committee: Table
    committee_problems: list[str]
    modules: Table
    weeks: Table
    falling: str
    pairings: list[PairingView]
    exchanges: Table
    workshops: Table
    projects: Table
    feedback: Table
    comments: list[str]
    narratives: list[tuple[str, str, Markup]]  # (section, its title, the text as HTML)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    title: str
    programme_name: str
    scope_label: str
    consolidated: bool
    period: Period
    generated_at: datetime
    language: str
    emblem_file: str | None
    funder_acknowledgement: str
    partners: list[tuple[str, str]]  # (city, partner organisation)
    totals: Totals
    figures: list[Figure]
    key_figures: Table
    organisation_types: Table
    sites: list[SiteSection]
    modules: Table
    weeks: Table
    alerts: list[str]
    competence_map: Table
    competence_types: list[str]
    feedback_questions: Table
    feedback_sites: Table
    empowerment_competences: Table
    empowerment_types: Table
    empowerment_summary: str
    annex_sessions: Table
    annex_organisations: Table
    annex_participants: Table | None
    annex_sessions_printed: Table | None = None
    charts: list[Chart] = field(default_factory=list)
    include_participants: bool = False

    def chart(self, key: str) -> Chart | None:
        return next((c for c in self.charts if c.key == key), None)

    def tables(self) -> list[Table]:
        """Every table of the report, in its order: the sheets of the XLSX, the CSV files."""
        tables = [self.key_figures, self.organisation_types, self.modules, self.weeks]
        for section in self.sites:
            tables += [
                section.organisations,
                section.committee,
                section.modules,
                section.weeks,
                section.exchanges,
                section.workshops,
                section.projects,
                section.feedback,
            ]
        tables += [
            self.competence_map,
            self.feedback_questions,
            self.feedback_sites,
            self.empowerment_competences,
            self.empowerment_types,
            self.annex_sessions,
            self.annex_organisations,
        ]
        if self.annex_participants is not None:
            tables.append(self.annex_participants)
        return tables


# --- helpers ------------------------------------------------------------------------------------


def _in_period(column, site_column, bounds: dict[int, tuple[datetime, datetime]]):
    """``column`` within the period of the row's site (sites may be in different zones)."""
    return sa.or_(*(sa.and_(site_column == site_id, column >= lo, column < hi) for site_id, (lo, hi) in bounds.items()))


def _week_start(value: datetime, tz: str) -> date:
    day = to_local(value, tz).date()
    return day - timedelta(days=day.weekday())


def _rate(attended: int, marks: int) -> float | None:
    return attended / marks if marks else None


def figures_of(totals: Totals, empowerment_change: float | None = None) -> list[Figure]:
    figures = [
        Figure("organisations", _("Organisations taking part"), totals.organisations),
        Figure("participants", _("Participants"), totals.participants),
        Figure(
            "sessions",
            _("Course sessions held"),
            totals.course_sessions_held,
            detail=_("and %(n)d workshops, events and meetings", n=totals.other_sessions_held),
        ),
        Figure("hours", _("Hours of training delivered"), totals.course_hours_held, "number"),
        Figure(
            "attendance",
            _("Attendance rate"),
            totals.attendance_rate,
            "percent",
            _("%(attended)d of %(marks)d marks at course sessions", attended=totals.attended, marks=totals.marks),
        ),
        Figure(
            "completion",
            _("Completion rate"),
            totals.completion_rate,
            "percent",
            _(
                "%(complete)d of %(participants)d participants complete",
                complete=totals.complete,
                participants=totals.participants,
            ),
        ),
        Figure(
            "certificates",
            _("Certificates issued"),
            totals.certificates,
            detail=_(
                "%(completion)d of completion, %(participation)d of participation",
                completion=totals.certificates_completion,
                participation=totals.certificates_participation,
            ),
        ),
        Figure("pairings", _("Pairings formed"), totals.pairings),
        Figure("workshops", _("Workshops delivered"), totals.workshops),
        Figure(
            "reached",
            _("Community members reached"),
            totals.reached,
            detail=_(
                "%(newcomers)d newcomers, %(residents)d long-time residents",
                newcomers=totals.newcomers,
                residents=totals.residents,
            ),
        ),
        Figure("projects", _("Project ideas"), totals.project_ideas),
        Figure(
            "feedback",
            _("Feedback answers"),
            totals.feedback_answers,
            detail=_("average rating %(average)s of 5", average=totals.feedback_average)
            if totals.feedback_average is not None
            else "",
        ),
    ]
    if empowerment_change is not None:
        figures.append(
            Figure(
                "empowerment",
                _("Average change in self-assessment"),
                round(empowerment_change, 2),
                "number",
                _("points on a scale of 1 to 5, start to end of the programme"),
            )
        )
    return figures


def figures_table(key: str, title: str, figures: list[Figure]) -> Table:
    rows = []
    for f in figures:
        if f.kind == "percent":
            rows.append([f.label, None if f.value is None else round(f.value * 100, 1), "%", f.detail])
        else:
            rows.append([f.label, f.value, "", f.detail])
    return Table(
        key, title, [_("Figure"), _("Value"), _("Unit"), _("Detail")], rows, ["text", "number", "text", "text"]
    )


# --- the builder --------------------------------------------------------------------------------


def build(
    session: Session,
    programme: Programme,
    sites: list[Site],
    period: Period,
    *,
    consolidated: bool,
    language: str = "en",
    include_participants: bool = False,
    progress=None,
) -> Report:
    """The report of ``sites`` (all of the programme's for the consolidated report) for
    ``period``. ``progress``, if given, is called with a short step name as work proceeds."""
    step = progress or (lambda name: None)
    sites = sorted(sites, key=lambda s: str(s.city).casefold())  # in the report's language
    site_ids = [s.id for s in sites]
    # The sites' trainers in one query, rather than one per site section.
    session.scalars(sa.select(Site).where(Site.id.in_(site_ids)).options(selectinload(Site.trainers))).all()
    by_site = {s.id: s for s in sites}
    bounds = {s.id: period.bounds(s.timezone) for s in sites}
    in_scope_orgs = sa.select(Enrolment.organisation_id).where(
        Enrolment.site_id.in_(site_ids), Enrolment.status == EnrolmentStatus.ACCEPTED
    )

    # Organisations and their participants
    org_rows = session.execute(
        sa.select(Enrolment.site_id, Organisation.id, Organisation.name, Organisation.type, Organisation.city)
        .join(Organisation, Organisation.id == Enrolment.organisation_id)
        .where(Enrolment.site_id.in_(site_ids), Enrolment.status == EnrolmentStatus.ACCEPTED)
        .order_by(Organisation.name_key, Organisation.id)
    ).all()
    orgs_by_site: dict[int, list] = defaultdict(list)
    for row in org_rows:
        orgs_by_site[row.site_id].append(row)
    people = session.execute(
        sa.select(Participant.id, Participant.organisation_id, Participant.name)
        .where(Participant.organisation_id.in_(in_scope_orgs))
        .order_by(Participant.name, Participant.id)
    ).all()
    people_by_org: dict[int, list] = defaultdict(list)
    for row in people:
        people_by_org[row.organisation_id].append(row)
    step("organisations")

    # Completion, per site (grouped by participant, four queries a site)
    progress_by_site = {}
    for site in sites:
        progress_by_site[site.id] = completion.progress_for_participants(
            session, site, completion.roster_ids_of_site(site)
        )
        step(f"completion:{site.id}")

    # Sessions in the period, and their attendance grouped by session
    sessions = session.execute(
        sa.select(
            ScheduledSession.id,
            ScheduledSession.site_id,
            ScheduledSession.kind,
            ScheduledSession.module_id,
            ScheduledSession.title,
            ScheduledSession.starts_at,
            ScheduledSession.duration_minutes,
            ScheduledSession.status,
            ScheduledSession.headcount_total,
            ScheduledSession.headcount_newcomers,
            ScheduledSession.headcount_residents,
            ScheduledSession.pairing_id,
        )
        .where(_in_period(ScheduledSession.starts_at, ScheduledSession.site_id, bounds))
        .order_by(ScheduledSession.starts_at, ScheduledSession.id)
    ).all()
    marks = {
        row.session_id: (row.marks, row.attended or 0)
        for row in session.execute(
            sa.select(
                Attendance.session_id,
                sa.func.count().label("marks"),
                sa.func.sum(sa.case((Attendance.status.in_(ATTENDED), 1), else_=0)).label("attended"),
            )
            .join(ScheduledSession, ScheduledSession.id == Attendance.session_id)
            .where(
                ScheduledSession.status == SessionStatus.HELD,
                _in_period(ScheduledSession.starts_at, ScheduledSession.site_id, bounds),
            )
            .group_by(Attendance.session_id)
        )
    }
    step("sessions")

    modules = session.scalars(
        sa.select(Module).where(Module.programme_id == programme.id).order_by(Module.position, Module.id)
    ).all()
    module_titles = {m.id: str(m.title) for m in modules}

    # Certificates, pairings, committee, narratives, feedback
    certificates = Counter()
    for site_id, kind, n in session.execute(
        sa.select(Certificate.site_id, Certificate.kind, sa.func.count())
        .where(
            Certificate.status == CertificateStatus.VALID,
            _in_period(Certificate.issued_at, Certificate.site_id, bounds),
        )
        .group_by(Certificate.site_id, Certificate.kind)
    ):
        certificates[(site_id, kind)] = n

    pairings = session.scalars(
        sa.select(Pairing)
        .where(Pairing.site_id.in_(site_ids), Pairing.status.in_([PairingStatus.ACTIVE, PairingStatus.COMPLETED]))
        .options(
            selectinload(Pairing.members).joinedload(PairingMember.organisation),
            selectinload(Pairing.exchanges),
            selectinload(Pairing.project),
        )
        .order_by(Pairing.id)
    ).all()
    pairings = [p for p in pairings if p.confirmed_at is None or p.confirmed_at < bounds[p.site_id][1]]
    competence_names = pairing_queries.competence_names()
    pairing_names = {p.id: [m.organisation.name for m in p.members] for p in pairings}
    org_names = {row.id: row.name for row in org_rows}

    committee = defaultdict(list)
    for site_id, category in session.execute(
        sa.select(CommitteeMember.site_id, CommitteeMember.category).where(CommitteeMember.site_id.in_(site_ids))
    ):
        committee[site_id].append(SimpleNamespace(category=category))

    narratives = defaultdict(dict)
    for narrative in session.scalars(sa.select(Narrative).where(Narrative.site_id.in_(site_ids))):
        if narrative.text.strip():
            narratives[narrative.site_id][narrative.section] = narrative.text

    feedback_filter = sa.and_(
        ScheduledSession.id == SessionFeedback.session_id,
        _in_period(ScheduledSession.starts_at, ScheduledSession.site_id, bounds),
    )
    feedback_by_site = {
        row.site_id: row
        for row in session.execute(
            sa.select(
                ScheduledSession.site_id,
                sa.func.count().label("answers"),
                *(sa.func.sum(getattr(SessionFeedback, q)).label(q) for q in QUESTIONS),
            )
            .select_from(SessionFeedback)
            .join(ScheduledSession, feedback_filter)
            .group_by(ScheduledSession.site_id)
        )
    }
    distribution = {
        q: dict(
            session.execute(
                sa.select(getattr(SessionFeedback, q), sa.func.count())
                .select_from(SessionFeedback)
                .join(ScheduledSession, feedback_filter)
                .group_by(getattr(SessionFeedback, q))
            ).all()
        )
        for q in QUESTIONS
    }
    comments = defaultdict(list)
    for site_id, text in session.execute(
        sa.select(ScheduledSession.site_id, SessionFeedback.comment)
        .select_from(SessionFeedback)
        .join(ScheduledSession, feedback_filter)
        .where(SessionFeedback.comment != "")
        .order_by(SessionFeedback.created_at.desc(), SessionFeedback.id.desc())
        .limit(COMMENTS_PER_SITE * 4 * len(sites))
    ):
        if len(comments[site_id]) < COMMENTS_PER_SITE:
            comments[site_id].append(text)
    step("feedback")

    # Per site
    sections = []
    all_weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    module_totals: dict[int, list] = defaultdict(lambda: [0, 0, 0, 0])
    alerts = []
    sessions_by_site = defaultdict(list)
    for row in sessions:
        sessions_by_site[row.site_id].append(row)
    pairings_by_site = defaultdict(list)
    for pairing in pairings:
        pairings_by_site[pairing.site_id].append(pairing)

    org_lines: dict[int, tuple] = {}
    for site in sites:
        totals = Totals()
        progress_map = progress_by_site[site.id]
        org_table_rows = []
        for org in orgs_by_site[site.id]:
            members = people_by_org.get(org.id, [])
            lines = [progress_map[p.id] for p in members if p.id in progress_map]
            rates = [line.attendance_rate for line in lines if line.attendance_rate is not None]
            complete = sum(1 for line in lines if line.complete)
            org_table_rows.append(
                [
                    org.name,
                    str(OrganisationType(org.type).label),
                    len(members),
                    complete,
                    sum(rates) / len(rates) if rates else None,
                ]
            )
            org_lines[org.id] = (len(members), complete, sum(rates) / len(rates) if rates else None)
            totals.organisations += 1
            totals.participants += len(members)
            totals.complete += complete

        per_module: dict[int, list] = defaultdict(lambda: [0, 0, 0, 0])  # sessions, minutes, marks, attended
        weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])  # sessions, marks, attended
        workshop_rows = []
        for row in sessions_by_site[site.id]:
            if row.status is not SessionStatus.HELD:
                continue
            if row.kind is SessionKind.COURSE:
                n_marks, n_attended = marks.get(row.id, (0, 0))
                totals.course_sessions_held += 1
                totals.course_minutes_held += row.duration_minutes
                totals.marks += n_marks
                totals.attended += n_attended
                line = per_module[row.module_id]
                line[0] += 1
                line[1] += row.duration_minutes
                line[2] += n_marks
                line[3] += n_attended
                week = weeks[_week_start(row.starts_at, site.timezone)]
                week[0] += 1
                week[1] += n_marks
                week[2] += n_attended
                continue
            totals.other_sessions_held += 1
            if row.kind in (SessionKind.WORKSHOP, SessionKind.EVENT):
                totals.workshops += row.kind is SessionKind.WORKSHOP
                totals.events += row.kind is SessionKind.EVENT
                totals.reached += row.headcount_total or 0
                totals.newcomers += row.headcount_newcomers or 0
                totals.residents += row.headcount_residents or 0
                workshop_rows.append(
                    [
                        to_local(row.starts_at, site.timezone).replace(tzinfo=None),
                        row.kind.label,
                        str(row.title),
                        " · ".join(pairing_names.get(row.pairing_id, [])),
                        row.headcount_total,
                        row.headcount_newcomers,
                        row.headcount_residents,
                    ]
                )

        module_rows = []
        for module in modules:
            held, minutes, n_marks, n_attended = per_module.get(module.id, (0, 0, 0, 0))
            module_rows.append(
                [
                    str(module.title),
                    _("yes") if module.mandatory else _("no"),
                    held,
                    round(minutes / 60, 1),
                    n_marks,
                    n_attended,
                    _rate(n_attended, n_marks),
                ]
            )
            total = module_totals[module.id]
            for i, value in enumerate((held, minutes, n_marks, n_attended)):
                total[i] += value

        week_rows = []
        for week_start in sorted(weeks):
            held, n_marks, n_attended = weeks[week_start]
            week_rows.append([week_start, held, n_marks, n_attended, _rate(n_attended, n_marks)])
            overall = all_weeks[week_start]
            overall[0] += held
            overall[1] += n_marks
            overall[2] += n_attended
        falling = _falling(week_rows, str(site.city))
        if falling:
            alerts.append(falling)

        certs_c = certificates[(site.id, CertificateKind.COMPLETION)]
        certs_p = certificates[(site.id, CertificateKind.PARTICIPATION)]
        totals.certificates_completion += certs_c
        totals.certificates_participation += certs_p

        pairing_views, exchange_rows, project_rows = [], [], []
        workshops_by_pairing = Counter()
        reach_by_pairing = Counter()
        for row in sessions_by_site[site.id]:
            if row.pairing_id and row.kind is SessionKind.WORKSHOP and row.status is SessionStatus.HELD:
                workshops_by_pairing[row.pairing_id] += 1
                reach_by_pairing[row.pairing_id] += row.headcount_total or 0
        for pairing in pairings_by_site[site.id]:
            names = pairing_names[pairing.id]
            exchanges = [
                (
                    org_names.get(e.teacher_id, "?"),
                    org_names.get(e.learner_id, "?"),
                    competence_names.get(e.competence_id, "?"),
                )
                for e in pairing.exchanges
            ]
            for teacher, learner, competence in exchanges:
                exchange_rows.append([" · ".join(names), teacher, learner, competence])
            project = pairing.project
            if project is not None:
                totals.project_ideas += 1
                project_rows.append([project.title, " · ".join(names), project.status.label, project.target_group])
            pairing_views.append(
                PairingView(
                    names=names,
                    status=str(pairing.status.label),
                    exchanges=exchanges,
                    project=project.title if project else "",
                    project_status=str(project.status.label) if project else "",
                    workshops=workshops_by_pairing[pairing.id],
                    reached=reach_by_pairing[pairing.id],
                )
            )
            totals.pairings += 1

        check = committee_check(committee[site.id])
        committee_rows = [
            [category.label, n] for category, n in sorted(check.by_category.items(), key=lambda kv: str(kv[0].label))
        ]
        fb = feedback_by_site.get(site.id)
        if fb is not None:
            totals.feedback_answers += fb.answers
            totals.feedback_points += sum(int(getattr(fb, q) or 0) for q in QUESTIONS)
        feedback_rows = [
            [
                str(label),
                round(int(getattr(fb, q) or 0) / fb.answers, 2) if fb and fb.answers else None,
                fb.answers if fb else 0,
            ]
            for q, label in QUESTIONS.items()
        ]

        trainers = [t.name for t in site.trainers]
        prefix = f"{site.city}: "
        sections.append(
            SiteSection(
                site_id=site.id,
                anchor=f"site-{site.id}",
                city=str(site.city),
                country=site.country,
                partner=site.partner_organisation,
                trainers=trainers,
                totals=totals,
                figures=figures_of(totals),
                organisation_types=", ".join(
                    f"{label} {n}"
                    for label, n in sorted(Counter(row[1] for row in org_table_rows).items(), key=lambda kv: -kv[1])
                ),
                organisations=Table(
                    f"organisations-{site.id}",
                    prefix + _("Organisations"),
                    [_("Organisation"), _("Type"), _("Participants"), _("Complete"), _("Average attendance rate")],
                    org_table_rows,
                    ["text", "text", "int", "int", "percent"],
                ),
                committee=Table(
                    f"committee-{site.id}",
                    prefix + _("Committee"),
                    [_("Group represented"), _("Members")],
                    committee_rows,
                    ["text", "int"],
                ),
                committee_problems=check.problems,
                modules=Table(
                    f"modules-{site.id}",
                    prefix + _("Modules"),
                    [
                        _("Module"),
                        _("Mandatory"),
                        _("Sessions held"),
                        _("Hours"),
                        _("Marks"),
                        _("Attended"),
                        _("Attendance rate"),
                    ],
                    module_rows,
                    ["text", "text", "int", "number", "int", "int", "percent"],
                ),
                weeks=Table(
                    f"weeks-{site.id}",
                    prefix + _("Attendance by week"),
                    [_("Week of"), _("Sessions held"), _("Marks"), _("Attended"), _("Attendance rate")],
                    week_rows,
                    ["date", "int", "int", "int", "percent"],
                ),
                falling=falling,
                pairings=pairing_views,
                exchanges=Table(
                    f"exchanges-{site.id}",
                    prefix + _("Pairings"),
                    [_("Pairing"), _("Teaches"), _("Learns"), _("Competence")],
                    exchange_rows,
                    ["text", "text", "text", "text"],
                ),
                workshops=Table(
                    f"workshops-{site.id}",
                    prefix + _("Workshops and events"),
                    [
                        _("Date"),
                        _("Kind"),
                        _("Title"),
                        _("Delivered by"),
                        _("People reached"),
                        _("Newcomers"),
                        _("Long-time residents"),
                    ],
                    workshop_rows,
                    ["datetime", "text", "text", "text", "int", "int", "int"],
                ),
                projects=Table(
                    f"projects-{site.id}",
                    prefix + _("Project ideas"),
                    [_("Project"), _("Pairing"), _("Status"), _("Target group")],
                    project_rows,
                    ["text", "text", "text", "text"],
                ),
                feedback=Table(
                    f"feedback-{site.id}",
                    prefix + _("Feedback"),
                    [_("Question"), _("Average (1-5)"), _("Answers")],
                    feedback_rows,
                    ["text", "number", "int"],
                ),
                comments=comments.get(site.id, []),
                narratives=[
                    (section.value, str(section.label), markdown.render(narratives[site.id][section]))
                    for section in NarrativeSection
                    if section in narratives[site.id]
                ],
            )
        )
        step(f"site:{site.id}")

    totals = sum((s.totals for s in sections), Totals())

    # Programme-wide tables
    type_counts = Counter(OrganisationType(row.type) for row in org_rows)
    organisation_types = Table(
        "organisation-types",
        _("Organisations by type"),
        [_("Type"), _("Organisations")],
        [[t.label, type_counts[t]] for t in OrganisationType if type_counts[t]],
        ["text", "int"],
    )
    module_table = Table(
        "modules",
        _("Attendance per module"),
        [_("Module"), _("Mandatory"), _("Sessions held"), _("Hours"), _("Marks"), _("Attended"), _("Attendance rate")],
        [
            [
                str(m.title),
                _("yes") if m.mandatory else _("no"),
                module_totals[m.id][0],
                round(module_totals[m.id][1] / 60, 1),
                module_totals[m.id][2],
                module_totals[m.id][3],
                _rate(module_totals[m.id][3], module_totals[m.id][2]),
            ]
            for m in modules
        ],
        ["text", "text", "int", "number", "int", "int", "percent"],
    )
    week_table = Table(
        "weeks",
        _("Attendance by week"),
        [_("Week of"), _("Sessions held"), _("Marks"), _("Attended"), _("Attendance rate")],
        [[week, *all_weeks[week], _rate(all_weeks[week][2], all_weeks[week][1])] for week in sorted(all_weeks)],
        ["date", "int", "int", "int", "percent"],
    )
    if consolidated:
        overall_fall = _falling(week_table.rows, None)
        if overall_fall:
            alerts.insert(0, overall_fall)

    competence_map, competence_types = _competence_map(session, in_scope_orgs)
    empowerment_competences, empowerment_types, change, summary = _empowerment(session, programme, in_scope_orgs)
    figures = figures_of(totals, change)
    step("programme")

    feedback_questions = Table(
        "feedback-questions",
        _("Feedback: answers per rating"),
        [_("Question"), *[str(n) for n in range(1, 6)], _("Answers"), _("Average (1-5)")],
        [
            [
                str(label),
                *[distribution[q].get(n, 0) for n in range(1, 6)],
                sum(distribution[q].values()),
                round(sum(n * c for n, c in distribution[q].items()) / sum(distribution[q].values()), 2)
                if distribution[q]
                else None,
            ]
            for q, label in QUESTIONS.items()
        ],
        ["text", "int", "int", "int", "int", "int", "int", "number"],
    )
    feedback_sites = Table(
        "feedback-sites",
        _("Feedback per site"),
        [_("Site"), _("Answers"), *[str(label) for label in QUESTION_SHORT.values()]],
        [
            [
                str(s.city),
                feedback_by_site[s.id].answers if s.id in feedback_by_site else 0,
                *[
                    round(int(getattr(feedback_by_site[s.id], q) or 0) / feedback_by_site[s.id].answers, 2)
                    if s.id in feedback_by_site
                    else None
                    for q in QUESTIONS
                ],
            ]
            for s in sites
        ],
        ["text", "int", *["number"] * len(QUESTIONS)],
    )

    annex_sessions = Table(
        "sessions",
        _("Sessions"),
        [
            _("Starts"),
            _("Site"),
            _("Kind"),
            _("Title"),
            _("Module"),
            _("Status"),
            _("Hours"),
            _("Marks"),
            _("Attended"),
            _("Attendance rate"),
        ],
        [
            [
                to_local(row.starts_at, by_site[row.site_id].timezone).replace(tzinfo=None),
                str(by_site[row.site_id].city),
                row.kind.label,
                str(row.title),
                module_titles.get(row.module_id, ""),
                row.status.label,
                round(row.duration_minutes / 60, 1),
                *marks.get(row.id, (None, None)),
                _rate(marks[row.id][1], marks[row.id][0]) if row.id in marks else None,
            ]
            for row in sessions
        ],
        ["datetime", "text", "text", "text", "text", "text", "number", "int", "int", "percent"],
    )
    annex_sessions_printed = Table(
        "sessions",
        _("Sessions"),
        [_("Starts"), _("Site"), _("Session"), _("Status"), _("Hours"), _("Marks"), _("Attendance rate")],
        [
            [
                printed[0],
                printed[1],
                str(row.title) if row.kind is SessionKind.COURSE else f"{row.title} ({row.kind.label})",
                printed[5],
                printed[6],
                printed[7],
                printed[9],
            ]
            for row, printed in zip(sessions, annex_sessions.rows, strict=True)
        ],
        ["datetime", "text", "text", "text", "number", "int", "percent"],
    )
    annex_organisations = Table(
        "organisation-list",
        _("Organisations"),
        [
            _("Organisation"),
            _("Type"),
            _("City"),
            _("Site"),
            _("Participants"),
            _("Complete"),
            _("Average attendance rate"),
        ],
        [
            [
                row.name,
                str(OrganisationType(row.type).label),
                row.city,
                str(by_site[row.site_id].city),
                *org_lines[row.id],
            ]
            for row in sorted(org_rows, key=lambda r: (str(by_site[r.site_id].city).casefold(), r.name.casefold()))
        ],
        ["text", "text", "text", "text", "int", "int", "percent"],
    )
    annex_participants = None
    if include_participants:
        rows = []
        for site in sites:
            progress_map = progress_by_site[site.id]
            for org in orgs_by_site[site.id]:
                for person in people_by_org.get(org.id, []):
                    p = progress_map.get(person.id)
                    if p is None:
                        continue
                    rows.append(
                        [
                            person.name,
                            org.name,
                            str(site.city),
                            p.attended_hours,
                            p.attendance_rate,
                            _("yes") if p.complete else _("no"),
                        ]
                    )
        annex_participants = Table(
            "participants",
            _("Participants"),
            [_("Participant"), _("Organisation"), _("Site"), _("Hours attended"), _("Attendance rate"), _("Complete")],
            rows,
            ["text", "text", "text", "number", "percent", "text"],
        )

    if consolidated:
        scope_label = _("Consolidated report: %(n)d sites", n=len(sites))
        title = _("%(programme)s — programme report", programme=isolate(programme.name))
    else:
        scope_label = _("Site report: %(city)s", city=isolate(sites[0].city))
        title = _("%(programme)s — %(city)s", programme=isolate(programme.name), city=isolate(sites[0].city))
    report = Report(
        title=title,
        programme_name=str(programme.name),
        scope_label=scope_label,
        consolidated=consolidated,
        period=period,
        generated_at=datetime.now(UTC),
        language=language,
        emblem_file=programme.emblem_file,
        funder_acknowledgement=str(programme.funder_acknowledgement),
        partners=[(str(s.city), s.partner_organisation) for s in sites],
        totals=totals,
        figures=figures,
        key_figures=figures_table("key-figures", _("Key figures"), figures),
        organisation_types=organisation_types,
        sites=sections,
        modules=module_table,
        weeks=week_table,
        alerts=alerts,
        competence_map=competence_map,
        competence_types=competence_types,
        feedback_questions=feedback_questions,
        feedback_sites=feedback_sites,
        empowerment_competences=empowerment_competences,
        empowerment_types=empowerment_types,
        empowerment_summary=summary,
        annex_sessions=annex_sessions,
        annex_organisations=annex_organisations,
        annex_participants=annex_participants,
        include_participants=include_participants,
        annex_sessions_printed=annex_sessions_printed,
    )
    return report


def _falling(week_rows: list[list], city: str | None) -> str:
    """A sentence when attendance in the last weeks fell clearly below the weeks before."""
    weeks = [row for row in week_rows if row[2]]  # weeks with marks
    if len(weeks) < 2 * FALL_WEEKS:
        return ""
    recent, before = weeks[-FALL_WEEKS:], weeks[-2 * FALL_WEEKS : -FALL_WEEKS]
    rate_recent = sum(r[3] for r in recent) / sum(r[2] for r in recent)
    rate_before = sum(r[3] for r in before) / sum(r[2] for r in before)
    if rate_before - rate_recent < FALL_POINTS:
        return ""
    values = dict(before=cell(rate_before, "percent"), after=cell(rate_recent, "percent"), weeks=FALL_WEEKS)
    if city:
        return _(
            "Attendance in %(city)s fell from %(before)s to %(after)s over the last %(weeks)d weeks with sessions.",
            city=city,
            **values,
        )
    return _(
        "Attendance across the programme fell from %(before)s to "
        "%(after)s over the last %(weeks)d weeks with sessions.",
        **values,
    )


def _competence_map(session: Session, in_scope_orgs) -> tuple[Table, list[str]]:
    """Per competence: how many organisations offer it and how many need it, in all and by
    organisation type (the heat map's cells)."""
    counts = Counter()
    for _id, name, direction, org_type, n in session.execute(
        sa.select(
            Competence.id,
            Competence.name,
            OrganisationCompetence.direction,
            Organisation.type,
            sa.func.count(sa.distinct(Organisation.id)),
        )
        .join(OrganisationCompetence, OrganisationCompetence.competence_id == Competence.id)
        .join(Organisation, Organisation.id == OrganisationCompetence.organisation_id)
        .where(Organisation.id.in_(in_scope_orgs))
        .group_by(Competence.id, OrganisationCompetence.direction, Organisation.type)
    ):
        counts[(str(name), CompetenceDirection(direction), OrganisationType(org_type))] += n
    names = sorted({name for name, _d, _t in counts}, key=str.casefold)
    types = [t for t in OrganisationType if any(key[2] is t for key in counts)]
    rows = []
    for name in names:
        offers = sum(counts[(name, CompetenceDirection.OFFER, t)] for t in types)
        needs = sum(counts[(name, CompetenceDirection.NEED, t)] for t in types)
        row = [name, offers, needs, offers - needs]
        for t in types:
            row += [counts[(name, CompetenceDirection.OFFER, t)], counts[(name, CompetenceDirection.NEED, t)]]
        rows.append(row)
    headers = [_("Competence"), _("Offered by"), _("Needed by"), _("Balance")]
    for t in types:
        headers += [_("%(type)s: offer", type=t.label), _("%(type)s: need", type=t.label)]
    return (
        Table(
            "competence-map",
            _("Competence map"),
            headers,
            rows,
            ["text", "int", "int", "int", *["int"] * (2 * len(types))],
        ),
        [str(t.label) for t in types],
    )


def competence_matrix(report: Report) -> Table:
    """The competence map for a page: one column per organisation type, "offer / need" in
    each cell (the XLSX has the same numbers in two columns each)."""
    types = report.competence_types
    rows = [
        [row[0], row[1], row[2], *[f"{row[4 + 2 * i]} / {row[5 + 2 * i]}" for i in range(len(types))]]
        for row in report.competence_map.rows
    ]
    return Table(
        "competence-matrix",
        _("Competence map: offered / needed, by type"),
        [_("Competence"), _("Offered by"), _("Needed by"), *types],
        rows,
        ["text", "int", "int", *["text"] * len(types)],
    )


def _empowerment(session: Session, programme: Programme, in_scope_orgs):
    """The change in organisations' self-assessment from the start to the end, per
    competence and per organisation type: only organisations that rated both times count."""
    start, end = aliased(SelfAssessment), aliased(SelfAssessment)
    pairs = (
        sa.select()
        .select_from(start)
        .join(
            end,
            sa.and_(
                end.organisation_id == start.organisation_id,
                end.programme_id == start.programme_id,
                end.competence_id == start.competence_id,
                end.phase == AssessmentPhase.END,
            ),
        )
        .where(
            start.phase == AssessmentPhase.START,
            start.programme_id == programme.id,
            start.organisation_id.in_(in_scope_orgs),
        )
    )
    measures = (
        sa.func.count(sa.distinct(start.organisation_id)),
        sa.func.count(),
        sa.func.avg(start.rating),
        sa.func.avg(end.rating),
        sa.func.sum(sa.case((end.rating > start.rating, 1), else_=0)),
    )
    per_competence = session.execute(
        pairs.add_columns(Competence.name, *measures)
        .join(Competence, Competence.id == start.competence_id)
        .group_by(Competence.id)
    ).all()
    per_competence = sorted(per_competence, key=lambda r: str(r[0]).casefold())  # in the report's language
    per_type = session.execute(
        pairs.add_columns(Organisation.type, *measures)
        .join(Organisation, Organisation.id == start.organisation_id)
        .group_by(Organisation.type)
    ).all()
    overall = session.execute(pairs.add_columns(*measures)).one()
    started = session.scalar(
        sa.select(sa.func.count(sa.distinct(SelfAssessment.organisation_id))).where(
            SelfAssessment.programme_id == programme.id,
            SelfAssessment.phase == AssessmentPhase.START,
            SelfAssessment.organisation_id.in_(in_scope_orgs),
        )
    )

    def row(label, orgs, ratings, before, after, improved):
        before, after = float(before or 0), float(after or 0)
        return [
            label,
            orgs,
            ratings,
            round(before, 2),
            round(after, 2),
            round(after - before, 2),
            improved / ratings if ratings else None,
        ]

    headers = [
        _("Organisations"),
        _("Ratings"),
        _("Average at the start"),
        _("Average at the end"),
        _("Change"),
        _("Share of ratings up"),
    ]
    kinds = ["int", "int", "number", "number", "number", "percent"]
    by_competence = Table(
        "empowerment-competences",
        _("Empowerment by competence"),
        [_("Competence"), *headers],
        [row(str(r[0]), *r[1:]) for r in per_competence],
        ["text", *kinds],
    )
    type_rows = sorted(per_type, key=lambda r: str(OrganisationType(r[0]).label))
    by_type = Table(
        "empowerment-types",
        _("Empowerment by organisation type"),
        [_("Type"), *headers],
        [row(OrganisationType(r[0]).label, *r[1:]) for r in type_rows],
        ["text", *kinds],
    )
    orgs_both, ratings, before, after, improved = overall
    change = float(after) - float(before) if ratings else None
    if ratings:
        summary = _(
            "%(both)d organisations rated themselves at the start and "
            "at the end of the programme (%(started)d at the start): "
            "on average %(before)s at the start and %(after)s at the end, a change of %(change)s points; "
            "%(up)s of their ratings went up.",
            both=orgs_both,
            started=started or 0,
            before=f"{float(before):.1f}",
            after=f"{float(after):.1f}",
            change=f"{change:+.2f}",
            up=cell(improved / ratings, "percent"),
        )
    else:
        summary = _(
            "No organisation has rated itself at both the start and the end yet (%(started)d did at the start).",
            started=started or 0,
        )
    return by_competence, by_type, change, summary

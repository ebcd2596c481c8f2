"""An organisation's own summary: its participants' attendance and completion, its
certificates, its pairing (what it taught and learned, the project idea), the workshops it
delivered and whom they reached, and how it rated itself — as a page, a PDF and an XLSX."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from oep.accounts.models import User
from oep.attendance.queries import organisation_report
from oep.certificates.queries import certificates_of_organisation
from oep.core import pdf
from oep.core.i18n import isolate
from oep.core.tables import Table, to_xlsx
from oep.core.timezones import to_local
from oep.extensions import db
from oep.feedback.models import AssessmentPhase, SelfAssessment
from oep.organisations.models import Competence, Organisation
from oep.pairings.models import Pairing, PairingMember, PairingStatus
from oep.pairings.queries import competence_names
from oep.reports.render import page_of_pages_css
from oep.scheduling.models import ScheduledSession, SessionKind, SessionStatus


@dataclass
class PairingSummary:
    city: str
    partners: list[str]
    status: str
    taught: list[tuple[str, str]]  # (competence, to whom)
    learned: list[tuple[str, str]]  # (competence, from whom)
    project: str = ""
    project_status: str = ""


@dataclass
class OrganisationSummary:
    name: str
    type_label: str
    generated_at: datetime
    participants: list[Table]  # one per site
    certificates: Table
    pairings: list[PairingSummary]
    workshops: Table
    assessment: Table
    figures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("%(organisation)s — summary", organisation=isolate(self.name))

    def tables(self) -> list[Table]:
        return [*self.participants, self.certificates, self.pairing_table(), self.workshops, self.assessment]

    def pairing_table(self) -> Table:
        rows = []
        for p in self.pairings:
            rows += [[str(p.city), " · ".join(p.partners), _("taught"), c, who] for c, who in p.taught]
            rows += [[str(p.city), " · ".join(p.partners), _("learned"), c, who] for c, who in p.learned]
        return Table(
            "pairing",
            _("Pairing"),
            [_("Site"), _("Partners"), _("Direction"), _("Competence"), _("With")],
            rows,
            ["text"] * 5,
        )


def build(organisation: Organisation, user: User) -> OrganisationSummary:
    report = organisation_report(organisation, user)
    participant_tables = []
    for site, lines in report.sites:
        participant_tables.append(
            Table(
                f"participants-{site.id}",
                _("Participants: %(city)s", city=site.city),
                [_("Participant"), _("Hours attended"), _("Course hours planned"), _("Attendance rate"), _("Complete")],
                [
                    [
                        line.participant.name,
                        line.progress.attended_hours,
                        line.progress.planned_hours,
                        line.progress.attendance_rate,
                        _("yes") if line.progress.complete else _("no"),
                    ]
                    for line in lines
                ],
                ["text", "number", "number", "percent", "text"],
            )
        )
    certificates = certificates_of_organisation(user, organisation.id, only_valid=True)
    certificate_table = Table(
        "certificates",
        _("Certificates"),
        [_("Holder"), _("Certificate"), _("Code"), _("Issued"), _("Hours")],
        [
            [c.holder_name, str(c.kind.label), c.code, to_local(c.issued_at, c.site.timezone).date(), float(c.hours)]
            for c in certificates
        ],
        ["text", "text", "text", "date", "number"],
    )
    pairings = db.session.scalars(
        sa.select(Pairing)
        .join(PairingMember, PairingMember.pairing_id == Pairing.id)
        .where(
            PairingMember.organisation_id == organisation.id,
            Pairing.status.in_([PairingStatus.ACTIVE, PairingStatus.COMPLETED]),
        )
        .options(
            selectinload(Pairing.members).joinedload(PairingMember.organisation),
            selectinload(Pairing.exchanges),
            selectinload(Pairing.project),
            selectinload(Pairing.site),
        )
        .order_by(Pairing.id)
    ).all()
    names = competence_names()
    summaries = []
    for p in pairings:
        others = {m.organisation_id: m.organisation.name for m in p.members if m.organisation_id != organisation.id}
        summaries.append(
            PairingSummary(
                city=str(p.site.city),
                partners=list(others.values()),
                status=str(p.status.label),
                taught=[
                    (names.get(e.competence_id, "?"), others.get(e.learner_id, "?"))
                    for e in p.exchanges
                    if e.teacher_id == organisation.id
                ],
                learned=[
                    (names.get(e.competence_id, "?"), others.get(e.teacher_id, "?"))
                    for e in p.exchanges
                    if e.learner_id == organisation.id
                ],
                project=p.project.title if p.project else "",
                project_status=str(p.project.status.label) if p.project else "",
            )
        )
    workshops = (
        db.session.scalars(
            sa.select(ScheduledSession)
            .where(
                ScheduledSession.pairing_id.in_([p.id for p in pairings]),
                ScheduledSession.kind == SessionKind.WORKSHOP,
                ScheduledSession.status != SessionStatus.CANCELLED,
            )
            .options(selectinload(ScheduledSession.site))
            .order_by(ScheduledSession.starts_at)
        ).all()
        if pairings
        else []
    )
    workshop_table = Table(
        "workshops",
        _("Workshops"),
        [_("Date"), _("Title"), _("Status"), _("People reached"), _("Newcomers"), _("Long-time residents")],
        [
            [
                to_local(w.starts_at, w.site.timezone).replace(tzinfo=None),
                w.title,
                str(w.status.label),
                w.headcount_total,
                w.headcount_newcomers,
                w.headcount_residents,
            ]
            for w in workshops
        ],
        ["datetime", "text", "text", "int", "int", "int"],
    )
    ratings = db.session.execute(
        sa.select(Competence.name, SelfAssessment.phase, SelfAssessment.rating)
        .join(Competence, Competence.id == SelfAssessment.competence_id)
        .where(SelfAssessment.organisation_id == organisation.id)
    ).all()
    by_competence: dict[str, dict] = {}
    for name, phase, rating in sorted(ratings, key=lambda r: str(r[0]).casefold()):  # in the summary's language
        by_competence.setdefault(str(name), {})[phase] = rating
    assessment = Table(
        "self-assessment",
        _("Self-assessment"),
        [_("Competence"), _("At the start"), _("At the end"), _("Change")],
        [
            [
                name,
                r.get(AssessmentPhase.START),
                r.get(AssessmentPhase.END),
                (r[AssessmentPhase.END] - r[AssessmentPhase.START]) if len(r) == 2 else None,
            ]
            for name, r in by_competence.items()
        ],
        ["text", "int", "int", "int"],
    )
    people = sum(len(t.rows) for t in participant_tables)
    complete = sum(1 for t in participant_tables for row in t.rows if row[4] == _("yes"))
    figures = [
        (_("Participants"), str(people)),
        (_("Complete"), str(complete)),
        (_("Certificates"), str(len(certificates))),
        (_("Workshops held"), str(sum(1 for w in workshops if w.status is SessionStatus.HELD))),
        (_("People reached"), str(sum(w.headcount_total or 0 for w in workshops if w.status is SessionStatus.HELD))),
    ]
    return OrganisationSummary(
        name=organisation.name,
        type_label=str(organisation.type.label),
        generated_at=datetime.now(UTC),
        participants=participant_tables,
        certificates=certificate_table,
        pairings=summaries,
        workshops=workshop_table,
        assessment=assessment,
        figures=figures,
    )


def to_pdf(summary: OrganisationSummary, language: str) -> bytes:
    html = render_template(
        "pdf/organisation_summary.html", summary=summary, page_of_pages=page_of_pages_css(), language=language
    )
    return pdf.render_pdf(html, pdf.Assets.of(current_app), title=summary.title, lang=language)


def to_spreadsheet(summary: OrganisationSummary) -> bytes:
    return to_xlsx(summary.tables())

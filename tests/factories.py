"""Small builders of valid objects for tests, each with sensible defaults that a test can
override. They write through the session but do not commit (the test client commits
before each request)."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, timedelta
from decimal import Decimal

from werkzeug.security import generate_password_hash

from oep.accounts.models import Role, User
from oep.attendance.models import Attendance, AttendanceStatus
from oep.certificates.models import Certificate, CertificateKind, new_code
from oep.core import storage
from oep.core.db import utcnow
from oep.feedback.models import AssessmentPhase, SelfAssessment, SessionFeedback
from oep.jobs.models import Job
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
from oep.pairings.models import ConstraintKind, PairConstraint, Pairing, PairingMember, PairingStatus
from oep.programmes.models import CommitteeCategory, CommitteeMember, Module, Programme, Site
from oep.reports.models import Narrative, NarrativeSection
from oep.scheduling.models import AbsenceNotice, Booking, BookingStatus, ScheduledSession, SessionKind, SessionStatus

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


class Factory:
    def __init__(self, session):
        self.db = session
        self._seq = itertools.count(1)

    def _n(self) -> int:
        return next(self._seq)

    def _add(self, obj):
        self.db.add(obj)
        self.db.flush()
        return obj

    # --- accounts ---
    def user(self, role: Role = Role.COORDINATOR, **kw) -> User:
        n = self._n()
        kw.setdefault("email", f"{role.value}{n}@example.org")
        kw.setdefault("name", f"{role.value.title()} {n}")
        kw.setdefault("password_hash", _PASSWORD_HASH)
        return self._add(User(role=role, **kw))

    def coordinator(self, **kw) -> User:
        return self.user(Role.COORDINATOR, **kw)

    def trainer(self, sites=(), **kw) -> User:
        user = self.user(Role.TRAINER, **kw)
        user.sites = list(sites)
        self.db.flush()
        return user

    # --- programmes ---
    def programme(self, **kw) -> Programme:
        n = self._n()
        kw.setdefault("name", f"Programme {n}")
        kw.setdefault("starts_on", date.today() - timedelta(days=30))
        kw.setdefault("ends_on", date.today() + timedelta(days=200))
        kw.setdefault("languages", ["en"])
        kw.setdefault("registration_open", True)
        return self._add(Programme(**kw))

    def site(self, programme: Programme | None = None, **kw) -> Site:
        n = self._n()
        programme = programme or self.programme()
        kw.setdefault("city", f"City {n}")
        kw.setdefault("country", "IT")
        kw.setdefault("timezone", "Europe/Rome")
        kw.setdefault("local_language", "it")
        return self._add(Site(programme=programme, **kw))

    def module(self, programme: Programme, **kw) -> Module:
        n = self._n()
        kw.setdefault("title", f"Module {n}")
        kw.setdefault("hours", Decimal("4"))
        kw.setdefault("position", n)
        return self._add(Module(programme=programme, **kw))

    def committee_member(self, site: Site, category=CommitteeCategory.CSO, **kw) -> CommitteeMember:
        kw.setdefault("name", f"Member {self._n()}")
        return self._add(CommitteeMember(site=site, category=category, **kw))

    # --- organisations ---
    def organisation(
        self,
        site: Site | None = None,
        status: EnrolmentStatus = EnrolmentStatus.ACCEPTED,
        contact: bool = True,
        **kw,
    ) -> Organisation:
        n = self._n()
        name = kw.pop("name", f"Organisation {n}")
        kw.setdefault("type", OrganisationType.CSO)
        kw.setdefault("languages", ["en"])
        organisation = Organisation(**kw)
        organisation.set_name(name)
        self._add(organisation)
        if contact:
            self.user(Role.CONTACT, organisation=organisation, email=f"contact{n}@example.org", name=f"Contact {n}")
        if site is not None:
            self.enrolment(organisation, site, status)
        self.db.refresh(organisation)
        return organisation

    def contact_of(self, organisation: Organisation) -> User:
        return organisation.contacts[0]

    def enrolment(self, organisation: Organisation, site: Site, status=EnrolmentStatus.ACCEPTED) -> Enrolment:
        return self._add(Enrolment(organisation=organisation, site=site, status=status))

    def participant(self, organisation: Organisation, **kw) -> Participant:
        n = self._n()
        kw.setdefault("name", f"Participant {n}")
        kw.setdefault("consent_version", "test")
        return self._add(Participant(organisation=organisation, **kw))

    # --- scheduling and attendance ---
    def session(
        self,
        site: Site,
        kind: str = "course",
        module: Module | None = None,
        starts_in_days: float = 0,
        hours: float = 2,
        status: str = "confirmed",
        **kw,
    ) -> ScheduledSession:
        """A session starting ``starts_in_days`` from now (negative: in the past)."""
        kind = SessionKind(kind)
        if kind is SessionKind.COURSE and module is None:
            module = self.module(site.programme)
        starts = kw.pop("starts_at", None) or (utcnow() + timedelta(days=starts_in_days)).replace(microsecond=0)
        ends = kw.pop("ends_at", None) or starts + timedelta(hours=hours)
        kw.setdefault("title", module.title if module else f"{kind.label} {self._n()}")
        return self._add(
            ScheduledSession(
                site=site,
                kind=kind,
                module=module,
                starts_at=starts,
                ends_at=ends,
                duration_minutes=int((ends - starts).total_seconds() // 60),
                status=SessionStatus(status),
                cancel_reason=kw.pop("cancel_reason", "Cancelled" if status == "cancelled" else ""),
                **kw,
            )
        )

    def booking(self, sched: ScheduledSession, participant: Participant, status: str = "confirmed") -> Booking:
        return self._add(Booking(session=sched, participant=participant, status=BookingStatus(status)))

    def notice(
        self, sched: ScheduledSession, participant: Participant, reason: str = "Doctor's appointment"
    ) -> AbsenceNotice:
        return self._add(AbsenceNotice(session=sched, participant=participant, reason=reason))

    def mark(self, sched: ScheduledSession, participant: Participant, status: str = "present", **kw) -> Attendance:
        return self._add(Attendance(session=sched, participant=participant, status=AttendanceStatus(status), **kw))

    # --- pairings ---
    def pairing(self, site: Site, organisations, status: str = "active", score: int = 0) -> Pairing:
        status = PairingStatus(status)
        current = status in (PairingStatus.PROPOSED, PairingStatus.ACTIVE)
        pairing = Pairing(
            site=site,
            status=status,
            score=score,
            confirmed_at=utcnow() if status is not PairingStatus.PROPOSED else None,
        )
        pairing.members = [PairingMember(organisation=o, site_id=site.id, current=current) for o in organisations]
        return self._add(pairing)

    def pair_constraint(self, site: Site, a: Organisation, b: Organisation, kind: str = "forbidden") -> PairConstraint:
        low, high = sorted((a.id, b.id))
        return self._add(
            PairConstraint(site=site, organisation_a_id=low, organisation_b_id=high, kind=ConstraintKind(kind))
        )

    # --- certificates and jobs ---
    def certificate(self, site: Site, participant: Participant, kind: str = "completion", **kw) -> Certificate:
        """A certificate record with a small stored file (not a rendered one)."""
        code = kw.pop("code", None) or new_code()
        file_name = f"{site.programme_id}/{code}.pdf"
        content = b"%PDF-1.7 test certificate " + code.encode()
        storage.current().write(f"certificates/{file_name}", content)
        return self._add(
            Certificate(
                code=code,
                participant_id=participant.id,
                programme_id=site.programme_id,
                site_id=site.id,
                organisation_id=participant.organisation_id,
                kind=CertificateKind(kind),
                language="en",
                holder_name=participant.name,
                organisation_name=participant.organisation.name,
                programme_name=site.programme.name.main,
                city=site.city.main,
                hours=Decimal("10"),
                modules=[],
                file_name=file_name,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
                **kw,
            )
        )

    def job(self, by: User, kind: str = "certificates.issue", **kw) -> Job:
        return self._add(Job(kind=kind, title="Test job", created_by_id=by.id, **kw))

    def competence(self, name: str | None = None, **kw) -> Competence:
        return self._add(Competence(name=name or f"Competence {self._n()}", **kw))

    def declares(self, organisation: Organisation, competence: Competence, direction: str, level: int = 2):
        return self._add(
            OrganisationCompetence(
                organisation=organisation,
                competence=competence,
                direction=CompetenceDirection(direction),
                level=level,
            )
        )

    # --- feedback and reports ---
    def feedback(
        self,
        sched: ScheduledSession,
        participant: Participant,
        useful: int = 4,
        clear: int = 4,
        organised: int = 4,
        comment: str = "",
        signed: bool = False,
    ) -> SessionFeedback:
        from oep.feedback.services import respondent_key

        return self._add(
            SessionFeedback(
                session_id=sched.id,
                respondent=respondent_key(sched, participant),
                participant_id=participant.id if signed else None,
                useful=useful,
                clear=clear,
                organised=organised,
                comment=comment,
            )
        )

    def self_assessment(
        self, organisation: Organisation, programme: Programme, competence: Competence, phase: str, rating: int
    ) -> SelfAssessment:
        return self._add(
            SelfAssessment(
                organisation_id=organisation.id,
                programme_id=programme.id,
                competence_id=competence.id,
                phase=AssessmentPhase(phase),
                rating=rating,
            )
        )

    def narrative(self, site: Site, section: str, text: str) -> Narrative:
        return self._add(Narrative(site_id=site.id, section=NarrativeSection(section), text=text))

"""Writes for organisations: registration, enrolment decisions, profile, participants,
competences and the competence catalogue."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from oep.accounts import services as accounts
from oep.accounts.models import Role, User
from oep.core.db import utcnow
from oep.core.errors import Conflict, DomainError, InvalidInput
from oep.core.mail import send_template
from oep.organisations.consent import consent_version, registration_consent_text
from oep.organisations.models import (
    ENROLMENT_TRANSITIONS,
    Competence,
    CompetenceDirection,
    Consent,
    Enrolment,
    EnrolmentStatus,
    Organisation,
    OrganisationCompetence,
    OrganisationType,
    Participant,
    name_key,
)
from oep.programmes.models import Site, site_trainers

log = logging.getLogger(__name__)

ORGANISATION_FIELDS = ("name", "type", "sector", "city", "website", "languages", "description")


# --- registration and enrolment -----------------------------------------------------------------


def _check_name_free_at_site(session: Session, name: str, site_id: int, except_org_id: int | None = None) -> None:
    clash = session.scalar(
        sa.select(Organisation.id)
        .join(Enrolment, Enrolment.organisation_id == Organisation.id)
        .where(
            Enrolment.site_id == site_id,
            Organisation.name_key == name_key(name),
            Organisation.id != (except_org_id or 0),
        )
        .limit(1)
    )
    if clash:
        raise Conflict(
            _(
                "An organisation called “%(name)s” is already registered at this site. If it is "
                "yours, sign in with its contact's account or ask the coordinator.",
                name=" ".join(name.split()),
            ),
            field="name",
        )


def _check_site_open(site: Site) -> None:
    if not site.programme.registration_open:
        raise DomainError(_("Registration for this programme is closed."), field="site")


def reviewers_of(session: Session, site: Site) -> list[User]:
    """Who reviews registrations for a site: every coordinator and the site's trainers."""
    return session.scalars(
        sa.select(User).where(
            User.is_active.is_(True),
            sa.or_(
                User.role == Role.COORDINATOR,
                User.id.in_(sa.select(site_trainers.c.user_id).where(site_trainers.c.site_id == site.id)),
            ),
        )
    ).all()


def register_organisation(
    session: Session,
    *,
    site: Site,
    name: str,
    type: OrganisationType,
    sector: str = "",
    city: str = "",
    website: str = "",
    languages: Iterable[str] = (),
    description: str = "",
    contact_name: str,
    email: str,
    password: str,
    locale: str = "en",
    password_hash: str | None = None,
    notify: bool = True,
) -> Enrolment:
    """An organisation registers for a site: organisation, contact account, pending enrolment
    and the consent given, all or nothing. Reviewers and the contact are told by mail."""
    _check_site_open(site)
    _check_name_free_at_site(session, name, site.id)
    if accounts.email_taken(session, email):
        raise Conflict(
            _("An account with this e-mail address already exists. Sign in instead, or use another address."),
            field="email",
        )
    organisation = Organisation(
        type=type, sector=sector, city=city, website=website, languages=list(languages), description=description
    )
    organisation.set_name(name)
    session.add(organisation)
    session.flush()
    contact = accounts.create_user(
        session,
        email=email,
        name=contact_name,
        role=Role.CONTACT,
        password=password if password_hash is None else None,
        password_hash=password_hash,
        organisation=organisation,
        locale=locale,
    )
    session.add(
        Consent(
            organisation_id=organisation.id,
            user_id=contact.id,
            version=consent_version(),
            locale=locale,
            text=registration_consent_text(),
            given_at=utcnow(),
        )
    )
    enrolment = Enrolment(organisation=organisation, site=site, status=EnrolmentStatus.PENDING)
    session.add(enrolment)
    session.flush()
    if notify:
        _notify_registration(session, enrolment, contact)
    return enrolment


def _notify_registration(session: Session, enrolment: Enrolment, contact: User) -> None:
    review_link = accounts.external_url("organisations.review")
    for reviewer in reviewers_of(session, enrolment.site):
        send_template(
            session,
            reviewer.email,
            "registration_waiting",
            locale=reviewer.locale,
            reviewer=reviewer,
            enrolment=enrolment,
            link=review_link,
        )
    send_template(
        session,
        contact.email,
        "registration_received",
        locale=contact.locale,
        contact=contact,
        enrolment=enrolment,
        link=accounts.external_url("organisations.detail", org_id=enrolment.organisation_id),
    )


def enrol_at_site(session: Session, organisation: Organisation, site: Site, by: User) -> Enrolment:
    """An organisation already known applies to another site (say, next year's edition)."""
    _check_site_open(site)
    if session.scalar(
        sa.select(Enrolment.id).where(Enrolment.organisation_id == organisation.id, Enrolment.site_id == site.id)
    ):
        raise Conflict(_("Your organisation is already registered at this site."), field="site")
    _check_name_free_at_site(session, organisation.name, site.id, except_org_id=organisation.id)
    enrolment = Enrolment(organisation=organisation, site=site, status=EnrolmentStatus.PENDING)
    session.add(enrolment)
    session.flush()
    _notify_registration(session, enrolment, by)
    return enrolment


def decide_enrolment(
    session: Session, enrolment: Enrolment, decision: EnrolmentStatus, reason: str, decided_by: User
) -> Enrolment:
    """Accept, waitlist or decline an enrolment (or record a withdrawal); the organisation's
    contacts are told by mail."""
    reason = (reason or "").strip()
    allowed = ENROLMENT_TRANSITIONS[enrolment.status]
    if decision not in allowed:
        raise Conflict(
            _(
                "An enrolment that is “%(current)s” cannot become “%(new)s”.",
                current=enrolment.status.label,
                new=decision.label,
            )
        )
    if decision is EnrolmentStatus.DECLINED and not reason:
        raise InvalidInput(_("Please give the organisation a reason for declining."), field="reason")
    enrolment.status = decision
    enrolment.decision_reason = reason
    enrolment.decided_at = utcnow()
    enrolment.decided_by = decided_by
    session.flush()
    for contact in enrolment.organisation.contacts:
        if contact.is_active:
            send_template(
                session,
                contact.email,
                "enrolment_decided",
                locale=contact.locale,
                contact=contact,
                enrolment=enrolment,
                link=accounts.external_url("organisations.detail", org_id=enrolment.organisation_id),
            )
    return enrolment


def withdraw_enrolment(session: Session, enrolment: Enrolment, by: User, reason: str = "") -> Enrolment:
    if EnrolmentStatus.WITHDRAWN not in ENROLMENT_TRANSITIONS[enrolment.status]:
        raise Conflict(_("This enrolment can no longer be withdrawn."))
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.decision_reason = (reason or "").strip()
    enrolment.decided_at = utcnow()
    enrolment.decided_by = by
    session.flush()
    return enrolment


def update_organisation(session: Session, organisation: Organisation, **fields) -> Organisation:
    if "name" in fields:
        for site_id in session.scalars(
            sa.select(Enrolment.site_id).where(Enrolment.organisation_id == organisation.id)
        ):
            _check_name_free_at_site(session, fields["name"], site_id, except_org_id=organisation.id)
        organisation.set_name(fields.pop("name"))
    for key, value in fields.items():
        if key not in ORGANISATION_FIELDS:
            raise TypeError(f"unknown organisation field {key}")
        setattr(organisation, key, value)
    session.flush()
    return organisation


# --- participants -----------------------------------------------------------------------------


@dataclass
class ParticipantData:
    name: str
    email: str = ""
    phone: str = ""
    preferred_language: str = "en"


def _check_participant_free(
    session: Session, organisation: Organisation, data: ParticipantData, except_id: int | None = None
) -> None:
    same = sa.func.lower(Participant.name) == " ".join(data.name.split()).lower()
    if data.email:
        same = sa.and_(same, sa.func.lower(Participant.email) == data.email.lower())
    clash = session.scalar(
        sa.select(Participant.id)
        .where(Participant.organisation_id == organisation.id, same, Participant.id != (except_id or 0))
        .limit(1)
    )
    if clash:
        raise Conflict(_("%(name)s is already one of your participants.", name=data.name), field="name")


def add_participant(session: Session, organisation: Organisation, data: ParticipantData) -> Participant:
    _check_participant_free(session, organisation, data)
    participant = Participant(
        organisation_id=organisation.id,
        name=" ".join(data.name.split()),
        email=data.email.strip().lower(),
        phone=data.phone.strip(),
        preferred_language=data.preferred_language,
        consent_given_at=utcnow(),
        consent_version=consent_version(),
    )
    session.add(participant)
    session.flush()
    return participant


def update_participant(session: Session, participant: Participant, data: ParticipantData) -> Participant:
    _check_participant_free(session, participant.organisation, data, except_id=participant.id)
    participant.name = " ".join(data.name.split())
    participant.email = data.email.strip().lower()
    participant.phone = data.phone.strip()
    participant.preferred_language = data.preferred_language
    session.flush()
    return participant


def remove_participant(session: Session, participant: Participant) -> None:
    session.delete(participant)
    session.flush()


def import_participants(session: Session, organisation: Organisation, rows: list[ParticipantData]) -> list[Participant]:
    """Add every row, or none: the caller has validated the whole file first."""
    return [add_participant(session, organisation, row) for row in rows]


# --- competences ------------------------------------------------------------------------------


def add_competence(session: Session, name: str, description: str = "") -> Competence:
    name = " ".join(name.split())
    if session.scalar(sa.select(Competence.id).where(sa.func.lower(Competence.name) == name.lower())):
        raise Conflict(_("The catalogue already has “%(name)s”.", name=name), field="name")
    competence = Competence(name=name, description=description.strip())
    session.add(competence)
    session.flush()
    return competence


def update_competence(session: Session, competence: Competence, name: str, description: str = "") -> Competence:
    name = " ".join(name.split())
    clash = session.scalar(
        sa.select(Competence.id).where(sa.func.lower(Competence.name) == name.lower(), Competence.id != competence.id)
    )
    if clash:
        raise Conflict(_("The catalogue already has “%(name)s”.", name=name), field="name")
    competence.name = name
    competence.description = description.strip()
    session.flush()
    return competence


def delete_competence(session: Session, competence: Competence) -> None:
    used = session.scalar(sa.select(sa.func.count()).where(OrganisationCompetence.competence_id == competence.id))
    if used:
        raise Conflict(
            _(
                "“%(name)s” is used by %(count)d organisation entries and cannot be deleted. Rename it instead.",
                name=competence.name,
                count=used,
            )
        )
    session.delete(competence)
    session.flush()


@dataclass
class CompetenceChoice:
    competence_id: int
    direction: CompetenceDirection
    level: int
    note: str = ""


def set_competences(session: Session, organisation: Organisation, choices: list[CompetenceChoice]) -> None:
    """Replace what the organisation offers and needs with ``choices``."""
    known = set(session.scalars(sa.select(Competence.id)))
    seen = set()
    for choice in choices:
        if choice.competence_id not in known:
            raise InvalidInput(_("Choose competences from the catalogue."))
        if not 1 <= choice.level <= 3:
            raise InvalidInput(_("A level is 1, 2 or 3."))
        key = (choice.competence_id, choice.direction)
        if key in seen:
            raise InvalidInput(_("Each competence can be chosen once as an offer and once as a need."))
        seen.add(key)
    current = {(c.competence_id, c.direction): c for c in organisation.competences}
    for key, entry in current.items():
        if key not in seen:
            session.delete(entry)
    for choice in choices:
        entry = current.get((choice.competence_id, choice.direction))
        if entry is None:
            session.add(
                OrganisationCompetence(
                    organisation_id=organisation.id,
                    competence_id=choice.competence_id,
                    direction=choice.direction,
                    level=choice.level,
                    note=choice.note.strip()[:300],
                )
            )
        else:
            entry.level = choice.level
            entry.note = choice.note.strip()[:300]
    session.flush()

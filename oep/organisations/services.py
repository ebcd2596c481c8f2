"""Writes for organisations: registration, enrolment decisions, profile, participants,
competences and the competence catalogue."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from oep.accounts import services as accounts
from oep.accounts.models import Role, User
from oep.core.db import utcnow
from oep.core.errors import Conflict, DomainError, InvalidInput
from oep.core.i18n import default_language, interface_languages, spoken_languages
from oep.core.i18n_text import I18nText, text_key
from oep.core.mail import send_template
from oep.core.validation import Problems, column_length, email_address, one_line, translations, web_address
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
from oep.programmes.models import Programme, Site, site_trainers

log = logging.getLogger(__name__)

#: The longest description an organisation may give of itself (a paragraph, as the review
#: queue and the public pages show it).
DESCRIPTION_MAX_LENGTH = 1000
#: The longest reason given with a decision on an enrolment (it is mailed to the contact).
REASON_MAX_LENGTH = 2000
#: The longest description of a competence in the catalogue.
COMPETENCE_DESCRIPTION_MAX_LENGTH = 1000


def _unknown_language(code: str) -> str:
    return _("Unknown language “%(value)s”; use a code such as en, da, de, it, el, ar.", value=code)


# --- the organisation's profile ---------------------------------------------------------------


@dataclass
class OrganisationData:
    """An organisation's profile as its contact gives it: name, ``type``, sector, city,
    website (``https://`` is put in front of a bare "example.org"), the spoken-language codes
    it works in ("ar", "da", ...) and a short description."""

    name: str
    type: OrganisationType | None
    sector: str = ""
    city: str = ""
    website: str = ""
    languages: list[str] = field(default_factory=list)
    description: str = ""


def organisation_problems(data: OrganisationData) -> Problems:
    """Every rule an organisation's profile must keep, checked without the database: a name of
    at most 200 characters, a type, sector and city of at most 120 characters, a web address
    of at most 300, known languages and a description of at most ``DESCRIPTION_MAX_LENGTH``
    characters. Returns the problems found, by field (empty when none)."""
    problems = Problems()
    problems.text("name", one_line(data.name), column_length(Organisation.name), required=True)
    problems.require("type", isinstance(data.type, OrganisationType), _("Choose a type."))
    problems.text("sector", data.sector.strip(), column_length(Organisation.sector))
    problems.text("city", data.city.strip(), column_length(Organisation.city))
    problems.web_address("website", web_address(data.website), column_length(Organisation.website))
    for code in data.languages:
        problems.choice("languages", code, spoken_languages(), _unknown_language(code))
    problems.text("description", data.description.strip(), DESCRIPTION_MAX_LENGTH)
    return problems


def _apply_organisation(organisation: Organisation, data: OrganisationData) -> None:
    organisation.set_name(data.name)
    organisation.type = data.type
    organisation.sector = data.sector.strip()
    organisation.city = data.city.strip()
    organisation.website = web_address(data.website)
    organisation.languages = list(dict.fromkeys(data.languages))
    organisation.description = data.description.strip()


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
    """Who reviews registrations for ``site``: every active coordinator and the site's active
    trainers."""
    return session.scalars(
        sa.select(User).where(
            User.is_active.is_(True),
            sa.or_(
                User.role == Role.COORDINATOR,
                User.id.in_(sa.select(site_trainers.c.user_id).where(site_trainers.c.site_id == site.id)),
            ),
        )
    ).all()


@dataclass
class RegistrationData:
    """What the public registration form collects: the organisation's profile, its contact
    person's name, e-mail address and password (None when a ready hash is given instead),
    whether they agree to the processing of the data (``consent``: the text of
    ``consent.registration_consent_text``), and their interface language ("en", "da", ...)."""

    organisation: OrganisationData
    contact_name: str
    email: str
    password: str | None
    consent: bool = False
    locale: str = "en"


def registration_problems(data: RegistrationData) -> Problems:
    """Every rule a registration must keep, checked without the database: the organisation's
    (``organisation_problems``), its contact's account (``accounts.account_problems``, the
    name under ``contact_name``) and the consent given. Returns the problems found, by field."""
    problems = organisation_problems(data.organisation)
    account = accounts.account_problems(
        email=data.email, name=data.contact_name, password=data.password, name_field="contact_name"
    )
    problems.found.extend(account)
    problems.require("consent", data.consent, _("The programme can only register you with your consent."))
    return problems


def register_organisation(
    session: Session,
    site: Site,
    data: RegistrationData,
    *,
    password_hash: str | None = None,
    notify: bool = True,
) -> Enrolment:
    """An organisation registers for ``site``: the organisation, its contact's account, a
    pending enrolment and the consent given (its exact text and version, CONSENT_VERSION),
    all or nothing. Reviewers (coordinators and the site's trainers) and the contact are told
    by mail unless ``notify`` is false. ``password_hash`` replaces ``data.password`` (the demo
    loads many accounts with one hash). Returns the enrolment.

    Raises ``InvalidInput`` with every problem of ``registration_problems``; ``DomainError``
    (field ``site``) when the programme takes no registrations; ``Conflict`` when an
    organisation of that name is registered at the site (field ``name``) or an account uses
    the e-mail address (field ``email``).
    """
    registration_problems(data).raise_if_any()
    _check_site_open(site)
    _check_name_free_at_site(session, data.organisation.name, site.id)
    if accounts.email_taken(session, data.email):
        raise Conflict(
            _("An account with this e-mail address already exists. Sign in instead, or use another address."),
            field="email",
        )
    organisation = Organisation()
    _apply_organisation(organisation, data.organisation)
    session.add(organisation)
    session.flush()
    contact = accounts.create_user(
        session,
        email=data.email,
        name=data.contact_name,
        role=Role.CONTACT,
        password=data.password if password_hash is None else None,
        password_hash=password_hash,
        organisation=organisation,
        locale=data.locale,
    )
    session.add(
        Consent(
            organisation_id=organisation.id,
            user_id=contact.id,
            version=consent_version(),
            locale=data.locale,
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
    """An organisation already known applies to another ``site`` (say, next year's edition);
    ``by`` (its contact) and the site's reviewers are told by mail. Returns the pending enrolment.

    Raises ``DomainError`` (field ``site``) when the programme takes no registrations, and
    ``Conflict`` when the organisation is already registered there (field ``site``) or another
    organisation of its name is (field ``name``).
    """
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
    """Accept, waitlist or decline an enrolment (or record a withdrawal), with ``reason`` (a
    message to the organisation, required to decline); the organisation's active contacts are
    told by mail. Returns the enrolment.

    Raises ``Conflict`` when its status cannot become ``decision`` (``ENROLMENT_TRANSITIONS``:
    a declined or withdrawn enrolment is final), and ``InvalidInput`` (field ``reason``) when a
    decline gives no reason or a reason is longer than ``REASON_MAX_LENGTH`` characters.
    """
    reason = (reason or "").strip()
    _check_reason(reason)
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


def _check_reason(reason: str) -> None:
    problems = Problems()
    problems.text("reason", reason, REASON_MAX_LENGTH)
    problems.raise_if_any()


def withdraw_enrolment(session: Session, enrolment: Enrolment, by: User, reason: str = "") -> Enrolment:
    """``by`` withdraws ``enrolment`` (the organisation leaves the site), with an optional
    ``reason``. Returns the enrolment.

    Raises ``Conflict`` when it is already declined or withdrawn, and ``InvalidInput`` (field
    ``reason``) for a reason longer than ``REASON_MAX_LENGTH`` characters.
    """
    _check_reason((reason or "").strip())
    if EnrolmentStatus.WITHDRAWN not in ENROLMENT_TRANSITIONS[enrolment.status]:
        raise Conflict(_("This enrolment can no longer be withdrawn."))
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.decision_reason = (reason or "").strip()
    enrolment.decided_at = utcnow()
    enrolment.decided_by = by
    session.flush()
    return enrolment


def update_organisation(session: Session, organisation: Organisation, data: OrganisationData) -> Organisation:
    """Replace ``organisation``'s profile with ``data`` and return it.

    Raises ``InvalidInput`` with every problem of ``organisation_problems``, and ``Conflict``
    (field ``name``) when another organisation of the new name is registered at one of its
    sites; nothing is changed then.
    """
    organisation_problems(data).raise_if_any()
    for site_id in session.scalars(sa.select(Enrolment.site_id).where(Enrolment.organisation_id == organisation.id)):
        _check_name_free_at_site(session, data.name, site_id, except_org_id=organisation.id)
    _apply_organisation(organisation, data)
    session.flush()
    return organisation


# --- participants -----------------------------------------------------------------------------


@dataclass
class ParticipantData:
    """A person an organisation adds: their name, optional e-mail address and phone number,
    the spoken language they prefer (a code such as "ar"), and whether they have given their
    consent to take part and to the processing of their data (``consent``: the text of
    ``consent.participant_consent_text``). Consent is asked for when the person is added; an
    update keeps the one recorded then."""

    name: str
    email: str = ""
    phone: str = ""
    preferred_language: str = "en"
    consent: bool = False


def participant_problems(data: ParticipantData, *, adding: bool = True) -> Problems:
    """Every rule a participant's data must keep, checked without the database: a name of at
    most 200 characters, a well-formed e-mail address or none, a phone number of at most 40
    characters, a known language and, when ``adding`` them, their consent (OEP records people
    on the basis of their consent, GDPR art. 6(1)(a)). Returns the problems found, by field
    (empty when none)."""
    problems = Problems()
    problems.text("name", one_line(data.name), column_length(Participant.name), required=_("A name is required."))
    problems.email("email", data.email)
    problems.text("phone", data.phone.strip(), column_length(Participant.phone))
    problems.choice(
        "preferred_language", data.preferred_language, spoken_languages(), _unknown_language(data.preferred_language)
    )
    if adding:
        problems.require("consent", data.consent, _("Only people who have given their consent can be added."))
    return problems


def _identity(name: str, email: str) -> tuple[str, str]:
    return one_line(name).casefold(), email_address(email)


def _already_listed(identity: tuple[str, str], known: set[tuple[str, str]]) -> bool:
    """The same person: the same name and, when an address is given, the same address."""
    name, email = identity
    return identity in known if email else any(known_name == name for known_name, _email in known)


def _known_people(session: Session, organisation: Organisation, except_id: int | None = None) -> set[tuple[str, str]]:
    rows = session.execute(
        sa.select(Participant.name, Participant.email).where(
            Participant.organisation_id == organisation.id, Participant.id != (except_id or 0)
        )
    )
    return {_identity(name, email) for name, email in rows}


def _already_yours(name: str) -> str:
    return _("%(name)s is already one of your participants.", name=one_line(name))


def _check_not_listed(
    session: Session, organisation: Organisation, data: ParticipantData, except_id: int | None = None
) -> None:
    if _already_listed(_identity(data.name, data.email), _known_people(session, organisation, except_id)):
        raise Conflict(_already_yours(data.name), field="name")


def participant_list_problems(
    session: Session, organisation: Organisation, rows: Sequence[ParticipantData]
) -> list[Problems]:
    """The problems of each of ``rows`` (people to add to ``organisation`` at once, say from a
    CSV file), in their order: each row's own (``participant_problems``), someone already among
    the organisation's participants, and someone listed twice. One query."""
    known = _known_people(session, organisation)
    listed: set[tuple[str, str]] = set()
    result = []
    for data in rows:
        problems = participant_problems(data)
        identity = _identity(data.name, data.email)
        if identity[0] and not problems.has("name"):
            if _already_listed(identity, known):
                problems.add("name", _already_yours(data.name))
            elif _already_listed(identity, listed):
                problems.add("name", _("%(name)s appears twice in this list.", name=one_line(data.name)))
        listed.add(identity)
        result.append(problems)
    return result


def _new_participant(organisation: Organisation, data: ParticipantData) -> Participant:
    return Participant(
        organisation_id=organisation.id,
        name=one_line(data.name),
        email=email_address(data.email),
        phone=data.phone.strip(),
        preferred_language=data.preferred_language,
        consent_given_at=utcnow(),
        consent_version=consent_version(),
    )


def add_participant(session: Session, organisation: Organisation, data: ParticipantData) -> Participant:
    """Add a person to ``organisation``, with their consent recorded now under CONSENT_VERSION;
    the name is stored on one line, the address lower-cased. Returns them (flushed).

    Raises ``InvalidInput`` with every problem of ``participant_problems`` (consent included),
    and ``Conflict`` (field ``name``) when the organisation already has this person (the same
    name and, when an address is given, the same address).
    """
    participant_problems(data).raise_if_any()
    _check_not_listed(session, organisation, data)
    participant = _new_participant(organisation, data)
    session.add(participant)
    session.flush()
    return participant


def update_participant(session: Session, participant: Participant, data: ParticipantData) -> Participant:
    """Replace a participant's details with ``data`` (their recorded consent stays as it was;
    ``data.consent`` is not looked at) and return them.

    Raises ``InvalidInput`` and ``Conflict`` as ``add_participant`` does, consent aside;
    nothing is changed then.
    """
    participant_problems(data, adding=False).raise_if_any()
    _check_not_listed(session, participant.organisation, data, except_id=participant.id)
    participant.name = one_line(data.name)
    participant.email = email_address(data.email)
    participant.phone = data.phone.strip()
    participant.preferred_language = data.preferred_language
    session.flush()
    return participant


def remove_participant(session: Session, participant: Participant) -> None:
    """Delete a participant. Their attendance marks, warnings, bookings and absence notices go
    with them (``ON DELETE CASCADE``); their certificates and signed feedback stay, no longer
    linked to them (``SET NULL``). Raises nothing."""
    session.delete(participant)
    session.flush()


def import_participants(
    session: Session, organisation: Organisation, rows: Sequence[ParticipantData]
) -> list[Participant]:
    """Add every one of ``rows`` to ``organisation``, or none: each is checked as
    ``participant_list_problems`` says, then all are added with their consent recorded now.
    Returns the new participants, in the order of ``rows``.

    Raises ``InvalidInput`` with the problems of the first row that has any (nothing is added).
    """
    for problems in participant_list_problems(session, organisation, rows):
        problems.raise_if_any()
    participants = [_new_participant(organisation, data) for data in rows]
    session.add_all(participants)
    session.flush()
    return participants


# --- competences ------------------------------------------------------------------------------


#: The catalogue's texts: an ``I18nText`` (or a mapping of language codes to texts), or a plain
#: string for the text in the catalogue's main language.
CatalogueText = I18nText | dict[str, str] | str


def catalogue_languages(session: Session) -> list[str]:
    """The languages the shared competence catalogue is written in: the default language (its
    main one, which every entry is sorted and kept unique by), then each language some
    programme runs in, in the order of the interface languages."""
    used = {code for languages in session.scalars(sa.select(Programme.languages)) for code in (languages or [])}
    main = default_language()
    return [main] + [code for code in interface_languages() if code in used and code != main]


def _competence_problems(name: I18nText, description: I18nText, languages: list[str]) -> Problems:
    problems = Problems()
    problems.translations("name", name, languages, column_length(Competence.name), required=True)
    problems.translations("description", description, languages, COMPETENCE_DESCRIPTION_MAX_LENGTH)
    return problems


def _competence_texts(session: Session, name: CatalogueText, description: CatalogueText):
    languages = catalogue_languages(session)
    name = translations(name, languages, single_line=True)
    description = translations(description, languages)
    _competence_problems(name, description, languages).raise_if_any()
    return name, description


def add_competence(session: Session, name: CatalogueText, description: CatalogueText = "") -> Competence:
    """Add an entry to the shared competence catalogue and return it: its name (on one line)
    and description in the catalogue's languages (``catalogue_languages``; a plain string is
    the main language's).

    Raises ``InvalidInput`` for a name missing in the main language, a text in another language
    than the catalogue's, a name longer than 120 characters (field ``name``) or a description
    longer than ``COMPETENCE_DESCRIPTION_MAX_LENGTH`` (field ``description``) in any language,
    and ``Conflict`` (field ``name``) when the catalogue has the name in the main language,
    whatever its case.
    """
    name, description = _competence_texts(session, name, description)
    if session.scalar(sa.select(Competence.id).where(Competence.name_key == text_key(name))):
        raise Conflict(_("The catalogue already has “%(name)s”.", name=name.main), field="name")
    competence = Competence(name=name, description=description)
    session.add(competence)
    session.flush()
    return competence


def update_competence(
    session: Session, competence: Competence, name: CatalogueText, description: CatalogueText = ""
) -> Competence:
    """Rename or redescribe a catalogue entry (every organisation's offer or need of it follows)
    and return it. Raises ``InvalidInput`` and ``Conflict`` as ``add_competence`` does."""
    name, description = _competence_texts(session, name, description)
    clash = session.scalar(
        sa.select(Competence.id).where(Competence.name_key == text_key(name), Competence.id != competence.id)
    )
    if clash:
        raise Conflict(_("The catalogue already has “%(name)s”.", name=name.main), field="name")
    competence.name = name
    competence.description = description
    session.flush()
    return competence


def delete_competence(session: Session, competence: Competence) -> None:
    """Remove an entry from the catalogue.

    Raises ``Conflict`` when an organisation offers or needs it (rename it instead).
    """
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
    """A catalogue competence an organisation offers or needs (``direction``), at ``level`` 1
    (some), 2 (good) or 3 (strong), with a note (kept to its first 300 characters)."""

    competence_id: int
    direction: CompetenceDirection
    level: int
    note: str = ""


def set_competences(session: Session, organisation: Organisation, choices: list[CompetenceChoice]) -> None:
    """Replace what ``organisation`` offers and needs with ``choices`` (entries left out are
    removed, others added or updated). Raises ``InvalidInput`` (no field) for a competence not
    in the catalogue, a level other than 1, 2 or 3, or a competence chosen twice in one
    direction; nothing is changed then."""
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

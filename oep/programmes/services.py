"""Writes for programmes, sites, modules and committees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from oep.accounts.models import Role, User
from oep.core.choices import country_codes
from oep.core.errors import Conflict, InvalidInput
from oep.core.i18n import interface_languages, spoken_languages
from oep.core.i18n_text import I18nText, text_key
from oep.core.validation import Problems, column_length, one_line, translations
from oep.programmes.models import (
    CommitteeCategory,
    CommitteeMember,
    Module,
    Programme,
    Site,
    eu_co_funded,
)

#: A text given in the programme's languages: an ``I18nText`` (or a mapping of language codes
#: to texts), or a plain string for the text in the programme's main language.
Texts = I18nText | dict[str, str] | str

#: The longest public description and funder line a programme may have (what its pages and
#: certificates have room for).
DESCRIPTION_MAX_LENGTH = 5000
FUNDER_ACKNOWLEDGEMENT_MAX_LENGTH = 1000
#: The programme's numeric settings and the range each must lie in (the CHECK constraints of
#: ``programmes``; minutes and seconds are durations, the others percentages or counts).
PROGRAMME_NUMBER_RANGES = {
    "completion_min_attendance_percent": (0, 100),
    "left_early_credit_percent": (0, 100),
    "warning_min_held_sessions": (1, 100),
    "warning_consecutive_absences": (1, 100),
    "checkin_opens_minutes": (0, 1440),
    "checkin_grace_minutes": (0, 240),
    "checkin_code_seconds": (10, 600),
}
#: A module's length, in hours: half an hour at least, and less than a thousand.
MODULE_MIN_HOURS, MODULE_MAX_HOURS = Decimal("0.5"), Decimal("999")
MODULE_TEXT_MAX_LENGTH = 5000


# --- programmes -------------------------------------------------------------------------------


@dataclass
class ProgrammeData:
    """What a coordinator enters for a programme.

    ``starts_on`` and ``ends_on`` are calendar dates (the programme's first and last day, the
    same in every site's zone); ``languages`` are interface language codes ("en", "da", ...),
    the first being the programme's main language. The texts (``name``, ``description``,
    ``certificate_signatory_title``, ``funder_acknowledgement``) are ``Texts`` in those
    languages, the main one required for the name; a ``funder_acknowledgement`` left None is the
    EU's wording of "Co-funded by the European Union" in the programme's languages. The
    completion share and the "left early" credit are percentages; the check-in settings are in
    minutes (``checkin_opens_minutes``, ``checkin_grace_minutes``) and seconds
    (``checkin_code_seconds``). ``emblem_file`` and ``certificate_signature_file`` name
    pictures already stored by ``oep.core.uploads``; None keeps the current one when a
    programme is updated.
    """

    name: Texts
    starts_on: date | None
    ends_on: date | None
    languages: list[str] = field(default_factory=lambda: ["en"])
    description: Texts = ""
    registration_open: bool = False
    completion_min_attendance_percent: int | None = 80
    completion_requires_mandatory_modules: bool = True
    left_early_credit_percent: int | None = 50
    warning_min_held_sessions: int | None = 3
    warning_consecutive_absences: int | None = 3
    checkin_opens_minutes: int | None = 30
    checkin_grace_minutes: int | None = 10
    checkin_code_seconds: int | None = 30
    certificate_signatory_name: str = ""
    certificate_signatory_title: Texts = ""
    funder_acknowledgement: Texts | None = None
    emblem_file: str | None = None
    certificate_signature_file: str | None = None


def programme_languages(data: ProgrammeData) -> list[str]:
    """The programme's languages as stored: each once, in the order given (main first)."""
    return list(dict.fromkeys(data.languages or []))


def programme_texts(data: ProgrammeData) -> dict[str, I18nText]:
    """The programme's texts as stored (see ``translations``), by field."""
    languages = programme_languages(data) or ["en"]
    funder = data.funder_acknowledgement
    return {
        "name": translations(data.name, languages, single_line=True),
        "description": translations(data.description, languages),
        "certificate_signatory_title": translations(data.certificate_signatory_title, languages, single_line=True),
        "funder_acknowledgement": eu_co_funded(languages) if funder is None else translations(funder, languages),
    }


def programme_problems(data: ProgrammeData) -> Problems:
    """Every rule a programme's data must keep, checked without the database: a name of at
    most 200 characters in each language and given in the main one, both dates with the end
    not before the start, at least one language OEP is translated into, each number in its
    range (``PROGRAMME_NUMBER_RANGES``), the texts given only in the programme's languages and
    within their lengths. Returns the problems found, by field (empty when none)."""
    problems = Problems()
    languages = programme_languages(data) or ["en"]
    texts = programme_texts(data)
    problems.translations("name", texts["name"], languages, column_length(Programme.name), required=True)
    problems.translations("description", texts["description"], languages, DESCRIPTION_MAX_LENGTH)
    problems.require("starts_on", data.starts_on is not None, _("Enter a date."))
    problems.require("ends_on", data.ends_on is not None, _("Enter a date."))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        problems.add("ends_on", _("The programme cannot end before it starts."))
    problems.require("languages", bool(data.languages), _("Choose at least one language."))
    offered = interface_languages()
    for code in data.languages:
        problems.choice(
            "languages",
            code,
            offered,
            _(
                "A programme runs in the languages OEP is translated into (%(codes)s), not in “%(value)s”.",
                codes=", ".join(offered),
                value=code,
            ),
        )
    for name, (low, high) in PROGRAMME_NUMBER_RANGES.items():
        problems.number(name, getattr(data, name), low, high)
    problems.text(
        "certificate_signatory_name",
        data.certificate_signatory_name.strip(),
        column_length(Programme.certificate_signatory_name),
    )
    problems.translations(
        "certificate_signatory_title",
        texts["certificate_signatory_title"],
        languages,
        column_length(Programme.certificate_signatory_title),
    )
    problems.translations(
        "funder_acknowledgement", texts["funder_acknowledgement"], languages, FUNDER_ACKNOWLEDGEMENT_MAX_LENGTH
    )
    return problems


def _check_programme_name_free(session: Session, name: I18nText, programme_id: int | None) -> None:
    clash = session.scalar(
        sa.select(Programme.id).where(Programme.name_key == text_key(name), Programme.id != (programme_id or 0))
    )
    if clash:
        raise Conflict(_("Another programme already has this name."), field="name")


def _apply_programme(programme: Programme, data: ProgrammeData) -> None:
    texts = programme_texts(data)
    languages_before = list(programme.languages or [])
    programme.name = texts["name"]
    programme.description = texts["description"]
    programme.starts_on, programme.ends_on = data.starts_on, data.ends_on
    programme.languages = programme_languages(data)
    if programme.id is not None and programme.languages != languages_before:
        _reorder_texts(programme)
    programme.registration_open = data.registration_open
    programme.completion_requires_mandatory_modules = data.completion_requires_mandatory_modules
    for name in PROGRAMME_NUMBER_RANGES:
        setattr(programme, name, getattr(data, name))
    programme.certificate_signatory_name = data.certificate_signatory_name.strip()
    programme.certificate_signatory_title = texts["certificate_signatory_title"]
    programme.funder_acknowledgement = texts["funder_acknowledgement"]
    if data.emblem_file is not None:
        programme.emblem_file = data.emblem_file
    if data.certificate_signature_file is not None:
        programme.certificate_signature_file = data.certificate_signature_file


def _reorder_texts(programme: Programme) -> None:
    """Put the texts of the programme's sites and modules in the order of its languages, so
    that each falls back to the new main language (see ``I18nText``)."""
    languages = programme.languages
    for site in programme.sites:
        site.city = site.city.ordered(languages)
    for module in programme.modules:
        for name in ("title", "summary", "learning_outcomes"):
            setattr(module, name, getattr(module, name).ordered(languages))


def create_programme(session: Session, data: ProgrammeData) -> Programme:
    """Create a programme from ``data`` and return it (flushed, so it has its id).

    Raises ``InvalidInput`` with every problem of ``programme_problems``, and ``Conflict``
    (field ``name``) when another programme has the same name, whatever its case.
    """
    programme_problems(data).raise_if_any()
    _check_programme_name_free(session, programme_texts(data)["name"], None)
    programme = Programme()
    _apply_programme(programme, data)
    session.add(programme)
    session.flush()
    return programme


def update_programme(session: Session, programme: Programme, data: ProgrammeData) -> Programme:
    """Replace ``programme``'s settings with ``data`` (a picture left None is kept) and return it.

    Raises ``InvalidInput`` and ``Conflict`` as ``create_programme`` does; nothing is changed
    then.
    """
    programme_problems(data).raise_if_any()
    _check_programme_name_free(session, programme_texts(data)["name"], programme.id)
    _apply_programme(programme, data)
    session.flush()
    return programme


# --- sites ------------------------------------------------------------------------------------


@dataclass
class SiteData:
    """A programme's site: its city as shown (``Texts`` in the programme's languages: "Athens",
    "Αθήνα"), ``country`` (ISO 3166-1 alpha-2, "IT"), ``timezone`` (an
    IANA name, "Europe/Rome": the zone every date and time of the site is entered and shown
    in), ``local_language`` (a spoken-language code, "it"), partner organisation and the ids of
    its trainers (users with the trainer role)."""

    city: Texts
    country: str
    timezone: str
    local_language: str
    partner_organisation: str = ""
    trainer_ids: list[int] = field(default_factory=list)


def site_problems(data: SiteData, languages: list[str]) -> Problems:
    """Every rule a site's data must keep, checked without the database: a city of at most 120
    characters in each of the programme's ``languages`` (main first) and given in the main
    one, a known country, time zone and language, a partner organisation of at most 200
    characters. Returns the problems found, by field (empty when none)."""
    problems = Problems()
    city = translations(data.city, languages, single_line=True)
    problems.translations("city", city, languages, column_length(Site.city), required=True)
    problems.choice("country", (data.country or "").upper(), country_codes(), _("Choose a country from the list."))
    problems.choice("timezone", data.timezone, available_timezones(), _("Choose a time zone from the list."))
    problems.choice(
        "local_language",
        data.local_language,
        spoken_languages(),
        _("Unknown language “%(value)s”; use a code such as en, da, de, it, el, ar.", value=data.local_language),
    )
    problems.text("partner_organisation", data.partner_organisation.strip(), column_length(Site.partner_organisation))
    return problems


def _site_trainers(session: Session, ids: list[int]) -> list[User]:
    users = session.scalars(sa.select(User).where(User.id.in_(ids))).all() if ids else []
    if len(users) != len(set(ids)):
        raise InvalidInput(_("Choose the trainers from the list."), field="trainers")
    for user in users:
        if user.role is not Role.TRAINER:
            raise InvalidInput(_("%(name)s is not a trainer.", name=user.name), field="trainers")
    return list(users)


def _check_city_free(session: Session, programme_id: int, city: I18nText, site_id: int | None) -> None:
    clash = session.scalar(
        sa.select(Site.id).where(
            Site.programme_id == programme_id, Site.city_key == text_key(city), Site.id != (site_id or 0)
        )
    )
    if clash:
        raise Conflict(_("This programme already has a site in %(city)s.", city=city), field="city")


def _apply_site(site: Site, city: I18nText, data: SiteData, trainers: list[User]) -> None:
    site.city = city
    site.country = data.country.upper()
    site.timezone = data.timezone
    site.local_language = data.local_language
    site.partner_organisation = data.partner_organisation.strip()
    site.trainers = trainers


def create_site(session: Session, programme: Programme, data: SiteData) -> Site:
    """Add a site to ``programme`` and return it (flushed).

    Raises ``InvalidInput`` with every problem of ``site_problems``, or for a trainer id that is
    unknown or not a trainer's (field ``trainers``); ``Conflict`` (field ``city``) when the
    programme already has a site in that city, whatever its case.
    """
    site_problems(data, programme.languages).raise_if_any()
    trainers = _site_trainers(session, data.trainer_ids)
    city = translations(data.city, programme.languages, single_line=True)
    _check_city_free(session, programme.id, city, None)
    site = Site(programme_id=programme.id)
    _apply_site(site, city, data, trainers)
    session.add(site)
    session.flush()
    return site


def update_site(session: Session, site: Site, data: SiteData) -> Site:
    """Replace ``site``'s details and trainers with ``data`` and return it.

    Raises ``InvalidInput`` and ``Conflict`` as ``create_site`` does; nothing is changed then.
    """
    languages = site.programme.languages
    site_problems(data, languages).raise_if_any()
    trainers = _site_trainers(session, data.trainer_ids)
    city = translations(data.city, languages, single_line=True)
    _check_city_free(session, site.programme_id, city, site.id)
    _apply_site(site, city, data, trainers)
    session.flush()
    return site


# --- modules ----------------------------------------------------------------------------------


@dataclass
class ModuleData:
    """A unit of the curriculum: its title, length in ``hours`` (a decimal, e.g. 1.5), summary
    and outcomes (``Texts`` in the programme's languages), and whether completing the programme
    requires attending it (``mandatory``)."""

    title: Texts
    hours: Decimal | None
    summary: Texts = ""
    learning_outcomes: Texts = ""
    mandatory: bool = True


def module_texts(data: ModuleData, languages: list[str]) -> dict[str, I18nText]:
    """The module's texts as stored (see ``translations``), by field."""
    return {
        "title": translations(data.title, languages, single_line=True),
        "summary": translations(data.summary, languages),
        "learning_outcomes": translations(data.learning_outcomes, languages),
    }


def module_problems(data: ModuleData, languages: list[str]) -> Problems:
    """Every rule a module's data must keep: texts only in the programme's ``languages`` (main
    first), a title given in the main one, of at most 200 characters in each, between
    ``MODULE_MIN_HOURS`` and ``MODULE_MAX_HOURS`` hours, summary and outcomes of at most 5,000
    characters. Returns the problems found, by field (empty when none)."""
    problems = Problems()
    texts = module_texts(data, languages)
    problems.translations("title", texts["title"], languages, column_length(Module.title), required=True)
    problems.require("hours", data.hours is not None, _("Enter the number of hours."))
    problems.number(
        "hours", data.hours, MODULE_MIN_HOURS, MODULE_MAX_HOURS, message=_("Enter between 0.5 and 999 hours.")
    )
    problems.translations("summary", texts["summary"], languages, MODULE_TEXT_MAX_LENGTH)
    problems.translations("learning_outcomes", texts["learning_outcomes"], languages, MODULE_TEXT_MAX_LENGTH)
    return problems


def _apply_module(module: Module, data: ModuleData, languages: list[str]) -> None:
    for name, text in module_texts(data, languages).items():
        setattr(module, name, text)
    module.hours = Decimal(data.hours)
    module.mandatory = data.mandatory


def add_module(session: Session, programme: Programme, data: ModuleData) -> Module:
    """Add a module at the end of ``programme``'s curriculum and return it (flushed).

    Raises ``InvalidInput`` with every problem of ``module_problems``.
    """
    module_problems(data, programme.languages).raise_if_any()
    last = session.scalar(sa.select(sa.func.max(Module.position)).where(Module.programme_id == programme.id))
    module = Module(programme_id=programme.id, position=(last or 0) + 1)
    _apply_module(module, data, programme.languages)
    session.add(module)
    session.flush()
    return module


def update_module(session: Session, module: Module, data: ModuleData) -> Module:
    """Replace ``module``'s details with ``data`` (its place in the curriculum stays) and return it.

    Raises ``InvalidInput`` with every problem of ``module_problems``; nothing is changed then.
    """
    languages = module.programme.languages
    module_problems(data, languages).raise_if_any()
    _apply_module(module, data, languages)
    session.flush()
    return module


def delete_module(session: Session, module: Module) -> None:
    """Delete ``module`` from its programme's curriculum.

    Raises ``Conflict`` when sessions are scheduled for it: the database refuses the deletion
    (``sessions.module_id`` is ``ON DELETE RESTRICT``), so the curriculum never loses a module
    that the schedule, attendance or certificates refer to.
    """
    title = module.title
    try:
        with session.begin_nested():
            session.delete(module)
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(
            _("“%(title)s” has scheduled sessions and cannot be deleted. Delete or move them first.", title=title)
        ) from None


def move_module(session: Session, module: Module, offset: int) -> None:
    """Move ``module`` one place up (``offset`` -1) or down (+1) in its programme's curriculum;
    the positions are renumbered 1, 2, 3, ... Moving the first up or the last down changes
    nothing. Raises nothing."""
    modules = session.scalars(
        sa.select(Module).where(Module.programme_id == module.programme_id).order_by(Module.position, Module.id)
    ).all()
    index = modules.index(module)
    target = index + offset
    if not 0 <= target < len(modules):
        return
    modules[index], modules[target] = modules[target], modules[index]
    for position, item in enumerate(modules, start=1):
        item.position = position
    session.flush()


# --- committee --------------------------------------------------------------------------------


@dataclass
class CommitteeMemberData:
    """A member of a site's Intercultural City Committee: their name, the organisation they
    come from (optional) and the group they represent (``category``)."""

    name: str
    category: CommitteeCategory | None
    organisation: str = ""


def committee_member_problems(data: CommitteeMemberData) -> Problems:
    """Every rule a committee member's data must keep: a name and an organisation of at most
    200 characters each, and the group they represent. Returns the problems found, by field."""
    problems = Problems()
    problems.text("name", one_line(data.name), column_length(CommitteeMember.name), required=True)
    problems.text("organisation", data.organisation.strip(), column_length(CommitteeMember.organisation))
    problems.require("category", isinstance(data.category, CommitteeCategory), _("Choose whom the member represents."))
    return problems


def _apply_committee_member(member: CommitteeMember, data: CommitteeMemberData) -> None:
    member.name = one_line(data.name)
    member.organisation = data.organisation.strip()
    member.category = data.category


def add_committee_member(session: Session, site: Site, data: CommitteeMemberData) -> CommitteeMember:
    """Add a member to ``site``'s committee and return them (flushed).

    Raises ``InvalidInput`` with every problem of ``committee_member_problems``.
    """
    committee_member_problems(data).raise_if_any()
    member = CommitteeMember(site_id=site.id)
    _apply_committee_member(member, data)
    session.add(member)
    session.flush()
    return member


def update_committee_member(session: Session, member: CommitteeMember, data: CommitteeMemberData) -> CommitteeMember:
    """Replace a committee member's details with ``data`` and return them.

    Raises ``InvalidInput`` with every problem of ``committee_member_problems``; nothing is
    changed then.
    """
    committee_member_problems(data).raise_if_any()
    _apply_committee_member(member, data)
    session.flush()
    return member


def remove_committee_member(session: Session, member: CommitteeMember) -> None:
    """Remove ``member`` from their site's committee (the site's committee check then counts
    one member fewer). Raises nothing."""
    session.delete(member)
    session.flush()

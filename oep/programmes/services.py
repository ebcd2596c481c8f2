"""Writes for programmes, sites, modules and committees."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from oep.accounts.models import Role, User
from oep.core.errors import Conflict, InvalidInput
from oep.programmes.models import CommitteeCategory, CommitteeMember, Module, Programme, Site

PROGRAMME_FIELDS = {
    "name",
    "description",
    "starts_on",
    "ends_on",
    "languages",
    "registration_open",
    "completion_min_attendance_percent",
    "completion_requires_mandatory_modules",
    "left_early_credit_percent",
    "warning_min_held_sessions",
    "warning_consecutive_absences",
    "checkin_opens_minutes",
    "checkin_grace_minutes",
    "checkin_code_seconds",
    "certificate_signatory_name",
    "certificate_signatory_title",
    "certificate_signature_file",
    "funder_acknowledgement",
    "emblem_file",
}


def _check_programme(session: Session, programme: Programme) -> None:
    if programme.starts_on and programme.ends_on and programme.ends_on < programme.starts_on:
        raise InvalidInput(_("The programme cannot end before it starts."), field="ends_on")
    if not 0 <= programme.completion_min_attendance_percent <= 100:
        raise InvalidInput(_("Enter a number between 0 and 100."), field="completion_min_attendance_percent")
    clash = session.scalar(
        sa.select(Programme.id).where(
            sa.func.lower(Programme.name) == programme.name.lower(), Programme.id != (programme.id or 0)
        )
    )
    if clash:
        raise Conflict(_("Another programme already has this name."), field="name")


def create_programme(session: Session, **fields) -> Programme:
    unknown = set(fields) - PROGRAMME_FIELDS
    if unknown:
        raise TypeError(f"unknown programme fields {unknown}")
    programme = Programme(**fields)
    _check_programme(session, programme)
    session.add(programme)
    session.flush()
    return programme


def update_programme(session: Session, programme: Programme, **fields) -> Programme:
    for key, value in fields.items():
        if key not in PROGRAMME_FIELDS:
            raise TypeError(f"unknown programme field {key}")
        if key in ("emblem_file", "certificate_signature_file") and value is None:
            continue  # no new upload: keep the picture
        setattr(programme, key, value)
    _check_programme(session, programme)
    session.flush()
    return programme


# --- sites ------------------------------------------------------------------------------------


def _check_site(session: Session, site: Site) -> None:
    if site.timezone not in available_timezones():
        raise InvalidInput(_("Choose a time zone from the list."), field="timezone")
    clash = session.scalar(
        sa.select(Site.id).where(
            Site.programme_id == site.programme_id,
            sa.func.lower(Site.city) == site.city.lower(),
            Site.id != (site.id or 0),
        )
    )
    if clash:
        raise Conflict(_("This programme already has a site in %(city)s.", city=site.city), field="city")


def _check_trainers(trainers: list[User]) -> None:
    for user in trainers:
        if user.role is not Role.TRAINER:
            raise InvalidInput(_("%(name)s is not a trainer.", name=user.name), field="trainers")


def create_site(session: Session, programme: Programme, *, trainers=(), **fields) -> Site:
    site = Site(programme_id=programme.id, **fields)
    _check_site(session, site)
    _check_trainers(list(trainers))
    site.trainers = list(trainers)
    session.add(site)
    session.flush()
    return site


def update_site(session: Session, site: Site, *, trainers=None, **fields) -> Site:
    for key, value in fields.items():
        setattr(site, key, value)
    _check_site(session, site)
    if trainers is not None:
        _check_trainers(list(trainers))
        site.trainers = list(trainers)
    session.flush()
    return site


# --- modules ----------------------------------------------------------------------------------


def _check_module(module: Module) -> None:
    if module.hours is None or Decimal(module.hours) <= 0:
        raise InvalidInput(_("A module lasts more than 0 hours."), field="hours")


def add_module(session: Session, programme: Programme, **fields) -> Module:
    last = session.scalar(sa.select(sa.func.max(Module.position)).where(Module.programme_id == programme.id))
    module = Module(programme_id=programme.id, position=(last or 0) + 1, **fields)
    _check_module(module)
    session.add(module)
    session.flush()
    return module


def update_module(session: Session, module: Module, **fields) -> Module:
    for key, value in fields.items():
        setattr(module, key, value)
    _check_module(module)
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
    """Move a module up (-1) or down (+1) in the curriculum."""
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


def add_committee_member(session: Session, site: Site, *, name: str, organisation: str, category: CommitteeCategory):
    member = CommitteeMember(site_id=site.id, name=name, organisation=organisation, category=category)
    session.add(member)
    session.flush()
    return member


def update_committee_member(session: Session, member: CommitteeMember, **fields) -> CommitteeMember:
    for key, value in fields.items():
        setattr(member, key, value)
    session.flush()
    return member


def remove_committee_member(session: Session, member: CommitteeMember) -> None:
    session.delete(member)
    session.flush()

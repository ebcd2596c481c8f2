"""Reads for programmes and sites, scoped to what the user may see."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from oep.accounts.models import Role, User
from oep.extensions import db
from oep.programmes.models import CommitteeCategory, CommitteeMember, Module, Programme, Site, site_trainers

#: The Intercultural City Committee needs at least this many members... (the rule the
#: LIAISON-style courses set for each city's committee)
COMMITTEE_MIN_MEMBERS = 6
#: ...and someone from each of these groups.
COMMITTEE_REQUIRED_CATEGORIES = (
    CommitteeCategory.CSO,
    CommitteeCategory.MIGRANT_ASSOCIATION,
    CommitteeCategory.KEY_PERSON,
    CommitteeCategory.LOCAL_AUTHORITY,
)


def site_ids_of_trainer(user: User) -> sa.Select:
    """A subquery of the ids of the sites ``user`` trains at (none for anyone else), to use in
    ``Site.id.in_(...)``. Runs no query by itself."""
    return sa.select(site_trainers.c.site_id).where(site_trainers.c.user_id == user.id)


def visible_sites_stmt(user: User) -> sa.Select:
    """A select of the sites ``user`` may see: all for a coordinator, their own for a trainer,
    none otherwise; every site read for a user starts here. Runs no query by itself."""
    stmt = sa.select(Site)
    if user.role is Role.COORDINATOR:
        return stmt
    if user.role is Role.TRAINER:
        return stmt.where(Site.id.in_(site_ids_of_trainer(user)))
    return stmt.where(sa.false())


def visible_programmes_stmt(user: User) -> sa.Select:
    """A select of the programmes ``user`` may see: all for a coordinator, those with a site of
    theirs for a trainer, none otherwise. Runs no query by itself."""
    stmt = sa.select(Programme)
    if user.role is Role.COORDINATOR:
        return stmt
    if user.role is Role.TRAINER:
        return stmt.where(Programme.id.in_(sa.select(Site.programme_id).where(Site.id.in_(site_ids_of_trainer(user)))))
    return stmt.where(sa.false())


def get_site_or_404(user: User, site_id: int) -> Site:
    """The site ``site_id`` with its programme, if ``user`` may see it (one query).

    Aborts with 404 when it does not exist or is not theirs to see (the same answer, so that
    ids cannot be probed).
    """
    site = db.session.scalar(visible_sites_stmt(user).where(Site.id == site_id).options(joinedload(Site.programme)))
    if site is None:
        abort(404)
    return site


def get_programme_or_404(user: User, programme_id: int) -> Programme:
    """The programme ``programme_id``, if ``user`` may see it (one query).

    Aborts with 404 when it does not exist or is not theirs to see.
    """
    programme = db.session.scalar(visible_programmes_stmt(user).where(Programme.id == programme_id))
    if programme is None:
        abort(404)
    return programme


def programmes_for(user: User) -> list[Programme]:
    """The programmes ``user`` may see, newest first, with their sites loaded (two queries)."""
    return db.session.scalars(
        visible_programmes_stmt(user)
        .options(selectinload(Programme.sites))
        .order_by(Programme.starts_on.desc(), Programme.name_key)
    ).all()


def sites_of_programme_for(user: User, programme: Programme) -> list[Site]:
    """``programme``'s sites that ``user`` may see, by city, with their trainers and committee
    members loaded (three queries)."""
    return db.session.scalars(
        visible_sites_stmt(user)
        .where(Site.programme_id == programme.id)
        .options(selectinload(Site.trainers), selectinload(Site.committee_members))
        .order_by(Site.city_key)
    ).all()


def open_sites() -> list[Site]:
    """The sites of programmes that take registrations, with their programmes, by programme
    and city: what the public registration form offers (one query)."""
    return db.session.scalars(
        sa.select(Site)
        .join(Site.programme)
        .where(Programme.registration_open.is_(True))
        .options(joinedload(Site.programme))
        .order_by(Programme.name_key, Site.city_key)
    ).all()


@dataclass
class CommitteeCheck:
    """Whether a site's committee meets its rule: its number of ``members``, how many
    represent each group (``by_category``) and what falls short (translated sentences)."""

    members: int
    by_category: Counter
    problems: list[str]

    @property
    def ok(self) -> bool:
        """Whether the committee meets the rule (nothing falls short)."""
        return not self.problems


def committee_check(members: list[CommitteeMember]) -> CommitteeCheck:
    """Whether a site's committee (``members``, already loaded) meets its rule: at least
    ``COMMITTEE_MIN_MEMBERS`` members and one of each of ``COMMITTEE_REQUIRED_CATEGORIES``.
    Returns a ``CommitteeCheck`` saying what is missing; runs no query."""
    by_category = Counter(m.category for m in members)
    problems = []
    if len(members) < COMMITTEE_MIN_MEMBERS:
        problems.append(
            _(
                "The committee has %(count)d member(s); it needs at least %(min)d.",
                count=len(members),
                min=COMMITTEE_MIN_MEMBERS,
            )
        )
    for category in COMMITTEE_REQUIRED_CATEGORIES:
        if not by_category[category]:
            problems.append(_("No member represents: %(category)s.", category=category.label))
    return CommitteeCheck(members=len(members), by_category=by_category, problems=problems)


def modules_of(programme: Programme) -> list[Module]:
    """``programme``'s modules in curriculum order (one query)."""
    return db.session.scalars(
        sa.select(Module).where(Module.programme_id == programme.id).order_by(Module.position, Module.id)
    ).all()


def trainers() -> list[User]:
    """Every active trainer, by name: whom a site can be given (one query)."""
    return db.session.scalars(
        sa.select(User).where(User.role == Role.TRAINER, User.is_active.is_(True)).order_by(User.name)
    ).all()

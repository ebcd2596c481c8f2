"""Reads for organisations, enrolments and participants, scoped to what the user may see.

An organisation contact sees their own organisation only; a trainer, the organisations
enrolled at their sites; a coordinator, everything. Anything outside is answered with 404.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from oep.accounts.models import Role, User
from oep.extensions import db
from oep.organisations.models import (
    Competence,
    Enrolment,
    EnrolmentStatus,
    Organisation,
    OrganisationCompetence,
    OrganisationType,
    Participant,
)
from oep.programmes.models import Programme, Site
from oep.programmes.queries import site_ids_of_trainer

PAGE_SIZE = 50
REVIEW_STATUSES = (EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED)


def visible_enrolments_stmt(user: User) -> sa.Select:
    """A select of the enrolments ``user`` may see: all for a coordinator, those at their sites
    for a trainer, their organisation's for a contact. Runs no query by itself."""
    stmt = sa.select(Enrolment)
    if user.role is Role.COORDINATOR:
        return stmt
    if user.role is Role.TRAINER:
        return stmt.where(Enrolment.site_id.in_(site_ids_of_trainer(user)))
    return stmt.where(Enrolment.organisation_id == user.organisation_id)


def visible_organisation_ids(user: User) -> sa.Select:
    """A subquery of the ids of the organisations ``user`` may see (as
    ``visible_enrolments_stmt``), to use in ``Organisation.id.in_(...)``."""
    if user.role is Role.COORDINATOR:
        return sa.select(Organisation.id)
    if user.role is Role.TRAINER:
        return sa.select(Enrolment.organisation_id).where(Enrolment.site_id.in_(site_ids_of_trainer(user)))
    return sa.select(sa.literal(user.organisation_id))


def get_organisation_or_404(user: User, org_id: int) -> Organisation:
    """The organisation ``org_id``, if ``user`` may see it (one query).

    Aborts with 404 when it does not exist or is not theirs to see.
    """
    organisation = db.session.scalar(
        sa.select(Organisation).where(Organisation.id == org_id, Organisation.id.in_(visible_organisation_ids(user)))
    )
    if organisation is None:
        abort(404)
    return organisation


def get_enrolment_or_404(user: User, enrolment_id: int) -> Enrolment:
    """The enrolment ``enrolment_id`` with its organisation, site and programme, if ``user``
    may see it (one query).

    Aborts with 404 when it does not exist or is not theirs to see.
    """
    enrolment = db.session.scalar(
        visible_enrolments_stmt(user)
        .where(Enrolment.id == enrolment_id)
        .options(joinedload(Enrolment.organisation), joinedload(Enrolment.site).joinedload(Site.programme))
    )
    if enrolment is None:
        abort(404)
    return enrolment


def get_participant_or_404(user: User, org_id: int, participant_id: int) -> Participant:
    """The participant ``participant_id`` of organisation ``org_id``, if ``user`` may see that
    organisation (two queries).

    Aborts with 404 when either does not exist, is not theirs to see, or the person belongs
    to another organisation.
    """
    organisation = get_organisation_or_404(user, org_id)
    participant = db.session.scalar(
        sa.select(Participant).where(Participant.id == participant_id, Participant.organisation_id == organisation.id)
    )
    if participant is None:
        abort(404)
    return participant


def participant_count_subquery() -> sa.ScalarSelect:
    """A correlated subquery counting an ``Organisation``'s participants, to add as a column."""
    return (
        sa.select(sa.func.count(Participant.id))
        .where(Participant.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )


@dataclass
class EnrolmentFilters:
    """What the list of organisations is narrowed to: a site, a status, a type, and a text
    found in the name or city (case ignored)."""

    site_id: int | None = None
    status: EnrolmentStatus | None = None
    type: OrganisationType | None = None
    search: str = ""


def enrolment_list(user: User, filters: EnrolmentFilters, page: int = 1):
    """The enrolments ``user`` may see that match ``filters``, newest programme first, then by
    city and name: one row per enrolment (``(Enrolment, participants)``, with organisation,
    site and programme loaded), ``PAGE_SIZE`` to a ``Page`` (two queries)."""
    stmt = (
        visible_enrolments_stmt(user)
        .join(Enrolment.organisation)
        .join(Enrolment.site)
        .join(Site.programme)
        .add_columns(participant_count_subquery().label("participants"))
        .options(
            sa.orm.contains_eager(Enrolment.organisation),
            sa.orm.contains_eager(Enrolment.site).contains_eager(Site.programme),
        )
    )
    if filters.site_id:
        stmt = stmt.where(Enrolment.site_id == filters.site_id)
    if filters.status:
        stmt = stmt.where(Enrolment.status == filters.status)
    if filters.type:
        stmt = stmt.where(Organisation.type == filters.type)
    if filters.search:
        like = f"%{filters.search.strip().lower()}%"
        stmt = stmt.where(sa.or_(Organisation.name_key.like(like), sa.func.lower(Organisation.city).like(like)))
    stmt = stmt.order_by(Programme.starts_on.desc(), Site.city_key, Organisation.name_key)
    return paginate_rows(stmt, page)


@dataclass
class Page:
    """One page of a list: its ``items``, its number (from 1), how many pages and items in all."""

    items: list
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages


def paginate_rows(stmt, page: int, per_page: int = PAGE_SIZE) -> Page:
    """Page ``page`` (from 1; out of range is brought within) of ``per_page`` rows of ``stmt``, a
    select of rows (an entity plus extra columns): one count and one query."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=rows, page=page, pages=pages, total=total)


def review_queue(user: User) -> list[Enrolment]:
    """The enrolments waiting for a decision (pending, then waitlisted) that ``user`` may see,
    oldest first, with organisation, contacts, competences, site and programme loaded (four
    queries whatever their number)."""
    return (
        db.session.scalars(
            visible_enrolments_stmt(user)
            .where(Enrolment.status.in_(REVIEW_STATUSES))
            .join(Enrolment.organisation)
            .options(
                sa.orm.contains_eager(Enrolment.organisation).selectinload(Organisation.contacts),
                sa.orm.contains_eager(Enrolment.organisation)
                .selectinload(Organisation.competences)
                .joinedload(OrganisationCompetence.competence),
                joinedload(Enrolment.site).joinedload(Site.programme),
            )
            .order_by(Enrolment.status, Enrolment.created_at)
        )
        .unique()
        .all()
    )


def pending_count(user: User) -> int:
    """How many enrolments ``user`` may see are pending review (one query)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(
            visible_enrolments_stmt(user).where(Enrolment.status == EnrolmentStatus.PENDING).subquery()
        )
    )


def pending_counts_by_site(site_ids: list[int]) -> dict[int, int]:
    """Pending enrolments per site id, for ``site_ids`` (sites with none are left out; one
    query, none for no sites). Not scoped: pass ids the user may see."""
    if not site_ids:
        return {}
    rows = db.session.execute(
        sa.select(Enrolment.site_id, sa.func.count())
        .where(Enrolment.site_id.in_(site_ids), Enrolment.status == EnrolmentStatus.PENDING)
        .group_by(Enrolment.site_id)
    ).all()
    return dict(rows)


def enrolment_counts(site_id: int) -> Counter:
    """How many enrolments the site has in each status (``Counter`` by ``EnrolmentStatus``;
    one query). Not scoped: pass a site the user may see."""
    rows = db.session.execute(
        sa.select(Enrolment.status, sa.func.count()).where(Enrolment.site_id == site_id).group_by(Enrolment.status)
    ).all()
    return Counter(dict(rows))


def organisation_enrolments(organisation: Organisation, user: User) -> list[Enrolment]:
    """``organisation``'s enrolments that ``user`` may see, newest first, with site, programme
    and decider loaded (one query)."""
    return db.session.scalars(
        visible_enrolments_stmt(user)
        .where(Enrolment.organisation_id == organisation.id)
        .options(joinedload(Enrolment.site).joinedload(Site.programme), joinedload(Enrolment.decided_by))
        .order_by(Enrolment.created_at.desc())
    ).all()


def accepted_sites(organisation_id: int) -> list[Site]:
    """The sites the organisation ``organisation_id`` is accepted at, with their programmes,
    oldest first (one query)."""
    return db.session.scalars(
        sa.select(Site)
        .join(Enrolment, Enrolment.site_id == Site.id)
        .where(Enrolment.organisation_id == organisation_id, Enrolment.status == EnrolmentStatus.ACCEPTED)
        .options(joinedload(Site.programme))
        .order_by(Site.id)
    ).all()


def site_language(organisation: Organisation) -> str | None:
    """The local language (a code) of the site an organisation works at, for the people it
    adds: its oldest acceptance, else its oldest enrolment still open (pending or
    waitlisted); None for an organisation not enrolled anywhere."""
    rank = sa.case((Enrolment.status == EnrolmentStatus.ACCEPTED, 0), else_=1)
    return db.session.scalar(
        sa.select(Site.local_language)
        .join(Enrolment, Enrolment.site_id == Site.id)
        .where(
            Enrolment.organisation_id == organisation.id,
            Enrolment.status.in_([EnrolmentStatus.ACCEPTED, EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED]),
        )
        .order_by(rank, Enrolment.id)
        .limit(1)
    )


def organisation_competences(organisation: Organisation) -> list[OrganisationCompetence]:
    """What ``organisation`` offers, then what it needs, by competence name, with the
    competence loaded (one query)."""
    return db.session.scalars(
        sa.select(OrganisationCompetence)
        .join(OrganisationCompetence.competence)
        .where(OrganisationCompetence.organisation_id == organisation.id)
        .options(sa.orm.contains_eager(OrganisationCompetence.competence))
        .order_by(OrganisationCompetence.direction, Competence.name_key)
    ).all()


def participants_page(organisation: Organisation, page: int = 1, search: str = "") -> Page:
    """Page ``page`` of ``organisation``'s participants by name, those whose name contains
    ``search`` (case ignored) when given; rows of ``(Participant,)`` (two queries)."""
    stmt = sa.select(Participant).where(Participant.organisation_id == organisation.id)
    if search:
        stmt = stmt.where(sa.func.lower(Participant.name).like(f"%{search.strip().lower()}%"))
    return paginate_rows(stmt.order_by(Participant.name, Participant.id), page)


def participant_count(organisation: Organisation) -> int:
    """How many participants ``organisation`` has (one query)."""
    return db.session.scalar(sa.select(sa.func.count()).where(Participant.organisation_id == organisation.id))


def competence_catalogue() -> list[Competence]:
    """The shared competence catalogue, by name in the reader's language (one query; everyone
    may read it; the catalogue is a few dozen entries, sorted here rather than by the database,
    which knows only the main language's)."""
    return sorted(db.session.scalars(sa.select(Competence)).all(), key=lambda c: str(c.name).casefold())


def competence_usage() -> dict[int, tuple[int, int]]:
    """How many organisations offer and need each competence: competence id -> (offering,
    needing); unused competences are left out (one query)."""
    rows = db.session.execute(
        sa.select(OrganisationCompetence.competence_id, OrganisationCompetence.direction, sa.func.count()).group_by(
            OrganisationCompetence.competence_id, OrganisationCompetence.direction
        )
    ).all()
    usage: dict[int, list[int]] = {}
    for competence_id, direction, count in rows:
        usage.setdefault(competence_id, [0, 0])[0 if direction.value == "offer" else 1] = count
    return {k: tuple(v) for k, v in usage.items()}


def sites_open_for(organisation: Organisation) -> list[Site]:
    """The sites of programmes that take registrations where ``organisation`` is not enrolled
    yet, by programme and city, with programmes loaded (one query)."""
    return db.session.scalars(
        sa.select(Site)
        .join(Site.programme)
        .where(
            Programme.registration_open.is_(True),
            ~Site.id.in_(sa.select(Enrolment.site_id).where(Enrolment.organisation_id == organisation.id)),
        )
        .options(joinedload(Site.programme))
        .order_by(Programme.name_key, Site.city_key)
    ).all()

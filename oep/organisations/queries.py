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


def visible_enrolments_stmt(user: User):
    stmt = sa.select(Enrolment)
    if user.role is Role.COORDINATOR:
        return stmt
    if user.role is Role.TRAINER:
        return stmt.where(Enrolment.site_id.in_(site_ids_of_trainer(user)))
    return stmt.where(Enrolment.organisation_id == user.organisation_id)


def visible_organisation_ids(user: User):
    if user.role is Role.COORDINATOR:
        return sa.select(Organisation.id)
    if user.role is Role.TRAINER:
        return sa.select(Enrolment.organisation_id).where(Enrolment.site_id.in_(site_ids_of_trainer(user)))
    return sa.select(sa.literal(user.organisation_id))


def get_organisation_or_404(user: User, org_id: int) -> Organisation:
    organisation = db.session.scalar(
        sa.select(Organisation).where(Organisation.id == org_id, Organisation.id.in_(visible_organisation_ids(user)))
    )
    if organisation is None:
        abort(404)
    return organisation


def get_enrolment_or_404(user: User, enrolment_id: int) -> Enrolment:
    enrolment = db.session.scalar(
        visible_enrolments_stmt(user)
        .where(Enrolment.id == enrolment_id)
        .options(joinedload(Enrolment.organisation), joinedload(Enrolment.site).joinedload(Site.programme))
    )
    if enrolment is None:
        abort(404)
    return enrolment


def get_participant_or_404(user: User, org_id: int, participant_id: int) -> Participant:
    organisation = get_organisation_or_404(user, org_id)
    participant = db.session.scalar(
        sa.select(Participant).where(Participant.id == participant_id, Participant.organisation_id == organisation.id)
    )
    if participant is None:
        abort(404)
    return participant


def participant_count_subquery():
    return (
        sa.select(sa.func.count(Participant.id))
        .where(Participant.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )


@dataclass
class EnrolmentFilters:
    site_id: int | None = None
    status: EnrolmentStatus | None = None
    type: OrganisationType | None = None
    search: str = ""


def enrolment_list(user: User, filters: EnrolmentFilters, page: int = 1):
    """Organisations at sites, one row per enrolment, with their participant count; paginated."""
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
    stmt = stmt.order_by(Programme.starts_on.desc(), Site.city, Organisation.name_key)
    return paginate_rows(stmt, page)


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def paginate_rows(stmt, page: int, per_page: int = PAGE_SIZE) -> Page:
    """Paginate a select that returns rows (entity plus extra columns): one count, one query."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=rows, page=page, pages=pages, total=total)


def review_queue(user: User) -> list[Enrolment]:
    """Enrolments waiting for a decision at the sites the user reviews, oldest first."""
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
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(
            visible_enrolments_stmt(user).where(Enrolment.status == EnrolmentStatus.PENDING).subquery()
        )
    )


def pending_counts_by_site(site_ids: list[int]) -> dict[int, int]:
    if not site_ids:
        return {}
    rows = db.session.execute(
        sa.select(Enrolment.site_id, sa.func.count())
        .where(Enrolment.site_id.in_(site_ids), Enrolment.status == EnrolmentStatus.PENDING)
        .group_by(Enrolment.site_id)
    ).all()
    return dict(rows)


def enrolment_counts(site_id: int) -> Counter:
    rows = db.session.execute(
        sa.select(Enrolment.status, sa.func.count()).where(Enrolment.site_id == site_id).group_by(Enrolment.status)
    ).all()
    return Counter(dict(rows))


def organisation_enrolments(organisation: Organisation, user: User) -> list[Enrolment]:
    return db.session.scalars(
        visible_enrolments_stmt(user)
        .where(Enrolment.organisation_id == organisation.id)
        .options(joinedload(Enrolment.site).joinedload(Site.programme), joinedload(Enrolment.decided_by))
        .order_by(Enrolment.created_at.desc())
    ).all()


def accepted_sites(organisation_id: int) -> list[Site]:
    """The sites an organisation is accepted at, with their programmes, oldest first."""
    return db.session.scalars(
        sa.select(Site)
        .join(Enrolment, Enrolment.site_id == Site.id)
        .where(Enrolment.organisation_id == organisation_id, Enrolment.status == EnrolmentStatus.ACCEPTED)
        .options(joinedload(Site.programme))
        .order_by(Site.id)
    ).all()


def organisation_competences(organisation: Organisation) -> list[OrganisationCompetence]:
    return db.session.scalars(
        sa.select(OrganisationCompetence)
        .join(OrganisationCompetence.competence)
        .where(OrganisationCompetence.organisation_id == organisation.id)
        .options(sa.orm.contains_eager(OrganisationCompetence.competence))
        .order_by(OrganisationCompetence.direction, Competence.name)
    ).all()


def participants_page(organisation: Organisation, page: int = 1, search: str = "") -> Page:
    stmt = sa.select(Participant).where(Participant.organisation_id == organisation.id)
    if search:
        stmt = stmt.where(sa.func.lower(Participant.name).like(f"%{search.strip().lower()}%"))
    return paginate_rows(stmt.order_by(Participant.name, Participant.id), page)


def participant_count(organisation: Organisation) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Participant.organisation_id == organisation.id))


def participant_identities(organisation: Organisation) -> set[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Participant.name, Participant.email).where(Participant.organisation_id == organisation.id)
    ).all()
    return {(name.lower(), (email or "").lower()) for name, email in rows}


def competence_catalogue() -> list[Competence]:
    return db.session.scalars(sa.select(Competence).order_by(Competence.name)).all()


def competence_usage() -> dict[int, tuple[int, int]]:
    """competence id -> (organisations offering, organisations needing)."""
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
    """Open sites the organisation is not yet enrolled at."""
    return db.session.scalars(
        sa.select(Site)
        .join(Site.programme)
        .where(
            Programme.registration_open.is_(True),
            ~Site.id.in_(sa.select(Enrolment.site_id).where(Enrolment.organisation_id == organisation.id)),
        )
        .options(joinedload(Site.programme))
        .order_by(Programme.name, Site.city)
    ).all()

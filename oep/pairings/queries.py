"""Reads for pairings, scoped: coordinators see all, trainers their sites', organisation
contacts only the pairings their organisation is in (once confirmed)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from oep.accounts.models import Role, User
from oep.extensions import db
from oep.organisations.models import Competence, Organisation
from oep.pairings import matching
from oep.pairings.models import MatchRun, PairConstraint, Pairing, PairingMeeting, PairingMember, PairingStatus
from oep.programmes.models import Programme, Site
from oep.programmes.queries import site_ids_of_trainer

VISIBLE_TO_MEMBERS = (PairingStatus.ACTIVE, PairingStatus.COMPLETED, PairingStatus.DISSOLVED)


def visible_pairings_stmt(user: User):
    stmt = sa.select(Pairing)
    if user.role is Role.COORDINATOR:
        return stmt
    if user.role is Role.TRAINER:
        return stmt.where(Pairing.site_id.in_(site_ids_of_trainer(user)))
    return stmt.where(
        Pairing.status.in_(VISIBLE_TO_MEMBERS),
        Pairing.id.in_(
            sa.select(PairingMember.pairing_id).where(PairingMember.organisation_id == user.organisation_id)
        ),
    )


def _with_members(stmt):
    return stmt.options(
        selectinload(Pairing.members).joinedload(PairingMember.organisation).selectinload(Organisation.contacts),
        joinedload(Pairing.site).joinedload(Site.programme),
    )


def get_pairing_or_404(user: User, pairing_id: int) -> Pairing:
    pairing = db.session.scalar(_with_members(visible_pairings_stmt(user).where(Pairing.id == pairing_id)))
    if pairing is None:
        abort(404)
    return pairing


def current_pairing_of(organisation_id: int) -> Pairing | None:
    return db.session.scalar(
        sa.select(Pairing)
        .join(PairingMember, PairingMember.pairing_id == Pairing.id)
        .where(
            PairingMember.organisation_id == organisation_id,
            Pairing.status.in_([PairingStatus.ACTIVE, PairingStatus.COMPLETED]),
        )
        .order_by(Pairing.status, Pairing.confirmed_at.desc())
        .limit(1)
    )


def site_pairings(site: Site) -> list[Pairing]:
    return db.session.scalars(
        _with_members(sa.select(Pairing).where(Pairing.site_id == site.id)).order_by(
            Pairing.status, Pairing.score.desc(), Pairing.id
        )
    ).all()


def latest_run(site: Site) -> MatchRun | None:
    return db.session.scalar(
        sa.select(MatchRun)
        .where(MatchRun.site_id == site.id)
        .order_by(MatchRun.created_at.desc(), MatchRun.id.desc())
        .limit(1)
    )


def organisations_by_id(ids) -> dict[int, Organisation]:
    ids = list(ids)
    if not ids:
        return {}
    return {o.id: o for o in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids)))}


def constraints_of(site: Site) -> list[PairConstraint]:
    return db.session.scalars(
        sa.select(PairConstraint)
        .where(PairConstraint.site_id == site.id)
        .options(joinedload(PairConstraint.organisation_a), joinedload(PairConstraint.organisation_b))
        .order_by(PairConstraint.kind, PairConstraint.id)
    ).all()


# --- why a pairing was suggested --------------------------------------------------------------------


@dataclass
class Direction:
    teacher: Organisation
    learner: Organisation
    items: list[tuple[str, int, int]]  # competence, offer level, need level

    @property
    def points(self) -> int:
        return sum(o * n for _, o, n in self.items)


@dataclass
class Explanation:
    directions: list[Direction]
    bonus: int
    score: int

    @property
    def one_way(self) -> bool:
        return any(not d.items for d in self.directions)


def explain(
    members: list[Organisation], profiles: dict[int, matching.Profile], competence_names: dict[int, str]
) -> Explanation:
    """What each member will teach and learn, and how the score adds up."""
    directions, bonus = [], 0
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            f = matching.fit(profiles[a.id], profiles[b.id])
            bonus += f.bonus
            directions.append(
                Direction(
                    a, b, [(competence_names[t.competence_id], t.offer_level, t.need_level) for t in f.a_teaches_b]
                )
            )
            directions.append(
                Direction(
                    b, a, [(competence_names[t.competence_id], t.offer_level, t.need_level) for t in f.b_teaches_a]
                )
            )
    return Explanation(directions, bonus, sum(d.points for d in directions) + bonus)


def competence_names() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Competence.id, Competence.name)).all())


# --- meetings --------------------------------------------------------------------------------------


def meeting_counts(pairing_ids: list[int]) -> dict[int, int]:
    """Meetings logged per pairing, for the pairings whose ids are given (one aggregate query);
    pairings without a meeting are absent from the result."""
    if not pairing_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(PairingMeeting.pairing_id, sa.func.count())
            .where(PairingMeeting.pairing_id.in_(pairing_ids))
            .group_by(PairingMeeting.pairing_id)
        ).all()
    )


def programme_pairings(user: User, programme: Programme) -> list[Pairing]:
    return db.session.scalars(
        _with_members(
            visible_pairings_stmt(user)
            .join(Site, Site.id == Pairing.site_id)
            .where(Site.programme_id == programme.id, Pairing.status != PairingStatus.PROPOSED)
        ).order_by(Site.city, Pairing.status, Pairing.id)
    ).all()


def active_pairings_at(site_id: int) -> list[Pairing]:
    return db.session.scalars(
        _with_members(
            sa.select(Pairing).where(Pairing.site_id == site_id, Pairing.status == PairingStatus.ACTIVE)
        ).order_by(Pairing.id)
    ).all()

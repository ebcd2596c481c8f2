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
    """A select of the pairings ``user`` may see: every pairing for a coordinator, those of
    their sites for a trainer, and for an organisation contact the confirmed pairings
    (active, completed or dissolved) their organisation is in."""
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
    """The pairing ``pairing_id`` if ``user`` may see it, with its members, their
    organisations and contacts, its site and programme loaded; aborts with 404 otherwise."""
    pairing = db.session.scalar(_with_members(visible_pairings_stmt(user).where(Pairing.id == pairing_id)))
    if pairing is None:
        abort(404)
    return pairing


def current_pairing_of(organisation_id: int) -> Pairing | None:
    """The organisation's active pairing, or else its most recently confirmed completed one
    (at any site); ``None`` when it has neither."""
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
    """Every pairing of ``site`` whatever its status, by status, best fit first, with members,
    organisations and contacts loaded. Not scoped: the caller has authorised the site."""
    return db.session.scalars(
        _with_members(sa.select(Pairing).where(Pairing.site_id == site.id)).order_by(
            Pairing.status, Pairing.score.desc(), Pairing.id
        )
    ).all()


def latest_run(site: Site) -> MatchRun | None:
    """The site's latest run of the matcher, or ``None`` before the first."""
    return db.session.scalar(
        sa.select(MatchRun)
        .where(MatchRun.site_id == site.id)
        .order_by(MatchRun.created_at.desc(), MatchRun.id.desc())
        .limit(1)
    )


def organisations_by_id(ids) -> dict[int, Organisation]:
    """``{id: Organisation}`` for the given ids, in one query (unknown ids are absent). Not
    scoped: the caller passes ids it may show."""
    ids = list(ids)
    if not ids:
        return {}
    return {o.id: o for o in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids)))}


def constraints_of(site: Site) -> list[PairConstraint]:
    """The site's forbidden and fixed pairs, by kind and in the order added, with both
    organisations loaded."""
    return db.session.scalars(
        sa.select(PairConstraint)
        .where(PairConstraint.site_id == site.id)
        .options(joinedload(PairConstraint.organisation_a), joinedload(PairConstraint.organisation_b))
        .order_by(PairConstraint.kind, PairConstraint.id)
    ).all()


# --- why a pairing was suggested --------------------------------------------------------------------


@dataclass
class Direction:
    """What one member of a group teaches another: per competence, its name, the teacher's
    offer level and the learner's need level."""

    teacher: Organisation
    learner: Organisation
    items: list[tuple[str, int, int]]  # competence, offer level, need level

    @property
    def points(self) -> int:
        """This direction's part of the fit: offer level × need level, summed."""
        return sum(o * n for _, o, n in self.items)


@dataclass
class Explanation:
    """Why a group fits: what each member teaches each other one, the bonus for mutual
    learning, and the total (the group's score)."""

    directions: list[Direction]
    bonus: int
    score: int

    @property
    def one_way(self) -> bool:
        """Whether some member teaches another nothing (learning goes one way only)."""
        return any(not d.items for d in self.directions)


def explain(
    members: list[Organisation], profiles: dict[int, matching.Profile], competence_names: dict[int, str]
) -> Explanation:
    """What each member will teach and learn, and how the score adds up. ``profiles`` must
    hold every member's (``services.profiles``), ``competence_names`` every competence's name
    (``competence_names``)."""
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
    """``{competence id: name}`` for the whole catalogue, each name in the current language (a
    page's, a report's), in one query."""
    return {id_: str(name) for id_, name in db.session.execute(sa.select(Competence.id, Competence.name))}


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
    """The confirmed pairings (active, completed, dissolved) of the programme's sites that
    ``user`` may see, by site, status and id, with members and sites loaded."""
    return db.session.scalars(
        _with_members(
            visible_pairings_stmt(user)
            .join(Site, Site.id == Pairing.site_id)
            .where(Site.programme_id == programme.id, Pairing.status != PairingStatus.PROPOSED)
        ).order_by(Site.city_key, Pairing.status, Pairing.id)
    ).all()


def active_pairings_at(site_id: int) -> list[Pairing]:
    """The active pairings of the site ``site_id``, oldest first, with members loaded. Not
    scoped: the caller has authorised the site."""
    return db.session.scalars(
        _with_members(
            sa.select(Pairing).where(Pairing.site_id == site_id, Pairing.status == PairingStatus.ACTIVE)
        ).order_by(Pairing.id)
    ).all()

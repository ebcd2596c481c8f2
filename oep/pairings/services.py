"""Writes for pairings: running the matcher, editing and confirming its suggestions, the
rules, and each pairing's workspace (meetings and project idea)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from oep.accounts import services as accounts
from oep.accounts.models import User
from oep.core.db import utcnow
from oep.core.errors import Conflict, InvalidInput
from oep.core.mail import send_template
from oep.organisations.models import (
    CompetenceDirection,
    Enrolment,
    EnrolmentStatus,
    Organisation,
    OrganisationCompetence,
)
from oep.pairings import matching
from oep.pairings.models import (
    ConstraintKind,
    MatchRun,
    PairConstraint,
    Pairing,
    PairingExchange,
    PairingMeeting,
    PairingMember,
    PairingStatus,
    ProjectIdea,
    ProjectStatus,
)
from oep.programmes.models import Programme, Site

log = logging.getLogger(__name__)

#: The longest texts, in characters: a rule's note, the reason a pairing ends, a meeting's
#: fields and a project idea's (the columns' lengths where they have one).
NOTE_LIMIT = 300
END_REASON_LIMIT = 2000
MEETING_TEXT_LIMITS = {"attendees": 500, "notes": 5000, "next_steps": 2000}
PROJECT_TEXT_LIMITS = {"title": 200, "description": 5000, "target_group": 300, "resources_needed": 2000}


def _check_length(value: str, limit: int, field: str) -> None:
    """Refuse a text of more than ``limit`` characters (spaces around it do not count)."""
    if len(value.strip()) > limit:
        raise InvalidInput(_("At most %(n)s characters.", n=format_decimal(limit)), field=field)


# --- what the engine is given --------------------------------------------------------------------


def profiles(session: Session, organisation_ids: list[int]) -> dict[int, matching.Profile]:
    """The engine's view of organisations: ``{organisation_id: Profile}`` with each one's
    type, languages, and the levels (1 to 3) of what it offers and needs by competence id.
    Ids of no organisation are absent."""
    if not organisation_ids:
        return {}
    organisations = session.scalars(
        sa.select(Organisation)
        .where(Organisation.id.in_(organisation_ids))
        .options(selectinload(Organisation.competences))
    ).all()
    result = {}
    for org in organisations:
        offers = {c.competence_id: c.level for c in org.competences if c.direction is CompetenceDirection.OFFER}
        needs = {c.competence_id: c.level for c in org.competences if c.direction is CompetenceDirection.NEED}
        result[org.id] = matching.Profile(org.id, org.type.value, frozenset(org.languages or []), offers, needs)
    return result


def earlier_pairs(session: Session, programme: Programme) -> frozenset[frozenset[int]]:
    """Pairs of organisations that worked together in an earlier edition (active or completed
    pairings of programmes that started before this one), each a frozenset of two
    organisation ids (a group of three gives its three pairs)."""
    earlier_sites = (
        sa.select(Site.id)
        .join(Site.programme)
        .where(Programme.starts_on < programme.starts_on, Programme.id != programme.id)
    )
    rows = session.execute(
        sa.select(PairingMember.pairing_id, PairingMember.organisation_id)
        .join(Pairing, Pairing.id == PairingMember.pairing_id)
        .where(Pairing.site_id.in_(earlier_sites), Pairing.status.in_([PairingStatus.ACTIVE, PairingStatus.COMPLETED]))
    ).all()
    members: dict[int, list[int]] = {}
    for pairing_id, org_id in rows:
        members.setdefault(pairing_id, []).append(org_id)
    pairs = set()
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pairs.add(frozenset((a, b)))
    return frozenset(pairs)


def rules_for(session: Session, site: Site) -> matching.Rules:
    """The rules the matcher follows at ``site``: the programme's pairing settings (type
    rule, common language, no repeat, groups of three) and the site's forbidden and fixed
    pairs; the earlier editions' pairs are read only when the programme forbids repeats."""
    programme = site.programme
    constraints = session.scalars(sa.select(PairConstraint).where(PairConstraint.site_id == site.id)).all()
    return matching.Rules(
        type_rule=matching.TypeRule(programme.pairing_type_rule),
        common_language=programme.pairing_common_language,
        no_repeat=programme.pairing_no_repeat,
        allow_triads=programme.pairing_allow_triads,
        forbidden=frozenset(
            frozenset((c.organisation_a_id, c.organisation_b_id))
            for c in constraints
            if c.kind is ConstraintKind.FORBIDDEN
        ),
        fixed=tuple((c.organisation_a_id, c.organisation_b_id) for c in constraints if c.kind is ConstraintKind.FIXED),
        earlier=earlier_pairs(session, programme) if programme.pairing_no_repeat else frozenset(),
    )


def accepted_ids(session: Session, site: Site) -> list[int]:
    """The ids of the organisations accepted at ``site``, in ascending order."""
    return session.scalars(
        sa.select(Enrolment.organisation_id)
        .where(Enrolment.site_id == site.id, Enrolment.status == EnrolmentStatus.ACCEPTED)
        .order_by(Enrolment.organisation_id)
    ).all()


def taken_ids(session: Session, site: Site) -> set[int]:
    """The ids of the organisations already in an active pairing at the site."""
    return set(
        session.scalars(
            sa.select(PairingMember.organisation_id)
            .join(Pairing, Pairing.id == PairingMember.pairing_id)
            .where(Pairing.site_id == site.id, Pairing.status == PairingStatus.ACTIVE)
        )
    )


# --- running the matcher -------------------------------------------------------------------------


def _clear_suggestions(session: Session, site: Site) -> None:
    for pairing in session.scalars(
        sa.select(Pairing).where(Pairing.site_id == site.id, Pairing.status == PairingStatus.PROPOSED)
    ):
        session.delete(pairing)
    session.flush()


def _new_pairing(
    session: Session,
    site: Site,
    members: tuple[int, ...],
    score: int,
    by: User,
    *,
    run_id: int | None = None,
    fixed: bool = False,
) -> Pairing:
    pairing = Pairing(site_id=site.id, score=score, created_by_id=by.id, run_id=run_id, fixed=fixed)
    pairing.members = [PairingMember(organisation_id=m, site_id=site.id, current=True) for m in members]
    session.add(pairing)
    return pairing


def run_matcher(session: Session, site: Site, by: User, organisation_ids: list[int] | None = None) -> MatchRun:
    """Suggest pairings for the site's accepted organisations not yet in an active pairing
    (or for a chosen set of them, ``organisation_ids``). The site's earlier suggestions are
    replaced; fixed pairs are kept when both of their organisations take part.

    Returns the run, flushed: what it was given, its total fit, the time it took
    (milliseconds) and who was left out and why; its suggestions are new pairings in the
    "proposed" status. Raises ``InvalidInput`` when a chosen organisation is not one of those
    (field ``organisation_ids``), and ``Conflict`` when fewer than two remain.
    """
    candidates = [i for i in accepted_ids(session, site) if i not in taken_ids(session, site)]
    if organisation_ids is not None:
        unknown = set(organisation_ids) - set(candidates)
        if unknown:
            raise InvalidInput(
                _("Choose organisations accepted at this site and not yet paired."), field="organisation_ids"
            )
        candidates = [i for i in candidates if i in set(organisation_ids)]
    if len(candidates) < 2:
        raise Conflict(_("At least two organisations are needed to suggest pairings."))
    rules = rules_for(session, site)
    rules = matching.Rules(**{**rules.__dict__, "fixed": tuple(f for f in rules.fixed if set(f) <= set(candidates))})
    started = time.perf_counter()
    result = matching.match(profiles(session, candidates).values(), rules)
    elapsed = int((time.perf_counter() - started) * 1000)
    _clear_suggestions(session, site)
    run = MatchRun(
        site_id=site.id,
        created_by_id=by.id,
        organisations=len(candidates),
        total_score=result.total,
        method=result.method,
        milliseconds=elapsed,
        rules={
            "type_rule": rules.type_rule.value,
            "common_language": rules.common_language,
            "no_repeat": rules.no_repeat,
            "allow_triads": rules.allow_triads,
            "forbidden": len(rules.forbidden),
            "fixed": len(rules.fixed),
        },
        unpaired=[
            {"organisation_id": u.organisation_id, "reasons": [r.value for r in u.reasons]} for u in result.unpaired
        ],
    )
    session.add(run)
    session.flush()
    for suggestion in result.suggestions:
        _new_pairing(session, site, suggestion.members, suggestion.score, by, run_id=run.id, fixed=suggestion.fixed)
    session.flush()
    log.info(
        "Matcher at site %s: %d organisations, %d suggestions, %d ms (%s)",
        site.id,
        len(candidates),
        len(result.suggestions),
        elapsed,
        result.method,
    )
    return run


# --- editing suggestions ---------------------------------------------------------------------------


@dataclass
class GroupCheck:
    """A group of organisations (their ids), its fit, and the rules it breaks."""

    members: tuple[int, ...]
    score: int
    broken: list[matching.Reason]


@dataclass
class EditPreview:
    """What an edit of the suggestions does to the groups it touches, before and after."""

    before: list[GroupCheck]
    after: list[GroupCheck]

    @property
    def score_change(self) -> int:
        """The total fit after the edit minus the total fit before."""
        return sum(g.score for g in self.after) - sum(g.score for g in self.before)

    @property
    def broken(self) -> list[tuple[tuple[int, ...], matching.Reason]]:
        """Each rule a group breaks after the edit, as ``(members, reason)``."""
        return [(g.members, r) for g in self.after for r in g.broken]


def check_group(
    session: Session,
    site: Site,
    members: tuple[int, ...],
    rules: matching.Rules | None = None,
    known: dict[int, matching.Profile] | None = None,
) -> GroupCheck:
    """A group's fit and the rules it breaks (only groups of two or three are checked
    against the rules). ``rules`` are the site's (read when not given); ``known`` holds
    profiles already loaded, which must include every member."""
    rules = rules or rules_for(session, site)
    found = known if known is not None else profiles(session, list(members))
    group = [found[m] for m in members]
    if len(group) == 2:
        broken = matching.broken_rules(*group, rules)
    elif len(group) == 3:
        broken = matching.triad_broken_rules(group, rules)
    else:
        broken = []
    return GroupCheck(tuple(members), matching.group_score(group), broken)


def _proposal(session: Session, site: Site, pairing_id: int) -> Pairing:
    pairing = session.get(Pairing, pairing_id)
    if pairing is None or pairing.site_id != site.id or pairing.status is not PairingStatus.PROPOSED:
        raise Conflict(_("Only suggested pairings of this site can be changed; run the matcher again."))
    return pairing


def swap_plan(session: Session, site: Site, first: int, second: int) -> tuple[dict[int, tuple[int, ...]], EditPreview]:
    """What swapping two organisations between suggestions (or with an unpaired one) gives,
    without changing anything: ``({pairing_id: new member ids}, preview)`` for the
    suggestions it touches, the preview holding their fit and broken rules before and after.

    Raises ``InvalidInput`` for the same organisation twice, when neither is in a suggestion,
    or when either is not accepted at the site or already in an active pairing.
    """
    if first == second:
        raise InvalidInput(_("Choose two different organisations."))
    where = {}
    for pairing in session.scalars(
        sa.select(Pairing).where(Pairing.site_id == site.id, Pairing.status == PairingStatus.PROPOSED)
    ):
        for member in pairing.members:
            where[member.organisation_id] = pairing
    if first not in where and second not in where:
        raise InvalidInput(_("At least one of the two must be in a suggested pairing."))
    allowed = set(accepted_ids(session, site)) - taken_ids(session, site)
    if not {first, second} <= allowed:
        raise InvalidInput(_("Choose organisations accepted at this site and not yet in an active pairing."))
    rules = rules_for(session, site)
    touched = {p.id: p for p in (where.get(first), where.get(second)) if p is not None}
    new_groups = {}
    for pid, pairing in touched.items():
        members = [m.organisation_id for m in pairing.members]
        members = [second if m == first else first if m == second else m for m in members]
        new_groups[pid] = tuple(sorted(members))
    before = [
        check_group(session, site, tuple(sorted(m.organisation_id for m in p.members)), rules) for p in touched.values()
    ]
    after = [check_group(session, site, members, rules) for members in new_groups.values()]
    return new_groups, EditPreview(before, after)


def apply_swap(session: Session, site: Site, first: int, second: int, by: User) -> EditPreview:
    """Swap two organisations as ``swap_plan`` shows it: the suggestions touched get their
    new members and fit, and are no longer marked as fixed. Returns the preview; raises what
    ``swap_plan`` raises."""
    new_groups, preview = swap_plan(session, site, first, second)
    checks = {g.members: g for g in preview.after}
    pairings = {pairing_id: _proposal(session, site, pairing_id) for pairing_id in new_groups}
    # Empty every touched pairing first: an organisation is in one current pairing at a time.
    for pairing in pairings.values():
        pairing.members.clear()
    session.flush()
    for pairing_id, members in new_groups.items():
        pairing = pairings[pairing_id]
        pairing.members.extend(PairingMember(organisation_id=m, site_id=site.id, current=True) for m in members)
        pairing.score = checks[members].score
        pairing.fixed = False
    session.flush()
    return preview


def pair_manually(session: Session, site: Site, organisation_ids: list[int], by: User) -> tuple[Pairing, GroupCheck]:
    """Make a suggestion by hand from two or three organisations accepted at the site and in
    no current pairing (suggested or active). It is made even when it breaks a rule: returns
    the new pairing, flushed, and its check (fit and rules broken) for the caller to show.

    Raises ``InvalidInput`` (field ``organisation_ids``) for fewer than two or more than
    three organisations, or one that is not free.
    """
    members = tuple(sorted(set(organisation_ids)))
    if len(members) not in (2, 3):
        raise InvalidInput(_("A pairing has two or three organisations."), field="organisation_ids")
    free = set(accepted_ids(session, site)) - set(
        session.scalars(
            sa.select(PairingMember.organisation_id).where(
                PairingMember.site_id == site.id, PairingMember.current.is_(True)
            )
        )
    )
    if not set(members) <= free:
        raise InvalidInput(
            _("Choose organisations accepted at this site that are in no pairing yet."), field="organisation_ids"
        )
    check = check_group(session, site, members)
    pairing = _new_pairing(session, site, members, check.score, by)
    session.flush()
    return pairing, check


def remove_suggestion(session: Session, site: Site, pairing_id: int) -> None:
    """Delete a suggested pairing of ``site``. Raises ``Conflict`` when ``pairing_id`` is not
    one (confirmed pairings are completed or dissolved instead)."""
    session.delete(_proposal(session, site, pairing_id))
    session.flush()


# --- confirming and ending ----------------------------------------------------------------------------


def _record_exchanges(session: Session, pairing: Pairing) -> None:
    ids = [m.organisation_id for m in pairing.members]
    entries = session.scalars(
        sa.select(OrganisationCompetence).where(OrganisationCompetence.organisation_id.in_(ids))
    ).all()
    offers = {
        (e.organisation_id, e.competence_id): e.level for e in entries if e.direction is CompetenceDirection.OFFER
    }
    needs = {(e.organisation_id, e.competence_id): e.level for e in entries if e.direction is CompetenceDirection.NEED}
    pairing.exchanges = [
        PairingExchange(
            teacher_id=t, learner_id=learner, competence_id=c, offer_level=level, need_level=needs[(learner, c)]
        )
        for (t, c), level in sorted(offers.items())
        for learner in ids
        if learner != t and (learner, c) in needs
    ]


def confirm(session: Session, pairings: list[Pairing], by: User) -> list[Pairing]:
    """Suggested pairings become active; the competences each member will teach the others
    are recorded, and every member's active contacts are told by mail. Pairings that are not
    suggestions are passed over; returns those confirmed."""
    confirmed = []
    for pairing in pairings:
        if pairing.status is not PairingStatus.PROPOSED:
            continue
        pairing.status = PairingStatus.ACTIVE
        pairing.confirmed_at = utcnow()
        _record_exchanges(session, pairing)
        confirmed.append(pairing)
    session.flush()
    for pairing in confirmed:
        for member in pairing.members:
            partners = [m.organisation for m in pairing.members if m.organisation_id != member.organisation_id]
            for contact in member.organisation.contacts:
                if contact.is_active:
                    send_template(
                        session,
                        contact.email,
                        "pairing_confirmed",
                        locale=contact.locale,
                        contact=contact,
                        pairing=pairing,
                        organisation=member.organisation,
                        partners=partners,
                        link=accounts.external_url("pairings.workspace", pairing_id=pairing.id),
                    )
    return confirmed


def end(session: Session, pairing: Pairing, status: PairingStatus, reason: str, by: User) -> None:
    """Mark an active pairing completed, or dissolve it (with a reason); its members are free
    to be paired again.

    Raises ``Conflict`` unless the pairing is active and ``status`` is completed or
    dissolved, and ``InvalidInput`` for a dissolution without a reason or a reason over
    ``END_REASON_LIMIT`` characters (field ``reason``).
    """
    reason = (reason or "").strip()
    if pairing.status is not PairingStatus.ACTIVE or status not in (PairingStatus.COMPLETED, PairingStatus.DISSOLVED):
        raise Conflict(_("Only an active pairing can be completed or dissolved."))
    if status is PairingStatus.DISSOLVED and not reason:
        raise InvalidInput(_("Say why the pairing is dissolved."), field="reason")
    _check_length(reason, END_REASON_LIMIT, "reason")
    pairing.status, pairing.end_reason, pairing.ended_at = status, reason, utcnow()
    for member in pairing.members:
        member.current = False
    session.flush()


# --- rules and constraints ----------------------------------------------------------------------------


def update_rules(
    session: Session,
    programme: Programme,
    *,
    type_rule: str,
    common_language: bool,
    no_repeat: bool,
    allow_triads: bool,
) -> None:
    """Set the pairing rules of the whole programme: ``type_rule`` (a ``matching.TypeRule``
    value), a shared working language, no repeat of an earlier edition's pair, and groups of
    three. Raises ``InvalidInput`` for an unknown type rule (field ``type_rule``)."""
    if type_rule not in matching.TypeRule._value2member_map_:
        raise InvalidInput(_("Choose one of the type rules."), field="type_rule")
    programme.pairing_type_rule = type_rule
    programme.pairing_common_language = common_language
    programme.pairing_no_repeat = no_repeat
    programme.pairing_allow_triads = allow_triads
    session.flush()


def add_constraint(
    session: Session, site: Site, a: int, b: int, kind: ConstraintKind, note: str, by: User
) -> PairConstraint:
    """Add a rule for the pair of organisations ``a`` and ``b`` at ``site``: never pair them
    (forbidden) or always pair them (fixed), with a note for colleagues. Returns it, flushed.

    Raises ``InvalidInput`` for the same organisation twice (field ``organisation_b_id``), a
    note over ``NOTE_LIMIT`` characters (``note``) or an organisation not accepted at the site
    (``organisation_a_id``); ``Conflict`` when the pair already
    has a rule, or for a fixed pair with an organisation already in another fixed pair
    (``organisation_b_id``).
    """
    if a == b:
        raise InvalidInput(_("Choose two different organisations."), field="organisation_b_id")
    _check_length(note or "", NOTE_LIMIT, "note")
    accepted = set(accepted_ids(session, site))
    if not {a, b} <= accepted:
        raise InvalidInput(_("Choose organisations accepted at this site."), field="organisation_a_id")
    low, high = sorted((a, b))
    existing = session.scalar(
        sa.select(PairConstraint).where(
            PairConstraint.site_id == site.id,
            PairConstraint.organisation_a_id == low,
            PairConstraint.organisation_b_id == high,
        )
    )
    if existing is not None:
        raise Conflict(_("There is already a rule for these two organisations."), field="organisation_b_id")
    if kind is ConstraintKind.FIXED:
        fixed = session.scalars(
            sa.select(PairConstraint).where(
                PairConstraint.site_id == site.id, PairConstraint.kind == ConstraintKind.FIXED
            )
        ).all()
        if any({low, high} & {c.organisation_a_id, c.organisation_b_id} for c in fixed):
            raise Conflict(_("One of these organisations is already in a fixed pair."), field="organisation_b_id")
    constraint = PairConstraint(
        site_id=site.id,
        organisation_a_id=low,
        organisation_b_id=high,
        kind=kind,
        note=(note or "").strip(),
        created_by_id=by.id,
    )
    session.add(constraint)
    session.flush()
    return constraint


def remove_constraint(session: Session, constraint: PairConstraint) -> None:
    """Delete a forbidden or fixed pair; it no longer applies the next time the matcher runs."""
    session.delete(constraint)
    session.flush()


# --- the workspace -------------------------------------------------------------------------------------


@dataclass
class MeetingData:
    """A meeting of a pairing as logged: the date it was held on, who attended, what was
    said, and the next steps."""

    held_on: date
    attendees: str = ""
    notes: str = ""
    next_steps: str = ""


def add_meeting(session: Session, pairing: Pairing, data: MeetingData, by: User) -> PairingMeeting:
    """Log a meeting of an active or completed pairing. Returns it, flushed.

    Raises ``Conflict`` for a suggested or dissolved pairing, and ``InvalidInput`` for a date
    after today (today in UTC; field ``held_on``) or a text longer than
    ``MEETING_TEXT_LIMITS`` allows (on its field).
    """
    if pairing.status in (PairingStatus.PROPOSED, PairingStatus.DISSOLVED):
        raise Conflict(_("Meetings are logged for active pairings."))
    if data.held_on > utcnow().date():
        raise InvalidInput(_("Log meetings that have taken place (the date is in the future)."), field="held_on")
    for name, limit in MEETING_TEXT_LIMITS.items():
        _check_length(getattr(data, name), limit, name)
    meeting = PairingMeeting(
        pairing_id=pairing.id,
        held_on=data.held_on,
        attendees=data.attendees.strip(),
        notes=data.notes.strip(),
        next_steps=data.next_steps.strip(),
        created_by_id=by.id,
    )
    session.add(meeting)
    session.flush()
    return meeting


@dataclass
class ProjectData:
    """A pairing's project idea as written: its title, what it is, whom it is for, what it
    needs, and how far it has come."""

    title: str
    description: str = ""
    target_group: str = ""
    resources_needed: str = ""
    status: ProjectStatus = ProjectStatus.IDEA


def save_project(session: Session, pairing: Pairing, data: ProjectData, by: User) -> ProjectIdea:
    """Create or replace the project idea of an active or completed pairing. Returns it,
    flushed.

    Raises ``Conflict`` for a suggested or dissolved pairing, and ``InvalidInput`` for an empty
    title (field ``title``) or a text longer than ``PROJECT_TEXT_LIMITS`` allows (on its
    field).
    """
    if pairing.status in (PairingStatus.PROPOSED, PairingStatus.DISSOLVED):
        raise Conflict(_("The project idea belongs to an active pairing."))
    if not data.title.strip():
        raise InvalidInput(_("Give the project a title."), field="title")
    for name, limit in PROJECT_TEXT_LIMITS.items():
        _check_length(getattr(data, name), limit, name)
    project = pairing.project or ProjectIdea(pairing_id=pairing.id)
    project.title, project.description = data.title.strip(), data.description.strip()
    project.target_group, project.resources_needed = data.target_group.strip(), data.resources_needed.strip()
    project.status, project.updated_by_id = data.status, by.id
    session.add(project)
    session.flush()
    return project

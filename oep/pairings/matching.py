"""The pairing engine: optimal two-way competence matching between organisations.

Pure computation — no database, no Flask — so that it can be tested against a brute-force
optimum and timed on its own.

**Fit.** What A can offer that B needs, weighted by both levels (offer level × need level,
summed over the competences), plus the same from B to A, plus ``MUTUAL_BONUS`` when both
directions are non-empty: mutual learning, not one-way help.

**Rules** (each can be switched off): organisations of different types (by default a
migrant or ethnic-minority association with a non-migrant organisation); a common working
language; no forbidden pair; no pair that already worked together in an earlier edition.
Fixed pairs are kept as they are and the rest is optimised around them.

**Objective.** Among the pairs the rules allow, the set of pairs with the greatest total fit
— exactly, not greedily — and among those, the one that leaves the fewest organisations out.
When an organisation is still left over (an odd number) and triads are allowed, it joins
the pair where it adds the most fit, if the rules allow that group of three.

**Method.** A maximum-weight matching. The weights are ``fit × (n + 1) + 1``, so that the
total fit decides first and the number of pairs breaks ties. The linear-programming
relaxation is solved as an assignment problem on the graph's bipartite double cover
(SciPy's Hungarian-method solver, in C); its optimum is a set of pairs and cycles. When it
holds no odd cycle it is an optimal matching as it stands (even cycles split into two equally
good halves). Otherwise the relaxation is solved again with HiGHS for its dual prices, every
pair whose reduced cost proves it cannot be in an optimum is discarded, and HiGHS solves the
remaining integer problem exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

MUTUAL_BONUS = 5
MIGRANT = "migrant_association"


class TypeRule(StrEnum):
    MIGRANT_WITH_NON_MIGRANT = "migrant_with_non_migrant"
    DIFFERENT_TYPES = "different_types"
    ANY = "any"


@dataclass(frozen=True)
class Profile:
    """What the engine knows of an organisation."""

    id: int
    type: str
    languages: frozenset[str] = frozenset()
    offers: dict[int, int] = field(default_factory=dict)  # competence id -> level 1-3
    needs: dict[int, int] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class Rules:
    type_rule: TypeRule = TypeRule.MIGRANT_WITH_NON_MIGRANT
    common_language: bool = True
    no_repeat: bool = True
    allow_triads: bool = True
    forbidden: frozenset[frozenset[int]] = frozenset()
    fixed: tuple[tuple[int, ...], ...] = ()
    earlier: frozenset[frozenset[int]] = frozenset()  # pairs from earlier editions


@dataclass(frozen=True)
class Teaching:
    competence_id: int
    offer_level: int
    need_level: int

    @property
    def points(self) -> int:
        return self.offer_level * self.need_level


@dataclass
class Fit:
    a: int
    b: int
    a_teaches_b: list[Teaching]
    b_teaches_a: list[Teaching]

    @property
    def a_to_b(self) -> int:
        return sum(t.points for t in self.a_teaches_b)

    @property
    def b_to_a(self) -> int:
        return sum(t.points for t in self.b_teaches_a)

    @property
    def mutual(self) -> bool:
        return bool(self.a_teaches_b) and bool(self.b_teaches_a)

    @property
    def bonus(self) -> int:
        return MUTUAL_BONUS if self.mutual else 0

    @property
    def score(self) -> int:
        return self.a_to_b + self.b_to_a + self.bonus


def teachings(teacher: Profile, learner: Profile) -> list[Teaching]:
    return [Teaching(c, level, learner.needs[c]) for c, level in sorted(teacher.offers.items()) if c in learner.needs]


def fit(a: Profile, b: Profile) -> Fit:
    return Fit(a.id, b.id, teachings(a, b), teachings(b, a))


# --- rules -----------------------------------------------------------------------------------------


class Reason(StrEnum):
    """Why two organisations may not be paired (or why one is left out)."""

    SAME_TYPE = "same_type"
    NOT_MIGRANT_WITH_NON_MIGRANT = "not_migrant_with_non_migrant"
    NO_COMMON_LANGUAGE = "no_common_language"
    FORBIDDEN = "forbidden"
    EARLIER_EDITION = "earlier_edition"
    NO_ELIGIBLE_PARTNER = "no_eligible_partner"
    PARTNERS_TAKEN = "partners_taken"
    ODD_NUMBER = "odd_number"


def broken_rules(a: Profile, b: Profile, rules: Rules) -> list[Reason]:
    """The rules a pair would break (empty: the pair is allowed)."""
    broken = []
    if rules.type_rule is TypeRule.MIGRANT_WITH_NON_MIGRANT and (a.type == MIGRANT) == (b.type == MIGRANT):
        broken.append(Reason.NOT_MIGRANT_WITH_NON_MIGRANT)
    elif rules.type_rule is TypeRule.DIFFERENT_TYPES and a.type == b.type:
        broken.append(Reason.SAME_TYPE)
    if rules.common_language and not (a.languages & b.languages):
        broken.append(Reason.NO_COMMON_LANGUAGE)
    key = frozenset((a.id, b.id))
    if key in rules.forbidden:
        broken.append(Reason.FORBIDDEN)
    if rules.no_repeat and key in rules.earlier:
        broken.append(Reason.EARLIER_EDITION)
    return broken


def triad_broken_rules(members: Iterable[Profile], rules: Rules) -> list[Reason]:
    """A group of three works together as a whole: it must mix migrant and non-migrant
    organisations (or not be all of one type), share a language, and hold no forbidden or
    earlier-edition pair."""
    members = list(members)
    broken = []
    if rules.type_rule is TypeRule.MIGRANT_WITH_NON_MIGRANT:
        kinds = {m.type == MIGRANT for m in members}
        if len(kinds) < 2:
            broken.append(Reason.NOT_MIGRANT_WITH_NON_MIGRANT)
    elif rules.type_rule is TypeRule.DIFFERENT_TYPES and len({m.type for m in members}) < 2:
        broken.append(Reason.SAME_TYPE)
    if rules.common_language and not frozenset.intersection(*(m.languages for m in members)):
        broken.append(Reason.NO_COMMON_LANGUAGE)
    for x, y in itertools.combinations(members, 2):
        key = frozenset((x.id, y.id))
        if key in rules.forbidden and Reason.FORBIDDEN not in broken:
            broken.append(Reason.FORBIDDEN)
        if rules.no_repeat and key in rules.earlier and Reason.EARLIER_EDITION not in broken:
            broken.append(Reason.EARLIER_EDITION)
    return broken


def group_score(members: Iterable[Profile]) -> int:
    """The fit of a pair, or of a triad: the sum of its pairwise fits."""
    return sum(fit(x, y).score for x, y in itertools.combinations(list(members), 2))


# --- the result -----------------------------------------------------------------------------------


@dataclass
class Suggestion:
    members: tuple[int, ...]  # two or three organisation ids
    score: int
    fixed: bool = False
    #: The organisation that joined the pair as a third, and the fit it added.
    joined: int | None = None
    gain: int = 0


@dataclass
class Unpaired:
    organisation_id: int
    reasons: list[Reason]


@dataclass
class MatchResult:
    suggestions: list[Suggestion]
    unpaired: list[Unpaired]
    method: str

    @property
    def total(self) -> int:
        return sum(s.score for s in self.suggestions)

    @property
    def optimised_total(self) -> int:
        """The total fit of the optimised pairs (not the fixed ones, not a triad's gain)."""
        return sum(s.score - s.gain for s in self.suggestions if not s.fixed)


# --- the optimisation -------------------------------------------------------------------------------


def fit_matrix(profiles: list[Profile]) -> np.ndarray:
    """Every pair's fit at once: with O and N the organisations' offer and need levels per
    competence, A teaches B ``O[A] · N[B]`` points."""
    competences = sorted({c for p in profiles for c in (*p.offers, *p.needs)})
    column = {c: k for k, c in enumerate(competences)}
    offers = np.zeros((len(profiles), len(competences)), dtype=np.int64)
    needs = np.zeros_like(offers)
    for i, p in enumerate(profiles):
        for c, level in p.offers.items():
            offers[i, column[c]] = level
        for c, level in p.needs.items():
            needs[i, column[c]] = level
    teaches = offers @ needs.T  # teaches[a, b]: what a teaches b
    return teaches + teaches.T + MUTUAL_BONUS * ((teaches > 0) & (teaches.T > 0))


def allowed_matrix(profiles: list[Profile], rules: Rules) -> np.ndarray:
    """Which pairs the rules allow (the same rules as ``broken_rules``, for all pairs at once)."""
    n = len(profiles)
    allowed = ~np.eye(n, dtype=bool)
    types = np.array([p.type for p in profiles])
    if rules.type_rule is TypeRule.MIGRANT_WITH_NON_MIGRANT:
        migrant = types == MIGRANT
        allowed &= migrant[:, None] != migrant[None, :]
    elif rules.type_rule is TypeRule.DIFFERENT_TYPES:
        allowed &= types[:, None] != types[None, :]
    if rules.common_language:
        codes = sorted({lang for p in profiles for lang in p.languages})
        bit = {lang: 1 << k for k, lang in enumerate(codes)}
        masks = [sum(bit[lang] for lang in p.languages) for p in profiles]
        if len(codes) <= 62:
            m = np.array(masks, dtype=np.int64)
            allowed &= (m[:, None] & m[None, :]) != 0
        else:  # pragma: no cover - more languages than bits
            shared = np.array([[bool(x & y) for y in masks] for x in masks])
            allowed &= shared
    index = {p.id: i for i, p in enumerate(profiles)}
    excluded = set(rules.forbidden) | (set(rules.earlier) if rules.no_repeat else set())
    for pair in excluded:
        ids = [index.get(x) for x in pair]
        if len(ids) == 2 and None not in ids:
            allowed[ids[0], ids[1]] = allowed[ids[1], ids[0]] = False
    return allowed


def _weights(profiles: list[Profile], rules: Rules) -> np.ndarray:
    """Edge weights ``fit × (n + 1) + 1`` for allowed pairs, ``-inf`` otherwise, 0 on the
    diagonal."""
    n = len(profiles)
    if n == 0:
        return np.zeros((0, 0))
    weights = np.where(allowed_matrix(profiles, rules), fit_matrix(profiles) * (n + 1) + 1.0, -np.inf)
    np.fill_diagonal(weights, 0.0)
    return weights


def max_weight_matching(weights: np.ndarray) -> tuple[list[tuple[int, int]], str]:
    """An exact maximum-weight matching of the graph with these (symmetric) edge weights;
    ``-inf`` marks a missing edge, the diagonal is 0 (being left out costs nothing)."""
    from scipy.optimize import linear_sum_assignment  # lazy: SciPy is slow to import, only the matcher needs it

    n = len(weights)
    if n < 2:
        return [], "trivial"
    finite = np.where(np.isfinite(weights), weights, -1e15)
    rows, cols = linear_sum_assignment(finite, maximize=True)
    successor = cols.copy()
    successor[rows] = cols
    cycles = _cycles(successor)
    if all(len(c) % 2 == 0 or len(c) == 1 for c in cycles):
        return _from_cycles(cycles, weights), "assignment"
    return _exact_from_relaxation(weights, successor, cycles), "integer programming"


def _cycles(successor: np.ndarray) -> list[list[int]]:
    seen = np.zeros(len(successor), dtype=bool)
    cycles = []
    for start in range(len(successor)):
        if seen[start]:
            continue
        cycle = [start]
        seen[start] = True
        nxt = int(successor[start])
        while nxt != start:
            cycle.append(nxt)
            seen[nxt] = True
            nxt = int(successor[nxt])
        cycles.append(cycle)
    return cycles


def _path_pairs(path: list[int]) -> list[tuple[int, int]]:
    return [(path[k], path[k + 1]) for k in range(0, len(path) - 1, 2)]


def _from_cycles(cycles: list[list[int]], weights: np.ndarray) -> list[tuple[int, int]]:
    """A matching from the relaxation's cycles: 2-cycles are pairs; an even cycle splits into
    two alternating halves (equally good at an optimum; the heavier is taken); an odd cycle
    gives its best matching leaving one of its vertices out (a feasible, not necessarily
    optimal, choice)."""
    pairs = []

    def value(candidate):
        return sum(weights[a, b] for a, b in candidate)

    for cycle in cycles:
        length = len(cycle)
        if length == 1:
            continue
        if length % 2 == 0:
            halves = (_path_pairs(cycle), _path_pairs(cycle[1:] + cycle[:1]))
            pairs.extend(max(halves, key=value))
        else:
            options = (_path_pairs(cycle[t + 1 :] + cycle[:t]) for t in range(length))
            pairs.extend(max(options, key=value))
    return [tuple(sorted(p)) for p in pairs if np.isfinite(weights[p])]


def _dual_prices(weights: np.ndarray, successor: np.ndarray) -> np.ndarray:
    """Optimal dual prices of the matching relaxation, from the optimal assignment: the
    assignment's potentials are shortest distances in its residual graph (Bellman-Ford, one
    vectorised relaxation per round), and each vertex's price is the mean of its row's and
    its column's potential."""
    n = len(weights)
    w = np.where(np.isfinite(weights), weights, -np.inf)
    assigned = w[np.arange(n), successor]
    # q_k <= q_i + (assigned_i - w[i, successor[k]]) for every i, k
    step = assigned[:, None] - w[:, successor]
    distance = np.zeros(n)
    for _ in range(n + 1):
        relaxed = np.minimum(distance, np.min(distance[:, None] + step, axis=0))
        if np.array_equal(relaxed, distance):
            break
        distance = relaxed
    column = np.empty(n)
    column[successor] = -distance  # v at column successor[k] is p_k = -q_k
    row = assigned - column[successor]
    return (row + column) / 2


def _exact_from_relaxation(
    weights: np.ndarray, successor: np.ndarray, cycles: list[list[int]]
) -> list[tuple[int, int]]:
    """Exact matching when the relaxation has odd cycles.

    The relaxation's bound and dual prices come from the assignment; a feasible matching from
    its cycles gives a lower bound; every pair whose reduced cost exceeds the gap cannot be in
    an optimum and is dropped; HiGHS solves the integer problem on the few pairs left.
    """
    # lazy: SciPy is slow to import, only the matcher needs it
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    n = len(weights)
    prices = _dual_prices(weights, successor)
    upper = prices.sum()
    feasible = _from_cycles(cycles, weights)
    lower = sum(weights[p] for p in feasible)
    usable = np.triu(np.isfinite(weights) & (weights > 0), 1)
    reduced = prices[:, None] + prices[None, :] - np.where(usable, weights, 0)
    keep = np.argwhere(usable & (reduced <= upper - lower + 1e-6))
    if not len(keep):
        return feasible
    k = len(keep)
    incidence = coo_matrix(
        (np.ones(2 * k), (np.concatenate([keep[:, 0], keep[:, 1]]), np.concatenate([np.arange(k), np.arange(k)]))),
        shape=(n, k),
    ).tocsr()
    result = milp(
        c=-weights[keep[:, 0], keep[:, 1]],
        constraints=LinearConstraint(incidence, 0, 1),
        integrality=np.ones(k),
        bounds=Bounds(0, 1),
    )
    if result.status != 0:  # pragma: no cover - HiGHS solves these to optimality
        raise RuntimeError(f"the pairing problem could not be solved: {result.message}")
    return [(int(i), int(j)) for (i, j), x in zip(keep, result.x, strict=True) if x > 0.5]


def match(profiles: Iterable[Profile], rules: Rules = Rules()) -> MatchResult:
    """Suggest pairings for ``profiles`` under ``rules``."""
    everyone = {p.id: p for p in sorted(profiles, key=lambda p: p.id)}
    suggestions: list[Suggestion] = []
    in_fixed: set[int] = set()
    for group in rules.fixed:
        members = tuple(sorted(m for m in group if m in everyone))
        if len(members) >= 2 and not in_fixed & set(members):
            suggestions.append(Suggestion(members, group_score(everyone[m] for m in members), fixed=True))
            in_fixed.update(members)
    pool = [p for p in everyone.values() if p.id not in in_fixed]
    pairs, method = max_weight_matching(_weights(pool, rules))
    for i, j in pairs:
        a, b = pool[i], pool[j]
        suggestions.append(Suggestion((a.id, b.id), fit(a, b).score))
    paired = {m for s in suggestions for m in s.members}
    left = [p for p in pool if p.id not in paired]

    if rules.allow_triads and len(left) == 1:
        leftover = left[0]
        best = None
        for s in suggestions:
            if s.fixed or len(s.members) != 2:  # fixed pairs stay as they are
                continue
            members = [everyone[m] for m in s.members] + [leftover]
            if triad_broken_rules(members, rules):
                continue
            gain = sum(fit(leftover, everyone[m]).score for m in s.members)
            if best is None or gain > best[0]:
                best = (gain, s)
        if best is not None:
            gain, s = best
            s.members = tuple(sorted(s.members + (leftover.id,)))
            s.score += gain
            s.joined, s.gain = leftover.id, gain
            left = []

    unpaired = [Unpaired(p.id, _reasons_left_out(p, pool, everyone, in_fixed, paired, rules)) for p in left]
    suggestions.sort(key=lambda s: (-s.score, s.members))
    return MatchResult(suggestions, unpaired, method)


def _reasons_left_out(p: Profile, pool, everyone, in_fixed, paired, rules) -> list[Reason]:
    """Why an organisation was left out: no eligible partner (and which rules excluded them
    all), its partners taken by better pairs, or an odd number."""
    others = [o for o in everyone.values() if o.id != p.id and o.id not in in_fixed]
    eligible = [o for o in others if not broken_rules(p, o, rules)]
    if not eligible:
        reasons: list[Reason] = [Reason.NO_ELIGIBLE_PARTNER]
        for o in others:
            for r in broken_rules(p, o, rules):
                if r not in reasons:
                    reasons.append(r)
        return reasons
    if all(o.id in paired for o in eligible):
        return [Reason.PARTNERS_TAKEN]
    return [Reason.ODD_NUMBER]


# --- for tests and benchmarks: the optimum by enumeration ------------------------------------------


def brute_force_pair_total(profiles: list[Profile], rules: Rules) -> tuple[int, int]:
    """(best total fit, most organisations paired at that total) over every set of allowed
    pairs — exponential, for small instances only."""
    profiles = sorted(profiles, key=lambda p: p.id)
    allowed = {
        frozenset((a.id, b.id)): fit(a, b).score
        for a, b in itertools.combinations(profiles, 2)
        if not broken_rules(a, b, rules)
    }
    ids = [p.id for p in profiles]
    best = (0, 0)

    def walk(remaining: list[int], total: int, count: int):
        nonlocal best
        if not remaining:
            best = max(best, (total, count))
            return
        first, rest = remaining[0], remaining[1:]
        walk(rest, total, count)  # first stays unpaired
        for k, other in enumerate(rest):
            key = frozenset((first, other))
            if key in allowed:
                walk(rest[:k] + rest[k + 1 :], total + allowed[key], count + 2)

    walk(ids, 0, 0)
    return best

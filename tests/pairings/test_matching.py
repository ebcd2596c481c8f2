"""The matching engine against a brute-force optimum, and its rules, on random instances."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oep.pairings import matching
from oep.pairings.matching import Profile, Reason, Rules, TypeRule

TYPES = ["cso", "migrant_association", "faith_community", "education"]
LANGUAGES = ["en", "it", "ar", "da"]


@st.composite
def instances(draw, max_size=9):
    n = draw(st.integers(min_value=1, max_value=max_size))
    competences = st.dictionaries(st.integers(0, 5), st.integers(1, 3), max_size=3)
    profiles = [
        Profile(
            id=i + 1,
            type=draw(st.sampled_from(TYPES)),
            languages=frozenset(draw(st.sets(st.sampled_from(LANGUAGES), min_size=1, max_size=2))),
            offers=draw(competences),
            needs=draw(competences),
        )
        for i in range(n)
    ]
    ids = [p.id for p in profiles]
    pairs = [frozenset(p) for p in itertools.combinations(ids, 2)]
    forbidden = frozenset(draw(st.lists(st.sampled_from(pairs), max_size=3))) if pairs else frozenset()
    earlier = frozenset(draw(st.lists(st.sampled_from(pairs), max_size=3))) if pairs else frozenset()
    fixed = ()
    if len(ids) >= 4 and draw(st.booleans()):
        fixed = (tuple(sorted(draw(st.sampled_from(pairs)))),)
    rules = Rules(
        type_rule=draw(st.sampled_from(list(TypeRule))),
        common_language=draw(st.booleans()),
        no_repeat=draw(st.booleans()),
        allow_triads=draw(st.booleans()),
        forbidden=forbidden,
        fixed=fixed,
        earlier=earlier,
    )
    return profiles, rules


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_engine_total_equals_the_brute_force_optimum(instance):
    profiles, rules = instance
    result = matching.match(profiles, rules)
    fixed_ids = {m for s in result.suggestions if s.fixed for m in s.members}
    pool = [p for p in profiles if p.id not in fixed_ids]
    best_total, best_count = matching.brute_force_pair_total(pool, rules)
    assert result.optimised_total == best_total
    paired_by_pairs = sum(2 for s in result.suggestions if not s.fixed)
    assert paired_by_pairs == best_count  # and, at that total, as few left out as possible


@settings(max_examples=400, deadline=None)
@given(instances())
def test_no_rule_is_ever_broken(instance):
    profiles, rules = instance
    by_id = {p.id: p for p in profiles}
    result = matching.match(profiles, rules)
    seen = [m for s in result.suggestions for m in s.members] + [u.organisation_id for u in result.unpaired]
    assert sorted(seen) == sorted(by_id)  # everyone exactly once
    for s in result.suggestions:
        members = [by_id[m] for m in s.members]
        if s.fixed:
            assert s.members in [tuple(sorted(f)) for f in rules.fixed]
            continue
        assert len(members) in (2, 3)
        if len(members) == 2:
            assert matching.broken_rules(*members, rules) == []
        else:
            assert rules.allow_triads
            assert matching.triad_broken_rules(members, rules) == []
            assert s.joined is not None and not result.unpaired
        assert s.score == matching.group_score(members)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_a_triad_takes_the_leftover_where_it_adds_most(instance):
    profiles, rules = instance
    by_id = {p.id: p for p in profiles}
    result = matching.match(profiles, rules)
    triads = [s for s in result.suggestions if len(s.members) == 3 and not s.fixed]
    if not triads:
        return
    [triad] = triads
    leftover = by_id[triad.joined]
    options = []
    for s in result.suggestions:
        pair = [m for m in s.members if m != triad.joined]
        if s.fixed or len(pair) != 2:
            continue
        group = [by_id[m] for m in pair] + [leftover]
        if not matching.triad_broken_rules(group, rules):
            options.append(sum(matching.fit(leftover, by_id[m]).score for m in pair))
    assert triad.gain == max(options)


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 9), st.randoms(use_true_random=False))
def test_integer_programming_path_is_exact(n, rnd):
    """The fallback used when the relaxation has odd cycles, on random general graphs."""
    weights = np.full((n, n), -np.inf)
    np.fill_diagonal(weights, 0.0)
    for i, j in itertools.combinations(range(n), 2):
        if rnd.random() < 0.7:
            weights[i, j] = weights[j, i] = float(rnd.randint(1, 50))
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(np.where(np.isfinite(weights), weights, -1e15), maximize=True)
    successor = cols.copy()
    successor[rows] = cols
    pairs = matching._exact_from_relaxation(weights, successor, matching._cycles(successor))
    assert sum(weights[p] for p in matching.max_weight_matching(weights)[0]) == sum(weights[p] for p in pairs)
    used = [v for p in pairs for v in p]
    assert len(used) == len(set(used))
    got = sum(weights[i, j] for i, j in pairs)

    def best(vertices):
        if len(vertices) < 2:
            return 0.0
        first, rest = vertices[0], vertices[1:]
        value = best(rest)
        for k, other in enumerate(rest):
            if np.isfinite(weights[first, other]):
                value = max(value, weights[first, other] + best(rest[:k] + rest[k + 1 :]))
        return value

    assert got == best(list(range(n)))


def test_a_triangle_of_strong_fits_needs_the_exact_fallback():
    """Three organisations that all fit well together and a weak fourth: the relaxation
    prefers the fractional triangle; the engine still returns the best real pairing."""
    weights = np.array(
        [[0, 10, 10, 1], [10, 0, 10, -np.inf], [10, 10, 0, -np.inf], [1, -np.inf, -np.inf, 0]], dtype=float
    )
    pairs, method = matching.max_weight_matching(weights)
    assert method == "integer programming"
    assert sorted(pairs) == [(0, 3), (1, 2)]  # 10 + 1: the best real pairing


def p(id, type="cso", languages=("en",), offers=None, needs=None):
    return Profile(id, type, frozenset(languages), offers or {}, needs or {})


def test_the_two_way_fit():
    a = p(1, "cso", offers={1: 3, 2: 1}, needs={3: 2})
    b = p(2, "migrant_association", offers={3: 2}, needs={1: 2, 2: 3})
    f = matching.fit(a, b)
    assert (f.a_to_b, f.b_to_a, f.bonus, f.score) == (
        3 * 2 + 1 * 3,
        2 * 2,
        matching.MUTUAL_BONUS,
        9 + 4 + matching.MUTUAL_BONUS,
    )
    one_way = matching.fit(a, p(3, "migrant_association", needs={1: 1}))
    assert (one_way.score, one_way.mutual) == (3, False)


def test_default_rule_pairs_migrant_associations_with_others():
    cso, cso2 = p(1, "cso", offers={1: 3}, needs={2: 3}), p(2, "union", offers={1: 3}, needs={2: 3})
    migrant = p(3, "migrant_association", offers={2: 3}, needs={1: 3})
    result = matching.match([cso, cso2, migrant], Rules(allow_triads=False))
    assert [s.members for s in result.suggestions] == [(1, 3)]
    assert [(u.organisation_id, u.reasons) for u in result.unpaired] == [(2, [Reason.PARTNERS_TAKEN])]


def test_fixed_pair_is_kept_and_forbidden_pair_never_made():
    a = p(1, "cso", offers={1: 3}, needs={2: 3})
    b = p(2, "migrant_association", offers={2: 3}, needs={1: 3})
    c = p(3, "cso", offers={1: 1}, needs={})
    d = p(4, "migrant_association", offers={}, needs={1: 1})
    # Left alone, the engine pairs the strong fits a-b and c-d...
    assert {s.members for s in matching.match([a, b, c, d]).suggestions} == {(1, 2), (3, 4)}
    # ...a fixed a-d is kept and the rest optimised around it...
    fixed = matching.match([a, b, c, d], Rules(fixed=((1, 4),)))
    assert {(s.members, s.fixed) for s in fixed.suggestions} == {((1, 4), True), ((2, 3), False)}
    # ...and a forbidden a-b is never suggested.
    forbidden = matching.match([a, b, c, d], Rules(forbidden=frozenset({frozenset((1, 2))})))
    assert (1, 2) not in {s.members for s in forbidden.suggestions}


def test_odd_number_makes_one_triad_where_the_rules_allow():
    a = p(1, "cso", offers={1: 3}, needs={2: 3})
    b = p(2, "migrant_association", offers={2: 3}, needs={1: 3})
    c = p(3, "migrant_association", offers={2: 2}, needs={1: 1})
    result = matching.match([a, b, c])
    assert [s.members for s in result.suggestions] == [(1, 2, 3)] and result.unpaired == []
    assert result.suggestions[0].joined == 3
    without = matching.match([a, b, c], Rules(allow_triads=False))
    assert [u.organisation_id for u in without.unpaired] == [3]
    # A triad that would not share a language is not made.
    lonely = p(3, "migrant_association", languages=("ar",), offers={2: 2}, needs={1: 1})
    assert [u.organisation_id for u in matching.match([a, b, lonely]).unpaired] == [3]


def test_unpaired_reasons_name_the_rules():
    a = p(1, "cso", languages=("en",))
    b = p(2, "cso", languages=("da",))
    c = p(3, "migrant_association", languages=("it",))
    result = matching.match([a, b, c], Rules(allow_triads=False))
    reasons = {u.organisation_id: set(u.reasons) for u in result.unpaired}
    assert reasons[3] == {Reason.NO_ELIGIBLE_PARTNER, Reason.NO_COMMON_LANGUAGE}
    assert Reason.NOT_MIGRANT_WITH_NON_MIGRANT in reasons[1]


def test_no_repeat_of_an_earlier_edition():
    a = p(1, "cso", offers={1: 3}, needs={2: 3})
    b = p(2, "migrant_association", offers={2: 3}, needs={1: 3})
    earlier = Rules(earlier=frozenset({frozenset((1, 2))}))
    assert matching.match([a, b], earlier).suggestions == []
    assert len(matching.match([a, b], Rules(earlier=earlier.earlier, no_repeat=False)).suggestions) == 1

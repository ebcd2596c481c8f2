"""Time the pairing engine on a site of 200 organisations and a worst case of 1,000.

Organisations get a realistic mix: types as in the demo programme (about 40 % migrant
associations), two or three of eight working languages, three competences offered and three
needed out of sixteen at levels 1-3. Both type rules are timed: the default one (a migrant
association with a non-migrant organisation, a bipartite problem) and "different types"
(a general graph, which may need the exact integer-programming step).

    python -m bench.matching
"""

from __future__ import annotations

import random
import time

from oep.pairings import matching

TYPES = (
    ["cso"] * 30
    + ["migrant_association"] * 40
    + ["faith_community"] * 8
    + ["education"] * 8
    + ["business"] * 4
    + ["union"] * 5
    + ["other"] * 5
)
LANGUAGES = ["en", "it", "el", "de", "da", "ar", "fr", "fa"]


def profiles(n: int, seed: int) -> list[matching.Profile]:
    rng = random.Random(seed)
    result = []
    for i in range(n):
        competences = rng.sample(range(16), 6)
        result.append(
            matching.Profile(
                id=i + 1,
                type=rng.choice(TYPES),
                languages=frozenset(rng.sample(LANGUAGES, rng.randint(2, 3))),
                offers={c: rng.randint(1, 3) for c in competences[:3]},
                needs={c: rng.randint(1, 3) for c in competences[3:]},
            )
        )
    return result


def run(sizes=(200, 1000), repeat: int = 3) -> list[dict]:
    rows = []
    for n in sizes:
        for rule in (matching.TypeRule.MIGRANT_WITH_NON_MIGRANT, matching.TypeRule.DIFFERENT_TYPES):
            times, result, methods = [], None, set()
            matching.match(profiles(20, 99), matching.Rules(type_rule=rule))  # warm-up: imports
            for seed in range(repeat):
                group = profiles(n, seed)
                started = time.perf_counter()
                result = matching.match(group, matching.Rules(type_rule=rule))
                times.append(time.perf_counter() - started)
                methods.add(result.method)
            rows.append(
                {
                    "organisations": n,
                    "rule": rule.value,
                    "median_s": round(sorted(times)[len(times) // 2], 2),
                    "max_s": round(max(times), 2),
                    "groups": len(result.suggestions),
                    "unpaired": len(result.unpaired),
                    "method": " / ".join(sorted(methods)),
                }
            )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "\nPairing engine (3 random sites per size, exact optimum)",
        f"{'organisations':>13} {'rule':<26} {'median':>8} {'max':>8} {'groups':>7} {'left out':>9}  method",
    ]
    for r in rows:
        lines.append(
            f"{r['organisations']:>13} {r['rule']:<26} {r['median_s']:>7.2f}s "
            f"{r['max_s']:>7.2f}s {r['groups']:>7} {r['unpaired']:>9}  {r['method']}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))

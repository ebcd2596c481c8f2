"""``python -m bench``: generate the national-scale database (SQLite, and PostgreSQL when
OEP_BENCH_POSTGRES_URL is set) and print the matcher's, the pages' and the consolidated
report's timings as tables."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from bench import generate, matching, pages, report
from bench.common import fresh_database

OUT = Path("bench/out")


def table(rows: list[dict], title: str) -> str:
    lines = [f"\n{title}", f"{'page':<34} {'rows':>5} {'size':>6} {'median':>8} {'p90':>8} {'max':>8}"]
    for row in rows:
        lines.append(
            f"{row['page']:<34} {row['items']:>5} {row['kb']:>4}kB "
            f"{row['median_ms']:>6.1f}ms {row['p90_ms']:>6.1f}ms {row['max_ms']:>6.1f}ms"
        )
    return "\n".join(lines)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    targets = [("SQLite", f"sqlite:///{OUT / 'national.sqlite'}")]
    if os.environ.get("OEP_BENCH_POSTGRES_URL"):
        targets.append(("PostgreSQL", os.environ["OEP_BENCH_POSTGRES_URL"]))
    print(
        f"machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(matching.table(matching.run()))
    for name, url in targets:
        info = generate.generate(fresh_database(url))
        (OUT / "national.json").write_text(json.dumps(info))
        print(f"\n{name}: generated {info['counts']} in {info['seconds']} s")
        print(table(pages.run(url, info), f"{name}: response times (in-process, signed-in trainer, 30 requests each)"))
        print(report.table(report.run(url), f"{name}: consolidated report of the 20 sites, one process per format"))


if __name__ == "__main__":
    main()

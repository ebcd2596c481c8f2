"""The consolidated OEP report at national scale: how long each format takes and how much
memory it needs.

    python -m bench.report                      # SQLite, generating bench/out/national.sqlite first
    python -m bench.report --database-url postgresql://postgres@127.0.0.1:5432/oep_bench

Each format is made in its own process, as the job worker would, so that its peak memory
(maximum resident set size) is its own. The time is the whole job: the figures (aggregate
queries), the charts, and writing the file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

OUT = Path("bench/out")


def _one(database_url: str, fmt: str) -> dict:
    """Make the consolidated report in one format, in this process; return the figures."""
    import sqlalchemy as sa

    from bench.common import absolute_sqlite
    from oep import create_app
    from oep.extensions import db
    from oep.programmes.models import Programme
    from oep.reports import render
    from oep.reports.data import Period

    app = create_app(
        {"DATABASE_URL": absolute_sqlite(database_url), "SECRET_KEY": "bench-" + "x" * 40},
        instance_path=str((OUT / "instance").resolve()),
    )
    with app.test_request_context():
        programme = db.session.scalar(sa.select(Programme).order_by(Programme.id))
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
        started = time.perf_counter()
        from flask_babel import force_locale

        with force_locale("en"):
            from oep.reports import data

            report = data.build(
                db.session,
                programme,
                list(programme.sites),
                Period(programme.starts_on, programme.ends_on),
                consolidated=True,
                language="en",
            )
            figures_at = time.perf_counter()
            queries = len(statements)
            from oep.reports import charts

            if fmt == "pdf":  # the spreadsheets carry the numbers, not the pictures
                charts.attach(report)
            charts_at = time.perf_counter()
            content = {"pdf": render.to_pdf, "xlsx": render.to_spreadsheet, "csv": render.to_csv_files}[fmt](report)
        done = time.perf_counter()
    pages = None
    if fmt == "pdf":
        import io

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(content)).pages)
    (OUT / f"national-report.{'zip' if fmt == 'csv' else fmt}").write_bytes(content)
    return {
        "format": fmt,
        "figures_s": round(figures_at - started, 2),
        "queries": queries,
        "charts_s": round(charts_at - figures_at, 2),
        "render_s": round(done - charts_at, 2),
        "total_s": round(done - started, 2),
        "size_kb": round(len(content) / 1024),
        "pages": pages,
        "tables": len(report.tables()),
        "peak_mb": peak_memory_mb(),
    }


def peak_memory_mb() -> int:
    """This process's peak resident memory. VmHWM starts again at exec, unlike ru_maxrss,
    which would count the parent's memory the child had between fork and exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run(database_url: str, formats=("pdf", "xlsx", "csv")) -> list[dict]:
    rows = []
    for fmt in formats:
        result = subprocess.run(
            [sys.executable, "-m", "bench.report", "--inner", fmt, "--database-url", database_url],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return rows


def table(rows: list[dict], title: str) -> str:
    lines = [
        f"\n{title}",
        f"{'format':<6} {'figures':>8} {'queries':>8} {'charts':>7} "
        f"{'render':>7} {'total':>7} {'size':>8} {'pages':>6} {'peak RSS':>9}",
    ]
    for r in rows:
        lines.append(
            f"{r['format']:<6} {r['figures_s']:>7.2f}s {r['queries']:>8} {r['charts_s']:>6.2f}s {r['render_s']:>6.2f}s "
            f"{r['total_s']:>6.2f}s {r['size_kb']:>6}kB {r['pages'] or '':>6} {r['peak_mb']:>6} MB"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'national.sqlite'}")
    parser.add_argument("--no-generate", action="store_true", help="use the database as it is")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    parser.add_argument("--formats", nargs="+", default=["pdf", "xlsx", "csv"])
    args = parser.parse_args()
    if args.inner:
        import logging

        logging.disable(logging.INFO)
        print(json.dumps(_one(args.database_url, args.inner)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.no_generate:
        from bench import generate
        from bench.common import fresh_database

        info = generate.generate(fresh_database(args.database_url))
        print(f"generated {info['counts']} in {info['seconds']} s")
    print(
        f"machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        table(
            run(args.database_url, args.formats),
            "Consolidated report, national scale (20 sites), one process per format",
        )
    )


if __name__ == "__main__":
    main()

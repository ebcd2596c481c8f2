"""What the benchmarks share: a fresh schema to fill, and timing helpers."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import sqlalchemy as sa


def fresh_database(url: str) -> sa.Engine:
    """An empty database at ``url`` with OEP's schema (built by the migrations)."""
    from oep import create_app
    from oep.config import _normalise_database_url
    from oep.extensions import db

    url = absolute_sqlite(_normalise_database_url(url))
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    else:
        from tests.support import ensure_database

        ensure_database(url)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40},
        instance_path=str(Path("bench/out/instance").resolve()),
    )
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        from flask_migrate import upgrade

        upgrade()
        engine = sa.create_engine(url)
        db.engine.dispose()
    return engine


def absolute_sqlite(url: str) -> str:
    """Flask-SQLAlchemy reads relative SQLite paths from the instance folder; the benchmarks
    mean the current directory."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        return "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    return url


def timed(fn, repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` calls of ``fn`` (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 1),
        "max_ms": round(ordered[-1], 1),
    }

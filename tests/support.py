"""Finding the services some tests need: PostgreSQL, Redis, Chromium.

Locally a missing service skips the tests that need it, with the reason. With
OEP_TEST_STRICT=1 (as CI sets it) a missing service fails those tests instead: in CI every
test must run.
"""

from __future__ import annotations

import os
import shutil

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

STRICT = os.environ.get("OEP_TEST_STRICT") == "1"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/oep_test_pg"


def need(reason: str):
    if STRICT:
        pytest.fail(f"{reason} (OEP_TEST_STRICT=1: nothing may be skipped)")
    pytest.skip(reason)


def _normalise(url: str) -> str:
    from oep.config import _normalise_database_url

    return _normalise_database_url(url)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist yet."""
    url = _normalise(url)
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def postgres_url(suffix: str = "") -> str:
    """A PostgreSQL database for the tests that need PostgreSQL itself (concurrency,
    migrations); fails or skips when none can be reached. ``suffix`` names a separate
    database next to it (e.g. one the test may drop everything in)."""
    url = os.environ.get("OEP_TEST_POSTGRES_URL")
    if not url:
        main = os.environ.get("OEP_TEST_DATABASE_URL", "")
        url = main if main.startswith("postgres") else DEFAULT_POSTGRES_URL
    url = _normalise(url)
    if suffix:
        parsed = make_url(url)
        url = parsed.set(database=parsed.database + suffix).render_as_string(hide_password=False)
    try:
        ensure_database(url)
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # unreachable server, auth failure, missing driver
        need(f"PostgreSQL is not reachable at {make_url(url).render_as_string(hide_password=True)}: {exc}")
    return url


def chromium_path() -> str:
    path = os.environ.get("OEP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        need("Chromium is not installed (Debian: apt-get install chromium)")
    return path

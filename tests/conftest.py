"""Shared fixtures: the app on a test database, clients that sign in as anyone, factories,
the mails sent, and a query counter.

The database is SQLite unless OEP_TEST_DATABASE_URL names another (CI runs the suite on
PostgreSQL too). The schema is created once per run; every test starts with empty tables.
"""

from __future__ import annotations

import contextvars
import email
import os
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from oep import create_app
from oep.extensions import db
from tests import factories
from tests.support import ensure_database
from tests.support_storage import S3Emulator, using_storage


def pytest_sessionstart(session):
    """Compile the translation catalogues, as `make` does, so that a bare `pytest` works too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(__file__).resolve().parent.parent.glob("oep/translations/*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po:
                catalog = read_po(po)
            with mo_path.open("wb") as mo:
                write_mo(mo, catalog)


HEAVY = os.environ.get("OEP_TEST_HEAVY") == "1"


def pytest_collection_modifyitems(config, items):
    """Heavy suites (every-language crawls, axe, schemathesis, the several-machines run) run
    once per CI run, on the PostgreSQL pass, where ``.ci/run`` sets OEP_TEST_HEAVY=1; elsewhere
    they are deselected (not skipped), and ``-m heavy`` with OEP_TEST_HEAVY=1 runs only them."""
    if HEAVY:
        return
    heavy = [item for item in items if item.get_closest_marker("heavy")]
    if heavy:
        config.hook.pytest_deselected(items=heavy)
        items[:] = [item for item in items if not item.get_closest_marker("heavy")]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("OEP_TEST_DATABASE_URL")
    if url:
        ensure_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


def make_test_app(database_url: str, instance_dir: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast; production uses scrypt
        "MAIL_BACKEND": "outbox",
        "MAIL_OUTBOX_DIR": str(instance_dir / "outbox"),
        "UPLOAD_DIR": str(instance_dir / "uploads"),
        "BASE_URL": "http://oep.test",
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config, instance_path=str(instance_dir))


@pytest.fixture(scope="session")
def app(database_url, instance_dir):
    app = make_test_app(database_url, instance_dir)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def _empty_all_tables() -> None:
    # DELETE rather than TRUNCATE: for the few rows a test leaves, it is several times
    # faster on PostgreSQL (TRUNCATE recreates every table's files).
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(autouse=True)
def app_ctx(app, instance_dir):
    """Each test runs inside an app context on empty tables, with an empty outbox."""
    outbox = instance_dir / "outbox"
    for f in outbox.glob("*.eml") if outbox.exists() else []:
        f.unlink()
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own context, like a real request would.

    The test's own changes are committed first so that the request sees them, and the test's
    session forgets what it had loaded afterwards so that it sees what the request changed.
    Requests never share ``g`` or the database session with the test (or with each other).
    """

    _inside = contextvars.ContextVar("inside_isolated_request", default=False)

    def open(self, *args, **kwargs):
        if self._inside.get():  # a redirect being followed: already isolated
            return super().open(*args, **kwargs)
        db.session.commit()

        def isolated():
            self._inside.set(True)
            return super(IsolatedClient, self).open(*args, **kwargs)

        try:
            return contextvars.Context().run(isolated)
        finally:
            db.session.expire_all()

    def login(self, user) -> IsolatedClient:
        db.session.commit()
        user_id = user.get_id()
        with self.session_transaction() as sess:
            sess["_user_id"] = user_id
            sess["_fresh"] = True
        return self


@pytest.fixture
def client(app) -> IsolatedClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def client_factory(app):
    """Several independent browsers in one test."""
    app.test_client_class = IsolatedClient
    return app.test_client


@pytest.fixture
def make():
    """Factories that build valid objects with sensible defaults (see tests/factories.py)."""
    return factories.Factory(db.session)


@pytest.fixture(scope="session")
def s3_emulator():
    """An S3-compatible server (moto's) on loopback, for the run."""
    emulator = S3Emulator()
    yield emulator
    emulator.stop()


@pytest.fixture(params=["filesystem", "database", "s3"])
def any_storage(request, app, tmp_path):
    """The test runs once per storage backend, with the app keeping its files there, new for
    the test: a folder of its own, the tables emptied after each test, a new bucket of the S3
    emulator."""
    if request.param == "s3":
        extra = request.getfixturevalue("s3_emulator").settings()
    elif request.param == "filesystem":
        extra = {"STORAGE_DIR": str(tmp_path / "files"), "UPLOAD_DIR": None}
    else:
        extra = {}
    with using_storage(app, request.param, **extra):
        yield request.param


class Mailbox:
    def __init__(self, folder: Path):
        self.folder = folder

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        db.session.commit()
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(self.folder.glob("*.eml"))
        ]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def mailbox(instance_dir) -> Mailbox:
    return Mailbox(instance_dir / "outbox")


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` counts the SQL statements run inside."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting

"""A live OEP server and a real Chromium (Debian's, driven by Playwright) for end-to-end tests."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from oep.extensions import db
from tests.certificates.conftest import course_site  # noqa: F401  (a fixture the browser tests share)
from tests.conftest import make_test_app
from tests.support import chromium_path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def live_app(database_url, instance_dir):
    """The app as a browser meets it: CSRF on, served over HTTP on a free port."""
    app = make_test_app(database_url, instance_dir, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()


@pytest.fixture
def live_url(live_app) -> str:
    db.session.commit()  # what the test built is visible to the server
    return live_app.config["BASE_URL"]


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page(browser):
    """Open a page in a fresh browser profile (its own cookies), like a separate person."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()

"""In a real browser: a trainer issues all certificates of a site and follows the progress
bar to the end — on the embedded default, and on Redis with a separate worker process."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from werkzeug.serving import make_server

from oep.certificates.models import Certificate
from oep.extensions import db
from tests.conftest import make_test_app
from tests.e2e.test_attendance_flow import sign_in
from tests.support_jobs import redis_or_skip, start_worker, unique_queue

pytestmark = pytest.mark.browser


def issue_all_and_follow(page, base_url, site, trainer):
    sign_in(page, base_url, trainer.email)
    page.goto(f"{base_url}/sites/{site.id}/certificates")
    expect(page.locator("[data-testid=pending-certificates]")).to_have_text("3")
    page.click("[data-testid=issue-all]")
    expect(page.locator("[data-testid=job] progress")).to_be_visible()
    expect(page.locator("[data-testid=job-status]")).to_have_text("Finished", timeout=60_000)
    expect(page.locator("[data-job-done]")).to_have_text("3")
    expect(page.locator("[data-job-progress]")).to_have_attribute("value", "100")
    page.click("text=Continue")
    expect(page.locator("[data-testid=pending-certificates]")).to_have_text("0")


def test_bulk_issue_with_progress_bar_on_the_embedded_default(course_site, live_url, new_page):
    site, trainer, people = course_site
    db.session.commit()
    issue_all_and_follow(new_page(), live_url, site, trainer)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 3


@pytest.mark.redis
def test_bulk_issue_with_progress_bar_on_redis_and_a_worker(course_site, database_url, instance_dir, new_page):
    redis_url = redis_or_skip()
    queue = unique_queue()
    app = make_test_app(database_url, instance_dir, WTF_CSRF_ENABLED=True, REDIS_URL=redis_url, JOB_QUEUE=queue)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = base_url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    worker = start_worker(app, queue)
    try:
        site, trainer, people = course_site
        db.session.commit()
        issue_all_and_follow(new_page(), base_url, site, trainer)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0]
        server.shutdown()
    assert "Worker listening on" in output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 3

"""In a real browser: a participant gives feedback from a phone without an account, the
trainer sees it counted once; a coordinator previews the report, makes its PDF as a job,
follows the progress bar and downloads the file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from oep.extensions import db
from oep.feedback.models import SessionFeedback
from oep.feedback.services import feedback_token
from tests.e2e.test_attendance_flow import sign_in
from tests.reports.conftest import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_feedback_from_a_phone_without_an_account(world, live_url, new_page):  # noqa: F811
    sched = world.sessions[2]
    link = f"{live_url}/feedback/{sched.uid}?k={feedback_token(sched)}"
    db.session.commit()
    phone = new_page(viewport={"width": 390, "height": 844})
    for attempt in range(2):
        phone.goto(link)
        phone.select_option("#participant_id", label="Luca Bianchi")
        for question in ("useful", "clear", "organised"):
            phone.check(f"input[name={question}][value='4']")
        phone.fill("#comment", "Good examples, more time for questions please.")
        phone.click("button:has-text('Send my feedback')")
        if attempt == 0:
            expect(phone.locator("[data-testid=feedback-thanks]")).to_be_visible()
        else:  # the same person again: refused, with a reason
            expect(phone.locator(".flash-error")).to_contain_text("already given your feedback")
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(SessionFeedback).where(SessionFeedback.session_id == sched.id)
        )
        == 1
    )

    trainer = new_page()
    sign_in(trainer, live_url, world.trainer.email)
    trainer.goto(f"{live_url}/sessions/{sched.id}/feedback")
    expect(trainer.locator("[data-testid=feedback-count]")).to_have_text("1 answer")
    expect(trainer.locator("[data-testid=average-useful]")).to_have_text("4.0")
    expect(trainer.locator("blockquote")).to_contain_text("Anonymous")


def test_coordinator_previews_and_downloads_the_report(world, live_url, new_page):  # noqa: F811
    db.session.commit()
    page = new_page(accept_downloads=True)
    sign_in(page, live_url, world.coordinator.email)
    page.click("nav >> text=Reports")
    page.select_option("#scope", value=f"site:{world.palermo.id}")
    page.click("[data-testid=preview]")
    expect(page.locator("h1.report-title")).to_contain_text("Palermo")
    expect(page.locator("[data-figure=attendance] .value")).to_have_text("56 %")
    expect(page.locator("figure.chart img").first).to_be_visible()

    page.go_back()
    page.select_option("#scope", value=f"site:{world.palermo.id}")
    page.uncheck("input[name=formats][value=xlsx]")
    page.click("[data-testid=generate]")
    expect(page.locator("[data-testid=job-status]")).to_have_text("Finished", timeout=60_000)
    expect(page.locator("[data-job-progress]")).to_have_attribute("value", "100")
    page.click("text=Continue")
    rows = page.locator("[data-testid=report-file]")
    expect(rows).to_have_count(1)
    with page.expect_download() as download_info:
        rows.first.locator("a").click()
    content = Path(download_info.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "OEP 2026 — Intercultural Cities — Palermo" in text
    assert download_info.value.suggested_filename.endswith(".pdf")

"""In a real browser: a trainer creates a weekly series and takes attendance with "mark all"
and a remark, then sees the change history; a participant checks in with the rotating code,
and a stale code is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from oep.attendance import checkin
from oep.attendance.models import Attendance, AttendanceStatus
from oep.core.db import utcnow
from oep.extensions import db
from oep.scheduling.models import ScheduledSession
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, live_url, email):
    page.goto(f"{live_url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_contain_text("Hello")


def test_trainer_schedules_a_series_and_takes_attendance(make, live_url, new_page):
    site = make.site(city="Palermo", timezone="Europe/Rome")
    make.module(site.programme, title="Fundraising")
    trainer = make.trainer([site], email="giulia@example.org", name="Giulia Russo")
    organisation = make.organisation(site, name="Arcobaleno")
    people = [make.participant(organisation, name=n) for n in ("Amina Haddad", "Jonas Berg", "Rosa Ferrante")]
    db.session.commit()

    page = new_page()
    sign_in(page, live_url, trainer.email)
    page.goto(f"{live_url}/sites/{site.id}/sessions/new")
    start = date.today() + timedelta(days=7)
    page.select_option("#kind", "course")
    page.select_option("#module_id", label="Fundraising")
    page.fill("#day", start.isoformat())
    page.fill("#start", "17:30")
    page.fill("#end", "20:30")
    page.fill("#venue", "Centro Arcobaleno")
    page.click("summary:has-text('Repeat')")
    page.check("#repeat")
    page.check(f"input[name=weekdays][value='{start.weekday()}']")
    page.fill("#until", (start + timedelta(days=21)).isoformat())
    page.click("button:has-text('Save')")
    expect(page.locator(".flash-success")).to_contain_text("4 sessions scheduled")
    expect(page.locator(".session-list li")).to_have_count(4)

    # The first session of the series is moved to now, as if the evening had come.
    db.session.expire_all()
    first = db.session.scalars(sa.select(ScheduledSession).order_by(ScheduledSession.starts_at)).first()
    first.starts_at = utcnow() - timedelta(minutes=5)
    first.ends_at = first.starts_at + timedelta(hours=3)
    db.session.commit()

    page.goto(f"{live_url}/sessions/{first.id}/attendance")
    row = page.locator(f"#row-{people[1].id}")
    row.locator("label.status-absent").click()
    page.fill(f"input[name=remark-{people[0].id}]", "Came with her daughter")
    page.click("button[data-mark-all]")
    expect(page.locator(f"#row-{people[0].id} input[value=present]")).to_be_checked()
    expect(page.locator(f"#row-{people[1].id} input[value=absent]")).to_be_checked()
    page.locator("button[name=action][value=save]").first.click()
    expect(page.locator(".flash-success")).to_contain_text("Attendance saved")
    expect(page.locator("[data-testid=attendance-summary]")).to_contain_text("3 of 3 marked")

    # A correction later, with the keyboard only: focus the radio and move with the arrows.
    page.locator(f"#row-{people[1].id} input[value=absent]").focus()
    page.keyboard.press("ArrowLeft")  # Absent -> Excused
    expect(page.locator(f"#row-{people[1].id} input[value=excused]")).to_be_checked()
    page.locator("button[name=action][value=save]").first.click()
    history = page.locator(f"#row-{people[1].id} details.history")
    history.locator("summary").click()
    expect(history).to_contain_text("Absent → Excused")
    expect(history).to_contain_text("Giulia Russo")

    db.session.expire_all()
    marks = {a.participant.name: (a.status, a.remark) for a in db.session.scalars(sa.select(Attendance))}
    assert marks == {
        "Amina Haddad": (AttendanceStatus.PRESENT, "Came with her daughter"),
        "Jonas Berg": (AttendanceStatus.EXCUSED, ""),
        "Rosa Ferrante": (AttendanceStatus.PRESENT, ""),
    }


def test_participant_checks_in_with_the_rotating_code(make, live_url, new_page):
    site = make.site(city="Aarhus", timezone="Europe/Copenhagen")
    trainer = make.trainer([site], email="mette@example.org")
    organisation = make.organisation(site)
    make.participant(organisation, name="Hodan Ali")
    make.participant(organisation, name="Lars Nielsen")
    sched = make.session(site, starts_in_days=-1 / (24 * 60))
    db.session.commit()

    # The trainer shows the code in the room.
    screen = new_page()
    sign_in(screen, live_url, trainer.email)
    screen.goto(f"{live_url}/sessions/{sched.id}/checkin")
    code = screen.locator("[data-code]").inner_text().strip()
    assert len(code) == 6 and code.isdigit()
    expect(screen.locator("[data-qr] svg")).to_be_visible()
    expect(screen.locator("[data-count]")).to_have_text("0")

    # A participant types the code on a phone and picks her name.
    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{live_url}/checkin")
    phone.fill("#code", code)
    phone.click("button:has-text('Continue')")
    phone.select_option("#participant_id", label="Hodan Ali")
    phone.click("button:has-text('Check in')")
    expect(phone.locator("[data-testid=checkin-result]")).to_contain_text("you are checked in as Present")

    # The trainer's screen counts her within a few seconds.
    expect(screen.locator("[data-count]")).to_have_text("1", timeout=10_000)

    # A photo of an old code does not work.
    stale = checkin.current_code(sched, sched.site.programme, utcnow() - timedelta(minutes=5)).code
    late_phone = new_page(viewport={"width": 390, "height": 844})
    late_phone.goto(f"{live_url}/checkin/{sched.uid}?code={stale}")
    expect(late_phone.locator("[data-testid=checkin-error]")).to_contain_text("expired")
    db.session.expire_all()
    assert [a.participant.name for a in db.session.scalars(sa.select(Attendance))] == ["Hodan Ali"]

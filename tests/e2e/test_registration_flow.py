"""In a real browser: an organisation registers, the coordinator accepts it, the contact signs
in and adds a participant."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from oep.extensions import db
from oep.organisations.models import EnrolmentStatus, Organisation, Participant
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_register_accept_and_add_a_participant(make, live_url, new_page, mailbox):
    make.site(make.programme(name="OEP 2026"), city="Aarhus")
    coordinator = make.coordinator(email="coordinator@example.org")
    make.competence("Fundraising")
    db.session.commit()

    # 1. The organisation registers through the public form (first with a mistake).
    org_page = new_page()
    org_page.goto(f"{live_url}/register")
    org_page.select_option("#site", label="OEP 2026 — Aarhus")
    org_page.fill("#name", "Somali Women's Association Aarhus")
    org_page.select_option("#type", "migrant_association")
    org_page.check("input[name=languages][value=so]")
    org_page.fill("#contact_name", "Hodan Ali")
    org_page.fill("#email", "hodan@example.org")
    org_page.fill("#password", "a sound password")
    org_page.fill("#confirm", "a different one")
    org_page.click("button:has-text('Register')")
    expect(org_page.locator("#confirm-errors")).to_contain_text("The two passwords differ.")
    expect(org_page.locator("#consent-errors")).to_contain_text("consent")
    org_page.fill("#password", "a sound password")
    org_page.fill("#confirm", "a sound password")
    org_page.check("#consent")
    org_page.click("button:has-text('Register')")
    expect(org_page.locator("[data-testid=enrolment-status]")).to_have_text("Pending review")

    # 2. The coordinator sees it waiting and accepts it.
    coord_page = new_page()
    coord_page.goto(f"{live_url}/login")
    coord_page.fill("#email", coordinator.email)
    coord_page.fill("#password", PASSWORD)
    coord_page.click("button:has-text('Sign in')")
    expect(coord_page.locator("[data-testid=pending-count]")).to_have_text("1")
    coord_page.click("text=Review registrations")
    card = coord_page.locator("article.review-card", has_text="Somali Women's Association Aarhus")
    card.locator("select").select_option("accepted")
    card.locator("textarea").fill("Welcome to the programme!")
    card.locator("button:has-text('Decide')").click()
    expect(coord_page.locator(".flash-success")).to_contain_text("Accepted")
    assert any("Welcome to OEP 2026 in Aarhus" in m["Subject"] for m in mailbox.to("hodan@example.org"))

    # 3. The contact signs in (a new session) and adds a participant.
    contact_page = new_page(viewport={"width": 390, "height": 844})  # a phone
    contact_page.goto(f"{live_url}/login")
    contact_page.fill("#email", "hodan@example.org")
    contact_page.fill("#password", "a sound password")
    contact_page.click("button:has-text('Sign in')")
    contact_page.click("text=Your organisation")
    expect(contact_page.locator("[data-testid=enrolment-status]")).to_have_text("Accepted")
    contact_page.click("a:has-text('Participants')")
    contact_page.click("text=Add a participant")
    contact_page.fill("#name", "Amina Haddad")
    contact_page.select_option("#preferred_language", "so")
    contact_page.check("#consent")
    contact_page.click("button:has-text('Save')")
    expect(contact_page.locator("table")).to_contain_text("Amina Haddad")

    db.session.expire_all()
    organisation = db.session.scalar(sa.select(Organisation))
    assert organisation.enrolments[0].status is EnrolmentStatus.ACCEPTED
    assert [p.name for p in db.session.scalars(sa.select(Participant))] == ["Amina Haddad"]

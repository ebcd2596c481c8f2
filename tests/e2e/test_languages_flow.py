"""In a real browser: Arabic picked before signing in lays the pages out right to left (and is
kept on the account), on a laptop and on a phone; an Arabic text written by an organisation
reads right to left inside an English page. Screenshots are left in the test's tmp_path."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from oep.extensions import db
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

ARABIC_DESCRIPTION = "جمعية ثقافية في باليرمو (مستوى A1–B1)."

#: The horizontal extent of the first and of the last character of an element's text.
FIRST_AND_LAST_CHARACTER = """element => {
  const text = element.firstChild;
  const box = (start) => {
    const range = document.createRange();
    range.setStart(text, start);
    range.setEnd(text, start + 1);
    const r = range.getBoundingClientRect();
    return {left: r.left, right: r.right};
  };
  return {first: box(0), last: box(text.length - 1)};
}"""


@pytest.fixture
def arabic_organisation(make):
    site = make.site(make.programme(name="OEP 2026"), city="Palermo")
    organisation = make.organisation(site, name="الجمعية الثقافية السورية")
    organisation.description = ARABIC_DESCRIPTION
    contact = make.contact_of(organisation)
    contact.locale = "en"
    db.session.commit()
    return organisation, contact


@pytest.mark.parametrize("width,height", [(1280, 800), (360, 740)])
def test_arabic_picked_on_the_log_in_page_lays_pages_out_right_to_left(
    arabic_organisation, live_url, new_page, tmp_path, width, height
):
    organisation, contact = arabic_organisation
    page = new_page(viewport={"width": width, "height": height})
    page.goto(f"{live_url}/login")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.click("footer button[value=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.screenshot(path=str(tmp_path / f"login-ar-{width}.png"), full_page=True)
    page.fill("#email", contact.email)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]:not(.link-button)")
    page.goto(f"{live_url}/organisations/{organisation.id}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.screenshot(path=str(tmp_path / f"organisation-ar-{width}.png"), full_page=True)

    # The menu starts at the right: the brand is right of the other items; text is aligned right.
    brand = page.locator(".brand").bounding_box()
    menu = page.locator(".main-nav li").first.bounding_box()
    assert brand["x"] > menu["x"]
    assert brand["x"] + brand["width"] > width * 0.8
    heading = page.locator("main h1").bounding_box()
    assert heading["x"] + heading["width"] > width * 0.8
    # Nothing spills out sideways on a phone; the account menu opens inside the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.click("details.dropdown summary")
    menu = page.locator("details.dropdown ul").bounding_box()
    assert menu["x"] >= 0 and menu["x"] + menu["width"] <= width
    page.screenshot(path=str(tmp_path / f"menu-ar-{width}.png"))

    db.session.refresh(contact)
    assert contact.locale == "ar"


def test_an_arabic_description_reads_right_to_left_in_an_english_page(
    arabic_organisation, live_url, new_page, tmp_path
):
    organisation, contact = arabic_organisation
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{live_url}/login")
    page.fill("#email", contact.email)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]:not(.link-button)")
    page.goto(f"{live_url}/organisations/{organisation.id}")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    description = page.locator("p.user-text", has_text="A1–B1")
    assert description.evaluate("e => getComputedStyle(e).direction") == "rtl"
    description.screenshot(path=str(tmp_path / "description-in-english-page.png"))
    # Read right to left: the first letter at the right end, the full stop at the left end.
    extent = description.evaluate(FIRST_AND_LAST_CHARACTER)
    assert extent["last"]["right"] < extent["first"]["left"]
    paragraph = description.bounding_box()
    assert extent["first"]["right"] > paragraph["x"] + paragraph["width"] - 5  # aligned right
    page.screenshot(path=str(tmp_path / "organisation-en-1280.png"), full_page=True)

"""Certificates in Arabic and Ukrainian: real glyphs for every letter, a right-to-left layout
for Arabic, dates written as the holder's language writes them, and names people wrote
keeping their own direction in a certificate of any language."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from pypdf import PdfReader

from oep.certificates.models import Certificate
from oep.extensions import db
from oep.scheduling.models import ScheduledSession
from tests.support_pdf import (
    ARABIC_ORGANISATION,
    ARABIC_ORGANISATION_SEEN_RIGHT_TO_LEFT,
    glyphs_drawn,
    visual_lines,
    x_position,
)

ARABIC_NAME = "أمينة حداد"
UKRAINIAN_NAME = "Олена Коваленко"


@pytest.fixture
def multilingual_site(make, course_site):
    """The course site, with an organisation whose name is Arabic and ends in a bracket and a
    full stop, and three of its people who prefer Arabic, Ukrainian and English."""
    site, trainer, _people = course_site
    organisation = make.organisation(site, name=ARABIC_ORGANISATION)
    people = {
        "ar": make.participant(organisation, name=ARABIC_NAME, preferred_language="ar"),
        "uk": make.participant(organisation, name=UKRAINIAN_NAME, preferred_language="uk"),
        "en": make.participant(organisation, name="Sam Taylor", preferred_language="en"),
    }
    for sched in db.session.scalars(sa.select(ScheduledSession).where(ScheduledSession.site_id == site.id)):
        for person in people.values():
            make.mark(sched, person, "present")
    return site, trainer, people


def issue_pdf(client, site, trainer, participant) -> tuple[Certificate, bytes]:
    client.login(trainer)
    response = client.post(f"/sites/{site.id}/certificates/participants/{participant.id}", data={"language": ""})
    assert response.status_code == 302
    certificate = db.session.scalars(
        sa.select(Certificate).where(Certificate.participant_id == participant.id).order_by(Certificate.id.desc())
    ).first()
    pdf = client.get(f"/certificates/{certificate.id}.pdf")
    assert pdf.status_code == 200
    return certificate, pdf.data


def letters(*texts: str) -> set[str]:
    return {char for text in texts for char in text if char.strip()}


def test_an_arabic_certificate_is_laid_out_right_to_left_with_real_glyphs(client, multilingual_site, tmp_path):
    site, trainer, people = multilingual_site
    certificate, data = issue_pdf(client, site, trainer, people["ar"])
    (tmp_path / "arabic.pdf").write_bytes(data)
    assert certificate.language == "ar"
    drawn, missing = glyphs_drawn(data)
    assert missing == 0 and letters(ARABIC_NAME, ARABIC_ORGANISATION) <= drawn
    [organisation_line] = [line for line in visual_lines(data) if "A1–B1" in line]
    assert ARABIC_ORGANISATION_SEEN_RIGHT_TO_LEFT.fullmatch(organisation_line), organisation_line
    # Mirrored: the verification code sits at the left of the page, the signatory at the right.
    width = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width)
    assert x_position(data, certificate.code) < width / 3
    assert x_position(data, "Dr. Sofia Marino") > width / 2


def test_an_arabic_name_keeps_its_direction_on_an_english_certificate(client, multilingual_site, tmp_path):
    site, trainer, people = multilingual_site
    certificate, data = issue_pdf(client, site, trainer, people["en"])
    (tmp_path / "english.pdf").write_bytes(data)
    assert certificate.language == "en"
    drawn, missing = glyphs_drawn(data)
    assert missing == 0 and letters(ARABIC_ORGANISATION) <= drawn
    [organisation_line] = [line for line in visual_lines(data) if "A1–B1" in line]
    assert ARABIC_ORGANISATION_SEEN_RIGHT_TO_LEFT.fullmatch(organisation_line), organisation_line
    width = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width)
    assert x_position(data, certificate.code) > width / 2
    # English as written in Europe: the day before the month.
    assert (
        format_date(site.programme.starts_on, "long", locale="en_GB")
        in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    )


def test_a_ukrainian_certificate_has_real_glyphs_and_ukrainian_dates(client, multilingual_site, tmp_path):
    site, trainer, people = multilingual_site
    certificate, data = issue_pdf(client, site, trainer, people["uk"])
    (tmp_path / "ukrainian.pdf").write_bytes(data)
    assert certificate.language == "uk"
    drawn, missing = glyphs_drawn(data)
    assert missing == 0 and letters(UKRAINIAN_NAME, ARABIC_ORGANISATION) <= drawn
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert UKRAINIAN_NAME in text
    assert format_date(site.programme.starts_on, "long", locale="uk") in text

"""The report in a right-to-left language, and texts people wrote keeping their own direction
in a report of any language."""

from __future__ import annotations

import io
import re

import openpyxl
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from oep.core.i18n_text import I18nText
from oep.organisations.models import OrganisationType
from oep.reports.models import ReportFormat
from tests.reports.test_files import make_file
from tests.support_pdf import (
    ARABIC_ORGANISATION,
    glyphs_drawn,
    visual_lines,
    x_position,
)

ARABIC_COMMENT = "ورشة مفيدة جداً (شكراً)."


def with_arabic_texts(make, world):
    """An Arabic organisation in Palermo, and an Arabic comment on a session."""
    organisation = make.organisation(world.palermo, name=ARABIC_ORGANISATION, type=OrganisationType.CSO)
    person = make.participant(organisation, name="أمينة حداد")
    make.mark(world.sessions[0], person, "present")
    make.feedback(world.sessions[0], person, comment=ARABIC_COMMENT)


def page_width(data: bytes) -> float:
    return float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width)


def test_arabic_texts_keep_their_direction_in_an_english_report(make, world, tmp_path):
    with_arabic_texts(make, world)
    data, _record = make_file(world, ReportFormat.PDF, site=world.palermo, language="en")
    (tmp_path / "report-en.pdf").write_bytes(data)
    lines = visual_lines(data)
    # Wherever the organisation's name is printed (in narrow columns it wraps), its full stop
    # and bracket are seen at the left of the level, as in Arabic.
    organisation_lines = [line for line in lines if "A1–B1" in line]
    assert organisation_lines and all(re.search(r"\.[()]A1–B1", line) for line in organisation_lines), lines
    # The comment, seen from the left: the full stop, then "(شكراً)" mirrored, the first word last.
    [comment] = [line for line in lines if "ةديفم" in line]
    assert comment.startswith(".") and comment.endswith("ةشرو"), comment
    drawn, missing = glyphs_drawn(data)
    assert missing == 0 and set((ARABIC_ORGANISATION + ARABIC_COMMENT).replace(" ", "")) <= drawn
    # The page itself stays left to right: the contents' heading at the left.
    assert x_position(data, "Contents", page_number=2) < page_width(data) / 3


def test_a_report_in_arabic_is_laid_out_right_to_left(make, world, tmp_path):
    with_arabic_texts(make, world)
    data, record = make_file(world, ReportFormat.PDF, site=world.palermo, language="ar")
    (tmp_path / "report-ar.pdf").write_bytes(data)
    assert record.language == "ar"
    # Headings start at the right.
    with force_locale("ar"):
        contents, key_figures = gettext("Contents"), gettext("Key figures")
    assert x_position(data, contents, page_number=2) > page_width(data) / 2
    assert x_position(data, key_figures, page_number=3) > page_width(data) / 2
    # A Latin name in a right-to-left page keeps its own direction: "Associazione Arcobaleno"
    # reads left to right (as "Sunugal" does), seen whole in the table.
    assert any("Associazione Arcobaleno" in line for line in visual_lines(data))
    drawn, missing = glyphs_drawn(data)
    assert missing == 0 and set(ARABIC_ORGANISATION.replace(" ", "")) <= drawn


def test_the_report_and_its_workbook_print_the_programmes_texts_in_their_language(make, world):
    programme = world.programme
    programme.languages = ["en", "it"]
    programme.name = I18nText({"en": "Cities Learning Together", "it": "Città che imparano insieme"})
    world.palermo.city = I18nText({"en": "Palermo", "it": "Palermo"})
    world.athens.city = I18nText({"en": "Athens", "it": "Atene"})
    fundraising = world.sessions[0].module
    fundraising.title = I18nText({"en": "Fundraising", "it": "Raccolta fondi"})
    for sched in world.sessions:  # a course session's title is its own, copied from its module's
        if sched.module is fundraising:
            sched.title = fundraising.title
    world.competences["fundraising"].name = I18nText({"en": "Fundraising", "it": "Raccolta di fondi"})
    make.db.flush()
    data, _record = make_file(world, ReportFormat.XLSX, language="it")
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = {str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row}
    assert {"Raccolta fondi", "Atene", "Raccolta di fondi"} <= cells
    assert not {"Fundraising", "Athens"} & cells
    pdf, _record = make_file(world, ReportFormat.PDF, language="it")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Città che imparano insieme" in text and "Raccolta fondi" in text and "Atene" in text
    assert "Cities Learning Together" not in text and "Athens" not in text
    english, _record = make_file(world, ReportFormat.XLSX, language="en")
    book = openpyxl.load_workbook(io.BytesIO(english))
    cells = {str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row}
    assert {"Fundraising", "Athens"} <= cells and "Raccolta fondi" not in cells

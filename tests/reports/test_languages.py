"""The report in a right-to-left language, and texts people wrote keeping their own direction
in a report of any language."""

from __future__ import annotations

import io
import re

from flask_babel import force_locale, gettext
from pypdf import PdfReader

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

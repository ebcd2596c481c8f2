"""The report's files, read back: the PDF (its text, contents, page numbers), the XLSX
(sheets and typed cells) and the CSV files — and the figures equal to the app's pages."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime

import openpyxl
import pytest
from pypdf import PdfReader

from oep.core import storage
from oep.extensions import db
from oep.reports import services
from oep.reports.models import ReportFormat
from tests.reports.conftest import period_of


def make_file(world, fmt, site=None, language="en", include_participants=False):
    (record,) = services.make_files(
        db.session,
        world.programme,
        site,
        period_of(world.programme),
        [fmt],
        language=language,
        include_participants=include_participants,
        by_id=world.coordinator.id,
    )
    db.session.commit()
    return storage.current().read_bytes(services.file_key(record)), record


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def squash(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_has_contents_with_the_right_page_numbers(world):
    content, record = make_file(world, ReportFormat.PDF)
    pages = pdf_pages(content)
    assert record.size == len(content) and len(record.sha256) == 64
    assert "OEP 2026 — Intercultural Cities — programme report" in squash(pages[0])
    contents = squash(pages[1])
    assert contents.startswith("Contents")
    entries = dict(
        re.findall(r"(Key figures|Athens|Palermo|Competence map|Feedback and empowerment|Annexes)[ .]+(\d+)", contents)
    )
    assert set(entries) == {"Key figures", "Athens", "Palermo", "Competence map", "Feedback and empowerment", "Annexes"}
    for title, number in entries.items():
        page = squash(pages[int(number) - 1])
        # The running header names the chapter, and the chapter's heading is on that page.
        assert title in page, f"{title} is not on page {number}"
    assert int(entries["Key figures"]) < int(entries["Athens"]) < int(entries["Palermo"]) < int(entries["Annexes"])


def test_every_page_after_the_cover_says_page_x_of_y(world):
    pages = pdf_pages(make_file(world, ReportFormat.PDF)[0])
    total = len(pages)
    assert "Page 1 of" not in pages[0]  # the cover has no footer
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text


def test_the_pdf_key_figures_are_those_of_the_app_pages(world, client):
    """A site report's figures, and what the site's attendance page shows, are the same."""
    content, _ = make_file(world, ReportFormat.PDF, site=world.palermo)
    key_figures = squash(next(p for p in pdf_pages(content) if "Key figures" in p and "Attendance rate" in p))
    client.login(world.trainer)
    page = client.get(f"/sites/{world.palermo.id}/attendance").get_data(as_text=True)

    def shown(testid):
        return re.search(rf'data-testid="{testid}">([^<]+)<', page).group(1).strip()

    assert shown("held-sessions") == "3"
    assert shown("attendance-rate") == "56 %"
    assert shown("complete-count") == "1"
    assert "3 Course sessions held" in key_figures
    assert "56 % Attendance rate 5 of 9 marks" in key_figures
    assert "1 of 3 participants complete" in key_figures
    assert "6.0 Hours of training delivered" in key_figures
    assert "30 Community members reached 12 newcomers, 10 long-time residents" in key_figures


def test_the_pdf_has_the_sections_partners_and_funders_expect(world):
    text = squash(" ".join(pdf_pages(make_file(world, ReportFormat.PDF)[0])))
    for expected in (
        "Co-funded by",
        "Organisations by type",
        "Attendance by week",
        "Attendance per module",
        "Intercultural City Committee",
        "The committee does not meet its rule",
        "Associazione Arcobaleno teaches Sunugal: Fundraising",
        "Grant clinic for volunteers",
        "Fundraising for beginners",
        "What participants said",
        "Very practical.",
        "Competence map",
        "Empowerment by competence",
        "Plan around religious holidays",
        "Annex: sessions",
        "Annex: organisations",
        "Σύλλογος Κυψέλης",
    ):
        assert expected in text, expected
    assert "<script>" in text  # the narrative's HTML shown as text, not run
    for name in ("Amina Haddad", "Luca Bianchi", "Moussa Diop"):
        assert name not in text  # aggregates only, unless the coordinator includes the participants


def test_participants_appear_only_when_the_coordinator_includes_them(world):
    text = squash(" ".join(pdf_pages(make_file(world, ReportFormat.PDF, include_participants=True)[0])))
    assert "Annex: participants" in text and "Amina Haddad" in text
    assert "Contains personal data of participants" in text


def test_no_table_row_is_split_across_pages(make, world):
    module = world.sessions[0].module
    titles = [f"Evening {n:03d}" for n in range(140)]
    for n, title in enumerate(titles):
        make.session(world.palermo, module=module, starts_in_days=-29 + n * 0.2, title=title, status="confirmed")
    pages = pdf_pages(make_file(world, ReportFormat.PDF, site=world.palermo)[0])
    annex = [p for p in pages if "Evening" in p]
    assert len(annex) >= 2  # the list runs over several pages
    for title in titles:
        holding = [p for p in annex if title in p]
        assert len(holding) == 1
        line = next(line for line in holding[0].splitlines() if title in line)
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", line), line  # its date on the same line, same page


def test_the_pdf_in_greek(world):
    from flask_babel import force_locale, gettext

    with force_locale("el"):
        headings = [gettext("Key figures"), gettext("Contents"), gettext("Competence map")]
    assert headings != ["Key figures", "Contents", "Competence map"]  # the catalogue translates them
    text = squash(" ".join(pdf_pages(make_file(world, ReportFormat.PDF, language="el")[0])))
    for heading in headings:
        assert heading in text
    assert "Οκτωβρίου" in text or "Νοεμβρίου" in text or "Σεπτεμβρίου" in text  # dates in Greek too


def test_the_xlsx_has_one_sheet_per_table_with_typed_cells(world):
    content, record = make_file(world, ReportFormat.XLSX)
    assert record.download_name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert "Key figures" in book.sheetnames and "Sessions" in book.sheetnames
    assert "Palermo – Modules" in book.sheetnames and "Empowerment by competence" in book.sheetnames
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
    figures = {row[0]: row[1] for row in book["Key figures"].iter_rows(min_row=2, values_only=True)}
    assert figures["Participants"] == 4 and figures["Hours of training delivered"] == 9.0
    assert figures["Attendance rate"] == 60.0
    modules = book["Palermo – Modules"]
    header = [c.value for c in modules[1]]
    fundraising = next(row for row in modules.iter_rows(min_row=2) if row[0].value == "Fundraising")
    rate = fundraising[header.index("Attendance rate")]
    assert rate.value == 0.5 and rate.number_format == "0.0%"
    assert isinstance(fundraising[header.index("Sessions held")].value, int)
    sessions = book["Sessions"]
    first = next(sessions.iter_rows(min_row=2))
    assert isinstance(first[0].value, datetime) and first[0].number_format == "yyyy-mm-dd hh:mm"


def test_the_csv_zip_has_one_file_per_table(world):
    content, record = make_file(world, ReportFormat.CSV)
    assert record.download_name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    assert names[0] == "01-key-figures.csv" and any(n.endswith("-sessions.csv") for n in names)
    text = archive.read(next(n for n in names if n.endswith(f"modules-{world.palermo.id}.csv"))).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][-1] == "Attendance rate (%)"
    assert [r for r in rows if r[0] == "Fundraising"][0][-1] == "50.0"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_spreadsheets_name_no_participant_unless_asked(world, fmt):
    content, _ = make_file(world, ReportFormat(fmt))
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        text = repr([[c for c in row] for s in book.worksheets for row in s.iter_rows(values_only=True)])
    else:
        archive = zipfile.ZipFile(io.BytesIO(content))
        text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    assert "Amina Haddad" not in text

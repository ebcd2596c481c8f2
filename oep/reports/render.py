"""The report in its four forms: the HTML preview's body, the PDF, the XLSX workbook and the
ZIP of CSV files — all from the same ``Report``."""

from __future__ import annotations

import re

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup

from oep.core import pdf
from oep.core.tables import to_csv_zip, to_xlsx
from oep.reports.charts import data_uri
from oep.reports.data import Report


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_of_pages_css() -> Markup:
    """CSS ``content`` for "Page X of Y" in the report's language."""
    text = _("Page %(page)s of %(pages)s", page="\x00page\x00", pages="\x00pages\x00")
    tokens = []
    for part in re.split(r"\x00(page|pages)\x00", text):
        if part == "page":
            tokens.append("counter(page)")
        elif part == "pages":
            tokens.append("counter(pages)")
        elif part:
            tokens.append(_css_string(part))
    return Markup(" ".join(tokens))


def contents(report: Report) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The table of contents: (anchor, title, [(anchor, title) of its parts])."""
    entries = [("key-figures", _("Key figures"), [])]
    for section in report.sites:
        entries.append((section.anchor, section.city if report.consolidated else _("The site: %(city)s", city=section.city), []))
    entries.append(("competences", _("Competence map"), []))
    entries.append(("feedback-empowerment", _("Feedback and empowerment"), []))
    annexes = [("annex-sessions", _("Sessions")), ("annex-organisations", _("Organisations"))]
    if report.annex_participants is not None:
        annexes.append(("annex-participants", _("Participants")))
    entries.append(("annexes", _("Annexes"), annexes))
    return entries


#: How wide a column of each kind is, relative to the others, in the printed report.
COLUMN_WEIGHTS = {"text": 3.0, "int": 1.0, "number": 1.1, "percent": 1.1, "date": 1.6, "datetime": 2.0}


def column_widths(table) -> list[float]:
    """Column widths (percent) for a printed table. The PDF lays its tables out with
    ``table-layout: fixed``: measuring every cell of thousands of rows to size the columns
    is what made a national report slow, and the kinds of the columns say enough."""
    weights = [COLUMN_WEIGHTS.get(table.kind(i), 3.0) for i in range(len(table.headers))]
    total = sum(weights) or 1
    return [round(w * 100 / total, 2) for w in weights]


def body(report: Report, for_pdf: bool = False) -> Markup:
    return Markup(render_template(
        "reports/_body.html", report=report, for_pdf=for_pdf, chart_uri=data_uri, column_widths=column_widths,
    ))


def html_for_pdf(report: Report) -> str:
    return render_template(
        "pdf/report.html", report=report, body=body(report, for_pdf=True), contents=contents(report),
        page_of_pages=page_of_pages_css(),
    )


def to_pdf(report: Report) -> bytes:
    return pdf.render_pdf(html_for_pdf(report), pdf.Assets.of(current_app), title=report.title, lang=report.language)


def to_spreadsheet(report: Report) -> bytes:
    return to_xlsx(report.tables())


def to_csv_files(report: Report) -> bytes:
    return to_csv_zip(report.tables())

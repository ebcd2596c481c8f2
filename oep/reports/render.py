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
        entries.append(
            (section.anchor, section.city if report.consolidated else _("The site: %(city)s", city=section.city), [])
        )
    entries.append(("competences", _("Competence map"), []))
    entries.append(("feedback-empowerment", _("Feedback and empowerment"), []))
    annexes = [("annex-sessions", _("Sessions")), ("annex-organisations", _("Organisations"))]
    if report.annex_participants is not None:
        annexes.append(("annex-participants", _("Participants")))
    entries.append(("annexes", _("Annexes"), annexes))
    return entries


#: Typical width, in characters, of a value of each kind as printed.
KIND_WIDTHS = {"int": 5, "number": 6, "percent": 6, "date": 13, "datetime": 22}


def column_widths(table) -> list[float]:
    """Column widths (percent) for a printed table, from what the columns hold: the longest
    word of the header, the kind of the values, and for text the average length of the first
    hundred values. The PDF lays its tables out with ``table-layout: fixed`` — measuring every
    cell of thousands of rows to size the columns is what made a national report slow."""
    widths = []
    sample = table.rows[:100]
    for i, header in enumerate(table.headers):
        header_word = max((len(word) for word in str(header).split()), default=4)
        kind = table.kind(i)
        if kind in KIND_WIDTHS:
            content = KIND_WIDTHS[kind]
        else:
            values = [str(row[i]) for row in sample if i < len(row) and row[i] not in (None, "")]
            average = sum(map(len, values)) / len(values) if values else 6
            longest_word = max((len(word) for value in values for word in value.split()), default=4)
            content = max(min(38, average), min(18, longest_word))  # no word cut in two
        widths.append(max(header_word * 1.2 + 1, content, 4) + 3)  # headers are bold; + the padding
    total = sum(widths) or 1
    return [round(w * 100 / total, 2) for w in widths]


def body(report: Report, for_pdf: bool = False) -> Markup:
    return Markup(
        render_template(
            "reports/_body.html",
            report=report,
            for_pdf=for_pdf,
            chart_uri=data_uri,
            column_widths=column_widths,
        )
    )


def html_for_pdf(report: Report) -> str:
    return render_template(
        "pdf/report.html",
        report=report,
        body=body(report, for_pdf=True),
        contents=contents(report),
        page_of_pages=page_of_pages_css(),
    )


def to_pdf(report: Report) -> bytes:
    return pdf.render_pdf(html_for_pdf(report), pdf.Assets.of(current_app), title=report.title, lang=report.language)


def to_spreadsheet(report: Report) -> bytes:
    return to_xlsx(report.tables())


def to_csv_files(report: Report) -> bytes:
    return to_csv_zip(report.tables())

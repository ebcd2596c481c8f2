"""Tables for download: CSV (one table per file) and XLSX (one sheet per table, typed
cells, frozen header row). Used by the attendance exports and by the OEP report."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

#: How a column's values are typed: written as such in XLSX, formatted as such on pages.
KINDS = ("text", "int", "number", "percent", "date", "datetime")


@dataclass
class Table:
    key: str  # used in file and sheet names
    title: str
    headers: list[str]
    rows: list[list]
    #: One of KINDS per column (default: guessed from the values). "percent" values are
    #: fractions (0.85): a percentage format in XLSX, 85.0 in CSV with "(%)" in the header.
    kinds: list[str] | None = None

    def kind(self, column: int) -> str:
        return self.kinds[column] if self.kinds else "text"

    @property
    def csv_headers(self) -> list[str]:
        return [f"{h} (%)" if self.kind(i) == "percent" else h for i, h in enumerate(self.headers)]


def safe_filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "export"


def _csv_value(value, kind: str):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if kind == "percent":
        return round(value * 100, 1)
    return value


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.csv_headers)
    kinds = [table.kind(i) for i in range(len(table.headers))]
    for row in table.rows:
        writer.writerow([_csv_value(v, kinds[i]) for i, v in enumerate(row)])
    return "\ufeff" + out.getvalue()  # BOM: spreadsheet programs then read UTF-8 correctly


PLAIN = (str, int, float, Decimal, bool, date)  # what a cell takes as it is (a datetime is a date)
NUMBER_FORMATS = {
    "percent": "0.0%",
    "number": "#,##0.0",
    "int": "#,##0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


def to_csv_zip(tables: list[Table]) -> bytes:
    """Every table as its own CSV file, in one ZIP."""
    import zipfile

    out = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, table in enumerate(tables, start=1):
            name = f"{number:02d}-{safe_filename(table.key)}.csv"
            while name in used:
                name = f"{number:02d}-{safe_filename(table.key)}-{len(used)}.csv"
            used.add(name)
            archive.writestr(name, to_csv(table).encode("utf-8"))
    return out.getvalue()


def _sheet_name(table: Table, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", table.title.replace(": ", " – ")).strip()[:31] or table.key[:31]
    while name in used:
        name = name[:27] + f" ~{len(used)}"
    used.add(name)
    return name


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table: a bold, frozen header row, typed cells (numbers, percentages,
    dates) with their number formats. Written in openpyxl's write-only mode, row by row,
    so that memory stays flat whatever the size."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table, used))
        sheet.freeze_panes = "A2"
        widths = [len(str(h)) for h in table.headers]
        for row in table.rows[:200]:
            for i, value in enumerate(row[: len(widths)]):
                widths[i] = max(widths[i], len(str(value)) if value is not None else 0)
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = max(10, min(50, width + 2))
        header = []
        for title in table.headers:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        kinds = [table.kind(i) for i in range(len(table.headers))]
        for row in table.rows:
            cells = []
            for i, value in enumerate(row):
                kind = kinds[i] if i < len(kinds) else "text"
                fmt = NUMBER_FORMATS.get(kind)
                if fmt is None or value is None or isinstance(value, str):
                    if isinstance(value, datetime):
                        fmt = NUMBER_FORMATS["datetime"]
                    elif isinstance(value, date):
                        fmt = NUMBER_FORMATS["date"]
                    else:
                        cells.append(value if value is None or isinstance(value, PLAIN) else str(value))
                        continue
                if isinstance(value, datetime) and value.tzinfo is not None:
                    value = value.replace(tzinfo=None)  # spreadsheets have no time zones
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = fmt
                cells.append(cell)
            sheet.append(cells)
    if not used:
        workbook.create_sheet("-").append(["-"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

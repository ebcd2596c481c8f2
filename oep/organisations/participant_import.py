"""Reading a CSV file of participants: every row read into the service's input and checked by
the service's rules, every problem reported by row and column, so that a file is imported whole
or not at all. This module only reads (columns, "yes"/"no", language names); what a participant
must be is ``services.participant_problems``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from oep.core.i18n import language_name, spoken_languages
from oep.organisations import services
from oep.organisations.models import Organisation
from oep.organisations.services import ParticipantData

MAX_ROWS = 2000

#: Column -> accepted header spellings (compared case-insensitively).
COLUMNS = {
    "name": {"name", "full name", "navn", "nome", "όνομα", "participant"},
    "email": {"email", "e-mail", "mail", "e-mail address", "email address"},
    "phone": {"phone", "telephone", "telefon", "telefono", "τηλέφωνο", "mobile"},
    "preferred_language": {
        "preferred_language",
        "preferred language",
        "language",
        "sprog",
        "sprache",
        "lingua",
        "γλώσσα",
    },
    "consent": {"consent", "consent given", "samtykke", "einwilligung", "consenso", "συγκατάθεση"},
}
REQUIRED = ("name", "consent")
YES = {"yes", "y", "true", "1", "x", "ja", "sì", "si", "ναι", "oui"}
NO = {"no", "n", "false", "0", "", "nej", "nein", "όχι", "non"}

COLUMN_LABELS = {
    "name": _l("Name"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "preferred_language": _l("Preferred language"),
    "consent": _l("Consent"),
}

TEMPLATE_CSV = "name,email,phone,preferred_language,consent\nAmina Haddad,amina@example.org,+45 1234 5678,ar,yes\n"


@dataclass
class RowError:
    row: int  # the line number in the file (the header is line 1)
    column: str
    message: str


@dataclass
class ParsedImport:
    rows: list[ParticipantData] = field(default_factory=list)
    #: The row as read, for the preview.
    raw: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def errors_by_row(self) -> dict[int, list[RowError]]:
        result: dict[int, list[RowError]] = {}
        for err in self.errors:
            result.setdefault(err.row, []).append(err)
        return result


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, as spreadsheet programs write it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _language_code(value: str, default: str) -> str:
    """A language as people write it in a spreadsheet ("ar", "Arabic", "العربية") as its code;
    empty means ``default``; anything else is left for the service to refuse."""
    value = value.strip()
    if not value:
        return default
    lowered = value.lower()
    languages = spoken_languages()
    if lowered in languages:
        return lowered
    for code in languages:
        if language_name(code, "en").lower() == lowered or language_name(code, code).lower() == lowered:
            return code
    return value


def _read_header(reader, result: ParsedImport) -> dict[str, int] | None:
    """Where each column is (column -> position), or None with the problem recorded."""
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        result.errors.append(RowError(1, "", _("The file has no header row.")))
        return None
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = title.strip().lower()
        for column, spellings in COLUMNS.items():
            if key in spellings and column not in positions:
                positions[column] = index
    missing = [c for c in REQUIRED if c not in positions]
    for column in missing:
        result.errors.append(
            RowError(1, str(COLUMN_LABELS[column]), _("The header row needs a column “%(column)s”.", column=column))
        )
    return None if missing else positions


def _read_rows(reader, positions: dict[str, int], result: ParsedImport) -> list[dict]:
    """The non-empty rows as {column: cell, "line": line number}, at most ``MAX_ROWS``."""
    rows = []
    try:
        for line_no, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                result.errors.append(
                    RowError(line_no, "", _("A file may hold at most %(n)d participants; split it.", n=MAX_ROWS))
                )
                break
            rows.append(
                {"line": line_no, **{c: (record[i].strip() if i < len(record) else "") for c, i in positions.items()}}
            )
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num, "", _("The file is not valid CSV: %(reason)s", reason=str(exc))))
    return rows


def _participant(row: dict, default_language: str) -> tuple[ParticipantData, dict[str, str]]:
    """A row as the service's input, with the cells that could not be read (column -> why)."""
    unreadable = {}
    consent = row.get("consent", "")
    if consent.lower() not in YES | NO:
        unreadable["consent"] = _("Write yes or no, not “%(value)s”.", value=consent)
    data = ParticipantData(
        name=row.get("name", ""),
        email=row.get("email", ""),
        phone=row.get("phone", ""),
        preferred_language=_language_code(row.get("preferred_language", ""), default_language),
        consent=consent.lower() in YES,
    )
    return data, unreadable


def parse(session: Session, organisation: Organisation, text: str, default_language: str = "en") -> ParsedImport:
    """Read a CSV text of people to add to ``organisation`` and check every row as the service
    will (``services.participant_list_problems``: the same rules and messages as the page),
    each problem reported by line and column; a row without a preferred language gets
    ``default_language`` (the language of the organisation's site)."""
    result = ParsedImport()
    if not text.strip():
        result.errors.append(RowError(1, "", _("The file is empty.")))
        return result
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    positions = _read_header(reader, result)
    if positions is None:
        return result
    result.raw = _read_rows(reader, positions, result)
    read = [_participant(row, default_language) for row in result.raw]
    checked = services.participant_list_problems(session, organisation, [data for data, _unreadable in read])
    for row, (data, unreadable), problems in zip(result.raw, read, checked, strict=True):
        errors = [RowError(row["line"], str(COLUMN_LABELS[c]), message) for c, message in unreadable.items()]
        errors += [
            RowError(row["line"], str(COLUMN_LABELS.get(p.field, "")), p.message)
            for p in problems
            if p.field not in unreadable
        ]
        result.errors.extend(errors)
        if not errors:
            result.rows.append(data)
    if not result.raw and not result.errors:
        result.errors.append(RowError(2, "", _("The file has a header but no participants.")))
    return result

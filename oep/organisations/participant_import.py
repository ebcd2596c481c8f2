"""Reading a CSV file of participants: every row checked, every problem reported by row and
column, so that a file is imported whole or not at all."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from oep.core.i18n import SPOKEN_LANGUAGES, language_name
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


def _language_code(value: str) -> str | None:
    value = value.strip()
    if not value:
        return "en"
    lowered = value.lower()
    if lowered in SPOKEN_LANGUAGES:
        return lowered
    for code in SPOKEN_LANGUAGES:
        if language_name(code, "en").lower() == lowered or language_name(code, code).lower() == lowered:
            return code
    return None


def parse(text: str, existing: set[tuple[str, str]] = frozenset()) -> ParsedImport:
    """Check a CSV text. ``existing`` holds (name, email) of the organisation's participants,
    lower-cased, to catch people added twice."""
    result = ParsedImport()
    if not text.strip():
        result.errors.append(RowError(1, "", _("The file is empty.")))
        return result
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        result.errors.append(RowError(1, "", _("The file has no header row.")))
        return result

    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = title.strip().lower()
        for column, spellings in COLUMNS.items():
            if key in spellings and column not in positions:
                positions[column] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        for column in missing:
            result.errors.append(
                RowError(1, str(COLUMN_LABELS[column]), _("The header row needs a column “%(column)s”.", column=column))
            )
        return result

    seen: set[tuple[str, str]] = set()
    try:
        for line_no, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(result.raw) >= MAX_ROWS:
                result.errors.append(
                    RowError(line_no, "", _("A file may hold at most %(n)d participants; split it.", n=MAX_ROWS))
                )
                break
            values = {c: (record[i].strip() if i < len(record) else "") for c, i in positions.items()}
            result.raw.append({"line": line_no, **values})
            errors_before = len(result.errors)

            def error(column, message, line_no=line_no):
                result.errors.append(RowError(line_no, str(COLUMN_LABELS[column]), message))

            name = " ".join(values.get("name", "").split())
            if not name:
                error("name", _("A name is required."))
            elif len(name) > 200:
                error("name", _("At most 200 characters."))
            email = values.get("email", "").lower()
            if email:
                try:
                    validate_email(email, check_deliverability=False)
                except EmailNotValidError:
                    error("email", _("“%(value)s” is not a valid e-mail address.", value=email))
            phone = values.get("phone", "")
            if len(phone) > 40:
                error("phone", _("At most 40 characters."))
            language = _language_code(values.get("preferred_language", ""))
            if language is None:
                error(
                    "preferred_language",
                    _(
                        "Unknown language “%(value)s”; use a code such as en, da, de, it, el, ar.",
                        value=values["preferred_language"],
                    ),
                )
            consent = values.get("consent", "").lower()
            if consent in YES:
                pass
            elif consent in NO:
                error("consent", _("Only people who have given their consent can be added."))
            else:
                error("consent", _("Write yes or no, not “%(value)s”.", value=values.get("consent", "")))
            identity = (name.lower(), email)
            if name and (
                identity in seen or identity in existing or (not email and any(n == name.lower() for n, _e in existing))
            ):
                error("name", _("%(name)s appears twice (in this file or among your participants).", name=name))
            seen.add(identity)
            if len(result.errors) == errors_before:
                result.rows.append(
                    ParticipantData(name=name, email=email, phone=phone, preferred_language=language or "en")
                )
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num, "", _("The file is not valid CSV: %(reason)s", reason=str(exc))))
    if not result.raw and not result.errors:
        result.errors.append(RowError(2, "", _("The file has a header but no participants.")))
    return result

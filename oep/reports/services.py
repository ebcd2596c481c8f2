"""Writes for reports: the narratives of a site, and generating and storing report files."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from oep.core import storage
from oep.core.errors import InvalidInput
from oep.core.i18n import in_language, is_interface_language
from oep.core.tables import safe_filename
from oep.programmes.models import Programme, Site
from oep.reports import charts, data, render
from oep.reports.models import Narrative, NarrativeSection, ReportFile, ReportFormat

#: A report covers at most this long (an edition lasts about a year).
LONGEST_PERIOD = timedelta(days=5 * 366)
#: The longest narrative section, in characters.
NARRATIVE_LIMIT = 20000


def save_narratives(session: Session, site: Site, texts: dict[NarrativeSection, str], by) -> None:
    """Save a site's narrative sections (Markdown text) from ``texts``: sections absent from it
    are left as they are, an empty text for a section never written creates nothing, and a
    changed text records who changed it (``by``, a user or ``None``). Raises ``InvalidInput``
    for a text over ``NARRATIVE_LIMIT`` characters (field: the section's value), saving none."""
    for section, text in texts.items():
        if len(text) > NARRATIVE_LIMIT:
            raise InvalidInput(_("At most %(n)s characters.", n=format_decimal(NARRATIVE_LIMIT)), field=section.value)
    existing = {n.section: n for n in session.scalars(sa.select(Narrative).where(Narrative.site_id == site.id))}
    for section, text in texts.items():
        narrative = existing.get(section)
        if narrative is None:
            if not text:
                continue
            narrative = Narrative(site_id=site.id, section=section)
            session.add(narrative)
        if narrative.text != text:
            narrative.text = text
            narrative.updated_by_id = by.id if by else None
    session.flush()


def narratives_of(session: Session, site: Site) -> dict[NarrativeSection, Narrative]:
    """The narratives written for a site, ``{section: Narrative}`` (sections never written
    are absent)."""
    return {n.section: n for n in session.scalars(sa.select(Narrative).where(Narrative.site_id == site.id))}


def check_period(period: data.Period) -> None:
    """Refuse a period that ends before it starts or covers more than ``LONGEST_PERIOD``:
    ``InvalidInput`` on the field ``date_to``."""
    if period.end < period.start:
        raise InvalidInput(_("The period ends before it starts."), field="date_to")
    if period.end - period.start > LONGEST_PERIOD:
        raise InvalidInput(_("A report covers at most five years."), field="date_to")


def check_formats(formats: list) -> None:
    """Refuse a request for no format at all: ``InvalidInput`` on the field ``formats``."""
    if not formats:
        raise InvalidInput(_("Choose at least one format."), field="formats")


def steps_for(site_count: int, consolidated: bool, formats: list[ReportFormat]) -> int:
    """How many progress steps ``make_files`` reports (for the progress bar's total)."""
    charts = (1 + (site_count if consolidated else 0)) if ReportFormat.PDF in formats else 0
    return 4 + 2 * site_count + charts + len(formats)


def build(
    session: Session,
    programme: Programme,
    sites: list[Site],
    period: data.Period,
    *,
    consolidated: bool,
    language: str,
    include_participants: bool = False,
    step=None,
    with_charts: bool = True,
) -> data.Report:
    """The report's data and charts, with every label in ``language`` (an interface language).

    ``sites`` are the sites it covers (every site of the programme when ``consolidated``);
    ``period`` holds the first and last days, each read in the site's own time zone;
    ``include_participants`` adds the annex with each participant's name; ``step`` (a
    callable taking a step's name) hears of each step done, for a progress bar; charts are
    drawn only ``with_charts``. See ``reports.data`` for what is counted.

    Raises ``InvalidInput`` for a period ``check_period`` refuses (field ``date_to``) or a
    language that is not an interface language (``language``).
    """
    check_period(period)
    if not is_interface_language(language):
        raise InvalidInput(_("Choose a language from the list."), field="language")
    with in_language(language):
        report = data.build(
            session,
            programme,
            sites,
            period,
            consolidated=consolidated,
            language=language,
            include_participants=include_participants,
            progress=step,
        )
        if with_charts:
            charts.attach(report, progress=step)
    return report


RENDERERS = {
    ReportFormat.PDF: render.to_pdf,
    ReportFormat.XLSX: render.to_spreadsheet,
    ReportFormat.CSV: render.to_csv_files,
}


def file_stem(report: data.Report, programme: Programme, site: Site | None) -> str:
    """The name a report's files are downloaded under, without extension: programme, city
    (or "all-sites") and the period's first and last days, safe as a file name, at most 150
    characters."""
    where = site.city if site else "all-sites"
    return safe_filename(f"OEP-{programme.name}-{where}-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}")[:150]


def store(content: bytes, extension: str) -> tuple[str, storage.Written]:
    """Store ``content`` in the storage layer under a new random name ending in ``extension``
    (as ``reports/<name>``; atomically: never half a file); returns the name and what was
    written (its size and SHA-256)."""
    name = f"{date.today():%Y%m%d}-{secrets.token_hex(12)}.{extension}"
    return name, storage.current().write(f"reports/{name}", content)


def file_key(report_file: ReportFile) -> str:
    """The storage key of a report file (the file may have been cleaned up since). Raises
    ``FileNotFoundError`` for a stored name that is not a name in the reports' storage."""
    key = f"reports/{report_file.file_name}"
    if "/" in report_file.file_name or not storage.is_valid(key):
        raise FileNotFoundError(report_file.file_name)
    return key


def make_files(
    session: Session,
    programme: Programme,
    site: Site | None,
    period: data.Period,
    formats: list[ReportFormat],
    *,
    language: str,
    include_participants: bool,
    by_id: int | None,
    job_id: str | None = None,
    step=None,
) -> list[ReportFile]:
    """Build the report once (see ``build``) and write it in each of ``formats``; every file is
    stored and recorded with who asked (``by_id``) and the job that made it (``job_id``).
    Returns the records, flushed, one per format in the order given; ``step`` also hears of
    each format written. ``site`` ``None`` is the consolidated report of every site.

    Raises ``InvalidInput`` for no format (field ``formats``) and what ``build`` refuses,
    before anything is built.
    """
    check_formats(formats)
    sites = [site] if site else list(programme.sites)
    report = build(
        session,
        programme,
        sites,
        period,
        consolidated=site is None,
        language=language,
        include_participants=include_participants,
        step=step,
        with_charts=ReportFormat.PDF in formats,
    )
    with in_language(language):
        stem = file_stem(report, programme, site)
        contents = []
        for fmt in formats:
            contents.append(RENDERERS[fmt](report))
            if step:
                step(f"format:{fmt.value}")
    # Stored once all are written: the database storage writes in this transaction, and on
    # SQLite a job's progress (committed on a connection of its own) must not wait for it.
    files = []
    for fmt, content in zip(formats, contents, strict=True):
        name, stored = store(content, fmt.extension)
        record = ReportFile(
            job_id=job_id,
            programme_id=programme.id,
            site_id=site.id if site else None,
            period_from=period.start,
            period_to=period.end,
            format=fmt,
            language=language,
            include_participants=include_participants,
            title=report.title,
            file_name=name,
            download_name=f"{stem}.{fmt.extension}",
            size=stored.size,
            sha256=stored.sha256,
            created_by_id=by_id,
        )
        session.add(record)
        files.append(record)
    session.flush()
    return files

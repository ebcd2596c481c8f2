"""The narrative sections of a site's report."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oep.core.db import UTCDateTime, enum_type, utcnow
from oep.core.enums import LabelledEnum
from oep.extensions import db


class NarrativeSection(LabelledEnum):
    CONTEXT = "context", _l("Context")
    WHAT_WORKED = "what_worked", _l("What worked")
    LESSONS = "lessons", _l("Lessons learned")
    RECOMMENDATIONS = "recommendations", _l("Recommendations")


class Narrative(db.Model):
    """A section of a site's report, written in Markdown."""

    __tablename__ = "narratives"
    __table_args__ = (sa.UniqueConstraint("site_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    section: Mapped[NarrativeSection] = mapped_column(enum_type(NarrativeSection, "narrative_section"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReportFormat(LabelledEnum):
    PDF = "pdf", _l("PDF document")
    XLSX = "xlsx", _l("Spreadsheet (XLSX)")
    CSV = "csv", _l("CSV files (ZIP)")  # a ZIP of CSV files, one per table

    @property
    def extension(self) -> str:
        return "zip" if self is ReportFormat.CSV else self.value

    @property
    def media_type(self) -> str:
        return {
            ReportFormat.PDF: "application/pdf",
            ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ReportFormat.CSV: "application/zip",
        }[self]


class ReportFile(db.Model):
    """A generated report, kept so that it can be downloaded again: what it covers, who made
    it, and its file (``reports/<file_name>`` in the storage layer) with its size and SHA-256."""

    __tablename__ = "report_files"
    __table_args__ = (sa.CheckConstraint("period_from <= period_to", name="period_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str | None] = mapped_column(sa.ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    #: The site the report is about; none for the consolidated report of the programme.
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    period_from: Mapped[date]
    period_to: Mapped[date]
    format: Mapped[ReportFormat] = mapped_column(enum_type(ReportFormat, "report_format"))
    language: Mapped[str] = mapped_column(sa.String(8))
    include_participants: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(sa.String(300))
    file_name: Mapped[str] = mapped_column(sa.String(200))
    download_name: Mapped[str] = mapped_column(sa.String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme = relationship("Programme")
    site = relationship("Site")
    created_by = relationship("User")

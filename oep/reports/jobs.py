"""The report job: build a report once and write its files, with a progress bar."""

from __future__ import annotations

from datetime import date

from flask import current_app, url_for

from oep.extensions import db
from oep.programmes.models import Programme, Site
from oep.reports import services
from oep.reports.data import Period
from oep.reports.models import ReportFormat


def build_report(
    progress,
    programme_id: int,
    site_id: int | None,
    start: str,
    end: str,
    formats: list[str],
    language: str,
    include_participants: bool,
    by_id: int | None,
) -> dict:
    programme = db.session.get(Programme, programme_id)
    site = db.session.get(Site, site_id) if site_id else None
    if programme is None or (site_id and site is None):
        raise LookupError("The programme or site of this report no longer exists.")
    site_count = 1 if site else len(programme.sites)
    formats = [ReportFormat(f) for f in formats]
    progress.start(services.steps_for(site_count, site is None, formats))
    files = services.make_files(
        db.session,
        programme,
        site,
        Period(date.fromisoformat(start), date.fromisoformat(end)),
        formats,
        language=language,
        include_participants=include_participants,
        by_id=by_id,
        job_id=progress.job_id,
        step=lambda name: progress.advance(1),
    )
    db.session.commit()
    with current_app.test_request_context():
        return {
            "files": [f.id for f in files],
            "next_url": url_for("reports.index", generated=progress.job_id) + "#generated",
        }


JOB_HANDLERS = {"reports.build": build_report}

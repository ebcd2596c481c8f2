"""The bulk-issue job: every certificate of a site (or of every site of a programme)."""

from __future__ import annotations

from flask import current_app, url_for

from oep.accounts.models import User
from oep.certificates import services
from oep.extensions import db
from oep.programmes.models import Site


def issue_certificates(
    progress, site_ids: list[int], by_id: int | None, language: str | None = None, mail: bool = False
) -> dict:
    by = db.session.get(User, by_id) if by_id else None
    sites = [db.session.get(Site, site_id) for site_id in site_ids]
    todo = {}
    for site in sites:
        todo[site.id] = services.pending(db.session, site, services.decisions_for_site(db.session, site), language)
    progress.start(sum(len(t) for t in todo.values()))
    issued, failures = 0, []
    for site in sites:
        result = services.issue(
            db.session,
            site,
            todo[site.id],
            by,
            language=language,
            mail=mail,
            progress=progress,
            processes=current_app.config["RENDER_PROCESSES"],
            commit_each_chunk=True,
        )
        db.session.commit()
        issued += len(result.issued)
        failures += result.failures
    with current_app.test_request_context():
        next_url = url_for("certificates.site", site_id=sites[0].id) if len(sites) == 1 else url_for("dashboard.index")
    return {"issued": issued, "failed": len(failures), "next_url": next_url}


JOB_HANDLERS = {"certificates.issue": issue_certificates}

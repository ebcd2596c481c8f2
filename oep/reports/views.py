"""Report pages: choosing a report (scope, period, formats), its HTML preview, generating
its files as a job, downloading them; a site's narrative sections; an organisation's summary."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oep.accounts.models import Role
from oep.core import markdown, storage
from oep.core.access import roles_required
from oep.core.forms import render_form
from oep.core.i18n import current_language, in_language
from oep.core.tables import safe_filename
from oep.extensions import db
from oep.jobs import services as jobs
from oep.organisations import queries as org_queries
from oep.programmes import queries as programme_queries
from oep.programmes.models import Programme, Site
from oep.reports import render, services, summary
from oep.reports.data import Period
from oep.reports.forms import GenerateForm, NarrativeForm, ReportForm
from oep.reports.models import NarrativeSection, ReportFile, ReportFormat

bp = Blueprint("reports", __name__)

STAFF = (Role.COORDINATOR, Role.TRAINER)
EVERYONE = (Role.COORDINATOR, Role.TRAINER, Role.CONTACT)


def _scopes(user) -> list[tuple[str, str]]:
    """What the user may report on: any programme or site for a coordinator, their own
    sites for a trainer."""
    scopes = []
    for programme in programme_queries.programmes_for(user):
        if user.is_coordinator:
            scopes.append(
                (f"programme:{programme.id}", _("%(programme)s — all sites (consolidated)", programme=programme.name))
            )
        for site in programme_queries.sites_of_programme_for(user, programme):
            scopes.append((f"site:{site.id}", f"{programme.name} — {site.city}"))
    return scopes


def _resolve(user, scope: str) -> tuple[Programme, Site | None]:
    kind, _sep, raw = (scope or "").partition(":")
    if not raw.isdigit():
        abort(404)
    if kind == "programme" and user.is_coordinator:
        return programme_queries.get_programme_or_404(user, int(raw)), None
    if kind == "site":
        site = programme_queries.get_site_or_404(user, int(raw))
        return site.programme, site
    abort(404)


def _form(form_class, scopes, formdata=None, **kwargs):
    form = form_class(scopes, formdata=formdata, may_include_participants=current_user.is_coordinator, **kwargs)
    if formdata is None and request.method == "GET" and scopes:
        # First visit: the first scope, over its programme's whole edition, in the reader's language.
        programme, _site = _resolve(current_user, request.args.get("scope") or scopes[0][0])
        form.scope.data = request.args.get("scope") or scopes[0][0]
        form.date_from.data, form.date_to.data = programme.starts_on, programme.ends_on
        form.language.data = current_language()
    return form


def _visible_files_stmt(user):
    stmt = sa.select(ReportFile)
    if user.is_coordinator:
        return stmt
    return stmt.where(ReportFile.site_id.in_(programme_queries.site_ids_of_trainer(user)))


def _index_page(form, status=200):
    files = db.session.scalars(
        _visible_files_stmt(current_user)
        .options(sa.orm.joinedload(ReportFile.site), sa.orm.joinedload(ReportFile.created_by))
        .order_by(ReportFile.created_at.desc(), ReportFile.id.desc())
        .limit(60)
    ).all()
    sites = [
        s
        for p in programme_queries.programmes_for(current_user)
        for s in programme_queries.sites_of_programme_for(current_user, p)
    ]
    return render_template(
        "reports/index.html",
        form=form,
        files=files,
        sites=sites,
        generated=request.args.get("generated", ""),
    ), status


@bp.route("/reports")
@roles_required(*STAFF)
def index():
    scopes = _scopes(current_user)
    return _index_page(_form(GenerateForm, scopes))


@bp.route("/reports/preview")
@roles_required(*STAFF)
def preview():
    """The report as a page, built now from the chosen scope and period (GET: a link to a
    preview can be shared with a colleague who may see the same)."""
    scopes = _scopes(current_user)
    form = _form(ReportForm, scopes, formdata=request.args, meta={"csrf": False})
    if not form.validate():
        return _index_page(form, 422)
    programme, site = _resolve(current_user, form.scope.data)
    include = bool(current_user.is_coordinator and form.include_participants.data)
    report = services.build(
        db.session,
        programme,
        [site] if site else list(programme.sites),
        Period(form.date_from.data, form.date_to.data),
        consolidated=site is None,
        language=form.language.data,
        include_participants=include,
    )
    with in_language(form.language.data):
        body = render.body(report)
        contents = render.contents(report)
    return render_template("reports/preview.html", report=report, body=body, contents=contents, form=form)


@bp.route("/reports", methods=["POST"])
@roles_required(*STAFF)
def generate():
    """Write the report's files as a background job; its page shows the progress."""
    scopes = _scopes(current_user)
    form = _form(GenerateForm, scopes, formdata=request.form)
    if not form.validate():
        return _index_page(form, 422)
    programme, site = _resolve(current_user, form.scope.data)
    include = bool(current_user.is_coordinator and form.include_participants.data)
    title = _("Report: %(what)s", what=site.city if site else programme.name)
    job = jobs.submit(
        db.session,
        "reports.build",
        {
            "programme_id": programme.id,
            "site_id": site.id if site else None,
            "start": form.date_from.data.isoformat(),
            "end": form.date_to.data.isoformat(),
            "formats": [f.value for f in ReportFormat if f.value in form.formats.data],
            "language": form.language.data,
            "include_participants": include,
            "by_id": current_user.id,
        },
        title,
        current_user,
    )
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.route("/reports/files/<int:file_id>")
@roles_required(*STAFF)
def download(file_id):
    report_file = db.session.scalar(_visible_files_stmt(current_user).where(ReportFile.id == file_id))
    if report_file is None:
        abort(404)
    try:
        return storage.send(
            services.file_key(report_file),
            report_file.format.media_type,
            as_attachment=True,
            download_name=report_file.download_name,
            etag=report_file.sha256,
        )
    except FileNotFoundError:
        abort(410, description=_("This report's file is no longer kept. Generate the report again."))


@bp.route("/sites/<int:site_id>/narratives", methods=["GET", "POST"])
@roles_required(*STAFF)
def narratives(site_id):
    """The narrative sections of a site's report, in Markdown, with a preview of each."""
    site = programme_queries.get_site_or_404(current_user, site_id)
    current = services.narratives_of(db.session, site)
    form = NarrativeForm(data={s.value: (current[s].text if s in current else "") for s in NarrativeSection})
    if form.validate_on_submit():
        services.save_narratives(
            db.session, site, {s: getattr(form, s.value).data or "" for s in NarrativeSection}, current_user
        )
        flash(_("The narrative of %(city)s is saved.", city=site.city), "success")
        return redirect(url_for("reports.narratives", site_id=site_id))
    rendered = {s: markdown.render(getattr(form, s.value).data or "") for s in NarrativeSection}
    return render_form(
        "reports/narratives.html", form, site=site, sections=list(NarrativeSection), rendered=rendered, current=current
    )


def _summary_for(org_id):
    organisation = org_queries.get_organisation_or_404(current_user, org_id)
    return organisation, summary.build(organisation, current_user)


@bp.route("/organisations/<int:org_id>/summary")
@roles_required(*EVERYONE)
def organisation_summary(org_id):
    organisation, data = _summary_for(org_id)
    return render_template("reports/organisation_summary.html", organisation=organisation, summary=data)


@bp.route("/organisations/<int:org_id>/summary.<any(pdf, xlsx):fmt>")
@roles_required(*EVERYONE)
def organisation_summary_file(org_id, fmt):
    organisation, data = _summary_for(org_id)
    name = safe_filename(f"OEP-{organisation.name}-summary")[:120]
    if fmt == "pdf":
        content, media = summary.to_pdf(data, current_language()), ReportFormat.PDF.media_type
    else:
        content, media = summary.to_spreadsheet(data), ReportFormat.XLSX.media_type
    return Response(
        content,
        mimetype=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Cache-Control": "private, no-store"},
    )

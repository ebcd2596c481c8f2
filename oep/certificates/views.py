"""Certificate pages: who qualifies and why, issuing (one, or all as a job), downloads
(one PDF, a streamed ZIP, the Open Badges credential), revocation, and public verification."""

from __future__ import annotations

import io
import json
import logging
import textwrap
import zipfile

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from openbadgeslib.ob3 import OB_V3_CONTEXT, VCDM_V2_CONTEXT

from oep.accounts.models import Role
from oep.certificates import badges, issuer, queries, services
from oep.certificates.forms import IssueForm, IssueOneForm, RevokeForm, VerifyForm
from oep.certificates.models import normalise_code
from oep.core import storage, throttle
from oep.core.access import public, roles_required
from oep.core.errors import DomainError
from oep.core.forms import attach_error
from oep.core.i18n import in_language
from oep.extensions import db
from oep.jobs import services as jobs
from oep.organisations import queries as org_queries
from oep.organisations.models import Participant
from oep.programmes import queries as programme_queries

log = logging.getLogger(__name__)

bp = Blueprint("certificates", __name__)

STAFF = (Role.COORDINATOR, Role.TRAINER)
EVERYONE = (Role.COORDINATOR, Role.TRAINER, Role.CONTACT)
VERIFY_WINDOW_SECONDS = 10 * 60


def _site_page(site, status=200, **forms):
    decisions = services.decisions_for_site(db.session, site)
    current = queries.current_by_participant(site.id)
    return render_template(
        "certificates/site.html",
        site=site,
        decisions=decisions,
        current=current,
        missing_texts=services.missing_texts(site, services.holders_languages(decisions)),
        counts={
            "completion": sum(1 for d in decisions if d.kind and d.kind.value == "completion"),
            "participation": sum(1 for d in decisions if d.kind and d.kind.value == "participation"),
            "none": sum(1 for d in decisions if d.kind is None),
            "pending": len(services.pending(db.session, site, decisions)),
        },
        issue_form=forms.get("issue_form") or IssueForm(),
        one_form=IssueOneForm(),
        revoke_form=forms.get("revoke_form") or RevokeForm(),
    ), status


@bp.route("/sites/<int:site_id>/certificates")
@roles_required(*STAFF)
def site(site_id):
    return _site_page(programme_queries.get_site_or_404(current_user, site_id))


@bp.route("/sites/<int:site_id>/certificates/issue", methods=["POST"])
@roles_required(*STAFF)
def issue_all(site_id):
    """Issue every certificate of the site as a background job; show its progress."""
    site_ = programme_queries.get_site_or_404(current_user, site_id)
    form = IssueForm()
    if not form.validate_on_submit():
        return _site_page(site_, 422, issue_form=form)
    job = jobs.submit(
        db.session,
        "certificates.issue",
        {
            "site_ids": [site_.id],
            "by_id": current_user.id,
            "language": form.language.data or None,
            "mail": form.mail.data,
        },
        _("Certificates for %(city)s", city=site_.city),
        current_user,
    )
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.route("/programmes/<int:programme_id>/certificates/issue", methods=["POST"])
@roles_required(Role.COORDINATOR)
def issue_programme(programme_id):
    programme = programme_queries.get_programme_or_404(current_user, programme_id)
    form = IssueForm()
    if not form.validate_on_submit() or not programme.sites:
        flash(_("Nothing to issue."), "error")
        return redirect(url_for("programmes.detail", programme_id=programme_id))
    job = jobs.submit(
        db.session,
        "certificates.issue",
        {
            "site_ids": [s.id for s in programme.sites],
            "by_id": current_user.id,
            "language": form.language.data or None,
            "mail": form.mail.data,
        },
        _("Certificates for %(programme)s", programme=programme.name),
        current_user,
    )
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.route("/sites/<int:site_id>/certificates/participants/<int:participant_id>", methods=["POST"])
@roles_required(*STAFF)
def issue_one(site_id, participant_id):
    """Issue (or re-issue, possibly in another language) one participant's certificate now."""
    site_ = programme_queries.get_site_or_404(current_user, site_id)
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        abort(404)
    form = IssueOneForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        certificate = services.issue_one(db.session, site_, participant, current_user, form.language.data or None)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(_("Certificate %(code)s issued to %(name)s.", code=certificate.code, name=participant.name), "success")
    return redirect(url_for("certificates.site", site_id=site_id) + f"#participant-{participant_id}")


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
@roles_required(*STAFF)
def revoke(certificate_id):
    certificate = queries.get_certificate_or_404(current_user, certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(db.session, certificate, form.reason.data, current_user)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Certificate %(code)s is revoked.", code=certificate.code), "success")
            return redirect(url_for("certificates.site", site_id=certificate.site_id))
    return _site_page(certificate.site, 422, revoke_form=form)


@bp.route("/certificates/<int:certificate_id>.pdf")
@roles_required(*EVERYONE)
def download(certificate_id):
    """The stored file, exactly as issued."""
    certificate = queries.get_certificate_or_404(current_user, certificate_id)
    try:
        return storage.send(
            services.file_key(certificate),
            "application/pdf",
            as_attachment=True,
            download_name=certificate.download_name,
            etag=certificate.sha256,
        )
    except FileNotFoundError:
        abort(404)


def _download(content: str | bytes, mimetype: str, name: str) -> Response:
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/certificates/<int:certificate_id>/credential.json")
@roles_required(*EVERYONE)
def credential(certificate_id):
    """The certificate as an Open Badges 3.0 credential with an embedded Data Integrity proof."""
    certificate = queries.get_certificate_or_404(current_user, certificate_id)
    signed = services.data_integrity_of(db.session, services.credential_of(db.session, certificate))
    return _download(signed, "application/ld+json", f"{certificate.code}.json")


@bp.route("/certificates/<int:certificate_id>/credential.jwt")
@roles_required(*EVERYONE)
def credential_jwt(certificate_id):
    """The same credential as a VC-JWT (the one inside the certificate's PDF)."""
    certificate = queries.get_certificate_or_404(current_user, certificate_id)
    token = services.credential_of(db.session, certificate).jwt
    return _download(token, "application/vc+jwt", f"{certificate.code}.jwt")


@bp.route("/certificates/<int:certificate_id>/badge.svg")
@roles_required(*EVERYONE)
def badge(certificate_id):
    """The programme's badge for this certificate, with its credential baked in (OB 3.0 baking)."""
    certificate = queries.get_certificate_or_404(current_user, certificate_id)
    token = services.credential_of(db.session, certificate).jwt
    with in_language(certificate.language):
        svg = render_template(
            "certificates/badge.svg",
            programme_name=certificate.programme_name,
            title_lines=textwrap.wrap(certificate.programme_name, 26)[:3],
            kind_label=str(certificate.kind.label),
            completion=certificate.kind.value == "completion",
            city=certificate.city,
            year=certificate.issued_at.year,
        )
    return _download(badges.bake_svg(svg, token), "image/svg+xml", f"{certificate.code}-badge.svg")


class _Pipe(io.RawIOBase):
    """A write-only stream whose bytes are handed on as they come (ZIP streaming)."""

    def __init__(self):
        self.buffer = []

    def writable(self):
        return True

    def write(self, data):
        self.buffer.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.buffer = b"".join(self.buffer), []
        return data


def stream_zip(entries: list[tuple[str, str]], store: storage.Storage):
    """A ZIP of the stored files ``entries`` (name in the archive, storage key), written while
    it is sent: memory stays small however large the archive is. PDFs are stored, not
    compressed again. A file gone missing is left out (and logged)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, key in entries:
            try:
                source = store.open_read(key)
            except FileNotFoundError:
                log.warning("%s is missing: left out of the ZIP", key)
                continue
            with source, archive.open(name, "w", force_zip64=True) as target:
                while block := source.read(1 << 16):
                    target.write(block)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()


def _zip_response(certificates, name: str) -> Response:
    entries, used = [], set()
    for certificate in certificates:
        folder = "".join(ch if ch.isalnum() or ch in " -" else "-" for ch in certificate.organisation_name).strip()[:60]
        entry = f"{folder}/{certificate.download_name}"
        if entry in used:
            continue
        used.add(entry)
        entries.append((entry, services.file_key(certificate)))
    if not entries:
        flash(_("There is no certificate to download yet."), "info")
        return redirect(request.referrer or url_for("dashboard.index"))
    return Response(
        stream_zip(entries, storage.current()),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'},
    )


@bp.route("/sites/<int:site_id>/certificates.zip")
@roles_required(*STAFF)
def site_zip(site_id):
    site_ = programme_queries.get_site_or_404(current_user, site_id)
    return _zip_response(queries.certificates_of_site(site_.id), f"certificates-{site_.city}")


@bp.route("/organisations/<int:org_id>/certificates")
@roles_required(*EVERYONE)
def organisation(org_id):
    organisation_ = org_queries.get_organisation_or_404(current_user, org_id)
    return render_template(
        "certificates/organisation.html",
        organisation=organisation_,
        certificates=queries.certificates_of_organisation(current_user, organisation_.id),
    )


@bp.route("/organisations/<int:org_id>/certificates.zip")
@roles_required(*EVERYONE)
def organisation_zip(org_id):
    organisation_ = org_queries.get_organisation_or_404(current_user, org_id)
    return _zip_response(
        queries.certificates_of_organisation(current_user, organisation_.id, only_valid=True),
        f"certificates-{organisation_.id}",
    )


# --- public verification ---------------------------------------------------------------------------


@bp.route("/verify")
@public
def verify():
    form = VerifyForm(request.args)
    if request.args.get("code") and form.validate():
        code = normalise_code(form.code.data)
        if code:
            return redirect(url_for("certificates.verify_code", code=code))
        form.code.errors = [_("A code looks like OEP-7KQ2-9XMC-4TRA.")]
    return render_template("certificates/verify.html", form=form), (422 if form.errors else 200)


@bp.route("/verify/<code>")
@public
def verify_code(code):
    """Holder, programme, date, kind and status — nothing more. Lookups are limited per
    address, and an unknown code says only that it is unknown."""
    key = f"verify:{request.remote_addr}"
    limit = current_app.config["VERIFY_ATTEMPTS"]
    if throttle.retry_after(db.session, key, limit, VERIFY_WINDOW_SECONDS):
        return render_template("certificates/verified.html", certificate=None, limited=True, code=""), 429
    throttle.record(key)
    certificate = queries.by_code(normalise_code(code))
    status = 200 if certificate is not None else 404
    return render_template(
        "certificates/verified.html",
        certificate=certificate,
        limited=False,
        code=normalise_code(code) or code[:40],
        issuer_did=issuer.issuer_did(),
    ), status


# --- the issuer, its keys and its status lists (public, for verifiers) ----------------------------------


def _json(document: dict, mimetype: str) -> Response:
    response = Response(json.dumps(document, indent=2, ensure_ascii=False), mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers in browsers (wallets) read these
    return response


@bp.route("/did.json")
@bp.route("/.well-known/did.json")  # added first: the one url_for() gives
@public
def did_document():
    """The issuer's did:web document: every public key, the signing one first. (did:web resolves
    a bare host at /.well-known/did.json, a host with a path at <path>/did.json.)"""
    return _json(issuer.did_document(), "application/did+json")


@bp.route("/.well-known/jwks.json")
@public
def jwks():
    """The issuer's public keys as a JWK set (each ``kid`` is the key's DID URL)."""
    return _json(issuer.jwk_set(), "application/jwk-set+json")


@bp.route("/badges/issuer")
@public
def issuer_profile():
    """The issuer's Open Badges profile, as every credential names it."""
    profile = {"@context": [VCDM_V2_CONTEXT, OB_V3_CONTEXT], **badges.issuer_profile().to_dict()}
    return _json(profile, "application/ld+json")


@bp.route("/badges/status/<int:list_number>")
@public
def status_list(list_number):
    """Status list ``list_number``: a BitstringStatusListCredential (VC-JWT) whose set bits are
    the revoked or replaced certificates' credentials. Fetches are limited per address."""
    key = f"status-list:{request.remote_addr}"
    if throttle.retry_after(db.session, key, current_app.config["STATUS_LIST_ATTEMPTS"], VERIFY_WINDOW_SECONDS):
        abort(429)
    throttle.record(key)
    if not queries.status_list_exists(list_number):
        abort(404)
    token = badges.status_list_jwt(list_number, queries.revoked_indices(list_number))
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["Cache-Control"] = f"public, max-age={int(badges.STATUS_LIST_TTL.total_seconds())}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response

"""Registration, the review queue, organisation pages, participants and competences."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user

from oep.accounts.models import Role
from oep.core.access import public, roles_required
from oep.core.errors import DomainError
from oep.core.forms import attach_error, options, render_form, show_problems
from oep.core.i18n import default_language
from oep.extensions import db
from oep.organisations import participant_import, queries, services
from oep.organisations.consent import participant_consent_text, registration_consent_text
from oep.organisations.forms import (
    CompetenceForm,
    EnrolForm,
    ImportConfirmForm,
    ImportUploadForm,
    OrganisationForm,
    ParticipantEditForm,
    ParticipantForm,
    RegistrationForm,
    WithdrawForm,
    competences_form_class,
    decision_form_for,
)
from oep.organisations.models import (
    Competence,
    CompetenceDirection,
    EnrolmentStatus,
    OrganisationType,
)
from oep.programmes.models import Site
from oep.programmes.queries import open_sites, visible_sites_stmt

bp = Blueprint("organisations", __name__)

STAFF = (Role.COORDINATOR, Role.TRAINER)
EVERYONE = (Role.COORDINATOR, Role.TRAINER, Role.CONTACT)
#: Who may change an organisation's profile and people (a trainer reads; walk-ins come later).
EDITORS = (Role.COORDINATOR, Role.CONTACT)


def _int_arg(name: str, default: int | None = None) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else default


# --- public registration ----------------------------------------------------------------------


def _site_label(site: Site) -> str:
    return f"{site.programme.name} — {site.city}"


def _organisation_data(form) -> services.OrganisationData:
    return services.OrganisationData(
        name=form.name.data or "",
        type=form.type.data,
        sector=form.sector.data or "",
        city=form.city.data or "",
        website=form.website.data or "",
        languages=form.languages.data or [],
        description=form.description.data or "",
    )


def _registration_data(form: RegistrationForm) -> services.RegistrationData:
    return services.RegistrationData(
        organisation=_organisation_data(form),
        contact_name=form.contact_name.data or "",
        email=form.email.data or "",
        password=form.password.data or "",
        consent=form.consent.data,
        locale=get_locale().language,
    )


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    sites = open_sites()
    form = RegistrationForm()
    form.site.choices = options([(0, _("Choose…"))] + [(s.id, _site_label(s)) for s in sites])
    if request.method == "GET" and _int_arg("site"):
        form.site.data = _int_arg("site")
    if form.validate_on_submit():
        site = next((s for s in sites if s.id == form.site.data), None)
        try:
            if site is None:
                raise DomainError(_("Choose a site that takes registrations."), field="site")
            enrolment = services.register_organisation(db.session, site, _registration_data(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            login_user(enrolment.organisation.contacts[0])
            flash(
                _(
                    "Thank you! Your registration for %(site)s is waiting "
                    "for review. We will write to you when it is decided.",
                    site=_site_label(site),
                ),
                "success",
            )
            return redirect(url_for("organisations.detail", org_id=enrolment.organisation_id))
    elif form.is_submitted():
        show_problems(form, services.registration_problems(_registration_data(form)))
    return render_form("organisations/register.html", form, sites=sites, consent_text=registration_consent_text())


# --- review -----------------------------------------------------------------------------------


@bp.route("/review")
@roles_required(*STAFF)
def review():
    queue = queries.review_queue(current_user)
    forms = {e.id: decision_form_for(e) for e in queue}
    return render_template("organisations/review.html", queue=queue, forms=forms)


@bp.route("/enrolments/<int:enrolment_id>/decide", methods=["POST"])
@roles_required(*STAFF)
def decide(enrolment_id):
    enrolment = queries.get_enrolment_or_404(current_user, enrolment_id)
    form = decision_form_for(enrolment)
    if form.validate_on_submit():
        try:
            services.decide_enrolment(
                db.session, enrolment, EnrolmentStatus(form.decision.data), form.reason.data, current_user
            )
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(
                _(
                    "%(org)s: %(status)s. The contact has been told by mail.",
                    org=enrolment.organisation.name,
                    status=enrolment.status.label,
                ),
                "success",
            )
            if request.form.get("back") == "detail":
                return redirect(url_for("organisations.detail", org_id=enrolment.organisation_id))
            return redirect(url_for("organisations.review"))
    queue = queries.review_queue(current_user)
    forms = {e.id: decision_form_for(e) for e in queue}
    forms[enrolment.id] = form
    return render_template("organisations/review.html", queue=queue, forms=forms), 422


# --- organisations ------------------------------------------------------------------------------


@bp.route("/organisations")
@roles_required(*STAFF)
def index():
    status = request.args.get("status", "")
    org_type = request.args.get("type", "")
    filters = queries.EnrolmentFilters(
        site_id=_int_arg("site"),
        status=EnrolmentStatus(status) if status in EnrolmentStatus._value2member_map_ else None,
        type=OrganisationType(org_type) if org_type in OrganisationType._value2member_map_ else None,
        search=request.args.get("q", "")[:100],
    )
    page = queries.enrolment_list(current_user, filters, _int_arg("page", 1))
    sites = db.session.scalars(visible_sites_stmt(current_user).order_by(Site.city_key)).all()
    return render_template(
        "organisations/index.html",
        page=page,
        filters=filters,
        sites=sites,
        statuses=list(EnrolmentStatus),
        types=list(OrganisationType),
    )


@bp.route("/organisations/<int:org_id>")
@roles_required(*EVERYONE)
def detail(org_id):
    organisation = queries.get_organisation_or_404(current_user, org_id)
    enrolments = queries.organisation_enrolments(organisation, current_user)
    decision_forms = {}
    if not current_user.is_contact:
        decision_forms = {e.id: decision_form_for(e) for e in enrolments if e.status in queries.REVIEW_STATUSES}
    enrol_form = None
    if current_user.is_contact:
        enrol_form = EnrolForm()
        enrol_form.site.choices = options((s.id, _site_label(s)) for s in queries.sites_open_for(organisation))
    return render_template(
        "organisations/detail.html",
        organisation=organisation,
        enrolments=enrolments,
        competences=queries.organisation_competences(organisation),
        participant_count=queries.participant_count(organisation),
        decision_forms=decision_forms,
        withdraw_form=WithdrawForm(),
        enrol_form=enrol_form,
    )


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(org_id):
    organisation = queries.get_organisation_or_404(current_user, org_id)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            services.update_organisation(db.session, organisation, _organisation_data(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Profile saved."), "success")
            return redirect(url_for("organisations.detail", org_id=organisation.id))
    return render_form("organisations/edit.html", form, organisation=organisation)


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@roles_required(*EDITORS)
def withdraw(enrolment_id):
    enrolment = queries.get_enrolment_or_404(current_user, enrolment_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_enrolment(db.session, enrolment, current_user, form.reason.data)
        except DomainError as err:
            flash(err.message, "error")
            return redirect(url_for("organisations.detail", org_id=enrolment.organisation_id))
        flash(_("The enrolment at %(site)s is withdrawn.", site=enrolment.site.city), "success")
    return redirect(url_for("organisations.detail", org_id=enrolment.organisation_id))


@bp.route("/organisations/<int:org_id>/enrol", methods=["POST"])
@roles_required(Role.CONTACT)
def enrol(org_id):
    organisation = queries.get_organisation_or_404(current_user, org_id)
    sites = queries.sites_open_for(organisation)
    form = EnrolForm()
    form.site.choices = options((s.id, _site_label(s)) for s in sites)
    if form.validate_on_submit():
        site = next(s for s in sites if s.id == form.site.data)
        try:
            services.enrol_at_site(db.session, organisation, site, current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(_("Your registration for %(site)s is waiting for review.", site=_site_label(site)), "success")
    else:
        flash(_("Choose a site that takes registrations."), "error")
    return redirect(url_for("organisations.detail", org_id=organisation.id))


# --- participants -----------------------------------------------------------------------------


@bp.route("/organisations/<int:org_id>/participants")
@roles_required(*EVERYONE)
def participants(org_id):
    organisation = queries.get_organisation_or_404(current_user, org_id)
    search = request.args.get("q", "")[:100]
    page = queries.participants_page(organisation, _int_arg("page", 1), search)
    return render_template(
        "organisations/participants.html",
        organisation=organisation,
        page=page,
        search=search,
        can_edit=current_user.role in EDITORS,
    )


@bp.route("/organisations/<int:org_id>/participants/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new_participant(org_id):
    organisation = queries.get_organisation_or_404(current_user, org_id)
    form = ParticipantForm(preferred_language=queries.site_language(organisation) or default_language())
    if form.validate_on_submit():
        try:
            participant = services.add_participant(db.session, organisation, _participant_data(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("%(name)s added.", name=participant.name), "success")
            if request.form.get("and_another"):
                return redirect(url_for("organisations.new_participant", org_id=organisation.id))
            return redirect(url_for("organisations.participants", org_id=organisation.id))
    return render_form(
        "organisations/participant_form.html",
        form,
        organisation=organisation,
        participant=None,
        consent_text=participant_consent_text(),
    )


def _participant_data(form) -> services.ParticipantData:
    return services.ParticipantData(
        name=form.name.data or "",
        email=form.email.data or "",
        phone=form.phone.data or "",
        preferred_language=form.preferred_language.data or "",
        consent=bool(form.consent and form.consent.data),
    )


@bp.route("/organisations/<int:org_id>/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_participant(org_id, participant_id):
    participant = queries.get_participant_or_404(current_user, org_id, participant_id)
    form = ParticipantEditForm(obj=participant)
    if form.validate_on_submit():
        try:
            services.update_participant(db.session, participant, _participant_data(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("%(name)s saved.", name=participant.name), "success")
            return redirect(url_for("organisations.participants", org_id=org_id))
    return render_form(
        "organisations/participant_form.html",
        form,
        organisation=participant.organisation,
        participant=participant,
        consent_text=None,
    )


@bp.route("/organisations/<int:org_id>/participants/<int:participant_id>/delete", methods=["POST"])
@roles_required(*EDITORS)
def delete_participant(org_id, participant_id):
    participant = queries.get_participant_or_404(current_user, org_id, participant_id)
    name = participant.name
    services.remove_participant(db.session, participant)
    flash(_("%(name)s removed.", name=name), "success")
    return redirect(url_for("organisations.participants", org_id=org_id))


@bp.route("/organisations/<int:org_id>/participants/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def import_participants(org_id):
    """Upload a CSV -> see every row and every problem -> import all rows, or none."""
    organisation = queries.get_organisation_or_404(current_user, org_id)
    language = queries.site_language(organisation) or default_language()
    upload = ImportUploadForm()
    confirm = ImportConfirmForm()
    parsed = None
    if request.form.get("step") == "confirm":
        if confirm.validate_on_submit():
            parsed = participant_import.parse(db.session, organisation, confirm.csv_text.data, language)
            if parsed.ok:
                services.import_participants(db.session, organisation, parsed.rows)
                flash(_("%(n)d participants imported.", n=len(parsed.rows)), "success")
                return redirect(url_for("organisations.participants", org_id=organisation.id))
        else:
            abort(400)
    elif upload.validate_on_submit():
        text = participant_import.decode(upload.file.data.read())
        parsed = participant_import.parse(db.session, organisation, text, language)
        confirm.csv_text.data = text
    status = 422 if (upload.errors or (parsed and not parsed.ok)) else 200
    return (
        render_template(
            "organisations/import.html",
            organisation=organisation,
            upload=upload,
            confirm=confirm,
            parsed=parsed,
            columns=participant_import.COLUMN_LABELS,
            default_language=language,
        ),
        status,
    )


@bp.route("/organisations/participants-template.csv")
@roles_required(*EVERYONE)
def participants_template():
    return Response(
        participant_import.TEMPLATE_CSV,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=participants.csv"},
    )


# --- competences ------------------------------------------------------------------------------


@bp.route("/organisations/<int:org_id>/competences", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_competences(org_id):
    organisation = queries.get_organisation_or_404(current_user, org_id)
    catalogue = queries.competence_catalogue()
    form_class = competences_form_class(catalogue)
    form = form_class()
    if request.method == "GET":
        for entry in organisation.competences:
            direction = entry.direction.value
            getattr(form, f"{direction}_{entry.competence_id}").data = str(entry.level)
            getattr(form, f"{direction}_note_{entry.competence_id}").data = entry.note
    if form.validate_on_submit():
        choices = []
        for competence in catalogue:
            for direction in CompetenceDirection:
                level = int(getattr(form, f"{direction.value}_{competence.id}").data or 0)
                if level:
                    choices.append(
                        services.CompetenceChoice(
                            competence_id=competence.id,
                            direction=direction,
                            level=level,
                            note=getattr(form, f"{direction.value}_note_{competence.id}").data or "",
                        )
                    )
        try:
            services.set_competences(db.session, organisation, choices)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Competences saved."), "success")
            return redirect(url_for("organisations.detail", org_id=organisation.id))
    return render_form("organisations/competences_form.html", form, organisation=organisation, catalogue=catalogue)


@bp.route("/competences", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def competences():
    languages = services.catalogue_languages(db.session)
    form = CompetenceForm(text_languages=languages)
    if form.validate_on_submit():
        try:
            competence = services.add_competence(
                db.session, form.name.data.only(languages), form.description.data.only(languages)
            )
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("“%(name)s” added to the catalogue.", name=competence.name), "success")
            return redirect(url_for("organisations.competences"))
    return render_form(
        "organisations/competences.html",
        form,
        catalogue=queries.competence_catalogue(),
        usage=queries.competence_usage(),
    )


def _competence_or_404(competence_id: int) -> Competence:
    competence = db.session.get(Competence, competence_id)
    if competence is None:
        abort(404)
    return competence


@bp.route("/competences/<int:competence_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_competence(competence_id):
    competence = _competence_or_404(competence_id)
    languages = services.catalogue_languages(db.session)
    form = CompetenceForm(obj=competence, text_languages=languages)
    if form.validate_on_submit():
        try:
            services.update_competence(
                db.session, competence, form.name.data.only(languages), form.description.data.only(languages)
            )
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Competence saved."), "success")
            return redirect(url_for("organisations.competences"))
    return render_form("organisations/competence_form.html", form, competence=competence)


@bp.route("/competences/<int:competence_id>/delete", methods=["POST"])
@roles_required(Role.COORDINATOR)
def delete_competence(competence_id):
    competence = _competence_or_404(competence_id)
    try:
        services.delete_competence(db.session, competence)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(_("Competence deleted."), "success")
    return redirect(url_for("organisations.competences"))

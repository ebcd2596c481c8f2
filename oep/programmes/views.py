"""Programme, site, module and committee pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oep.accounts.models import Role
from oep.core import storage, uploads
from oep.core.access import public, roles_required
from oep.core.errors import DomainError
from oep.core.forms import attach_error, render_form, show_problems
from oep.core.i18n import interface_languages
from oep.core.i18n_text import I18nText
from oep.core.uploads import store_image
from oep.extensions import db
from oep.organisations import queries as org_queries
from oep.programmes import queries, services
from oep.programmes.forms import CommitteeMemberForm, ModuleForm, ProgrammeForm, SiteForm
from oep.programmes.models import CommitteeCategory, CommitteeMember, Module, Programme, eu_co_funded

bp = Blueprint("programmes", __name__, url_prefix="/programmes")

STAFF = (Role.COORDINATOR, Role.TRAINER)


def _chosen_languages(form: ProgrammeForm, programme: Programme | None) -> list[str]:
    """The languages ticked (when the form was sent), else the programme's: the languages its
    texts are asked in, the main one first."""
    ticked = [code for code in (form.languages.data or []) if code in interface_languages()]
    if form.is_submitted():
        return ticked or ["en"]
    return (programme.languages if programme else ticked) or ["en"]


def _ask_texts_in(form: ProgrammeForm, programme: Programme | None) -> None:
    """Every interface language gets its inputs, those of the chosen languages shown (the page
    shows the others as they are ticked)."""
    chosen = _chosen_languages(form, programme)
    form.set_text_languages(chosen + [c for c in interface_languages() if c not in chosen], shown=chosen)


def _programme_data(form: ProgrammeForm, store_pictures: bool = False) -> services.ProgrammeData:
    """The form's values, the texts in the languages ticked; uploaded pictures are stored (and
    named in the data) only when ``store_pictures``, once the form has read everything."""
    languages = form.languages.data or []
    return services.ProgrammeData(
        name=form.name.data.only(languages),
        description=form.description.data.only(languages),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        languages=languages,
        registration_open=form.registration_open.data,
        completion_min_attendance_percent=form.completion_min_attendance_percent.data,
        completion_requires_mandatory_modules=form.completion_requires_mandatory_modules.data,
        left_early_credit_percent=form.left_early_credit_percent.data,
        warning_min_held_sessions=form.warning_min_held_sessions.data,
        warning_consecutive_absences=form.warning_consecutive_absences.data,
        checkin_opens_minutes=form.checkin_opens_minutes.data,
        checkin_grace_minutes=form.checkin_grace_minutes.data,
        checkin_code_seconds=form.checkin_code_seconds.data,
        certificate_signatory_name=form.certificate_signatory_name.data or "",
        certificate_signatory_title=form.certificate_signatory_title.data.only(languages),
        funder_acknowledgement=form.funder_acknowledgement.data.only(languages),
        emblem_file=store_image(form.emblem.data, "emblem") if store_pictures and form.emblem.data else None,
        certificate_signature_file=(
            store_image(form.certificate_signature.data, "certificate_signature")
            if store_pictures and form.certificate_signature.data
            else None
        ),
    )


def _wants_eu_wording(form: ProgrammeForm) -> bool:
    """The "EU's wording" button: the funder line becomes the EU's official wording of
    "Co-funded by the European Union" in each ticked language that is an EU language (the
    others keep what was typed), and the form is shown again, unsaved, to check."""
    if not (form.is_submitted() and request.form.get("use_eu_wording")):
        return False
    chosen = _chosen_languages(form, None)
    typed = form.funder_acknowledgement.data.as_dict()
    form.funder_acknowledgement.data = I18nText({**typed, **eu_co_funded(chosen).as_dict()}).ordered(chosen)
    return True


@bp.route("/")
@roles_required(*STAFF)
def index():
    return render_template("programmes/index.html", programmes=queries.programmes_for(current_user))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new():
    form = ProgrammeForm()
    if request.method == "GET":
        form.languages.data = ["en"]
        form.funder_acknowledgement.data = eu_co_funded(["en"])
    _ask_texts_in(form, None)
    if _wants_eu_wording(form):
        return render_form("programmes/programme_form.html", form, programme=None)
    if form.validate_on_submit():
        try:
            programme = services.create_programme(db.session, _programme_data(form, store_pictures=True))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Programme “%(name)s” created. Now add its sites and modules.", name=programme.name), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    elif form.is_submitted():
        show_problems(form, services.programme_problems(_programme_data(form)))
    return render_form("programmes/programme_form.html", form, programme=None)


@bp.route("/<int:programme_id>")
@roles_required(*STAFF)
def detail(programme_id):
    programme = queries.get_programme_or_404(current_user, programme_id)
    sites = queries.sites_of_programme_for(current_user, programme)
    checks = {site.id: queries.committee_check(site.committee_members) for site in sites}
    pending = org_queries.pending_counts_by_site([s.id for s in sites])
    return render_template(
        "programmes/detail.html",
        programme=programme,
        sites=sites,
        checks=checks,
        pending=pending,
        modules=queries.modules_of(programme),
    )


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit(programme_id):
    programme = queries.get_programme_or_404(current_user, programme_id)
    form = ProgrammeForm(obj=programme)
    _ask_texts_in(form, programme)
    if _wants_eu_wording(form):
        return render_form("programmes/programme_form.html", form, programme=programme)
    if form.validate_on_submit():
        try:
            services.update_programme(db.session, programme, _programme_data(form, store_pictures=True))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Programme saved."), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    elif form.is_submitted():
        show_problems(form, services.programme_problems(_programme_data(form)))
    return render_form("programmes/programme_form.html", form, programme=programme)


def _send_upload(name: str | None):
    key = uploads.key_of(name)
    if key is None:
        abort(404)
    try:
        return storage.send(key, max_age=3600)
    except FileNotFoundError:
        abort(404)


@bp.route("/<int:programme_id>/emblem")
@public
def emblem(programme_id):
    """The funder's emblem, shown on public pages and documents."""
    programme = db.session.get(Programme, programme_id)
    return _send_upload(programme.emblem_file if programme else None)


@bp.route("/<int:programme_id>/signature")
@roles_required(*STAFF)
def signature(programme_id):
    programme = queries.get_programme_or_404(current_user, programme_id)
    return _send_upload(programme.certificate_signature_file)


# --- sites ------------------------------------------------------------------------------------


def _trainer_choices():
    return [(u.id, f"{u.name} <{u.email}>") for u in queries.trainers()]


def _site_data(form: SiteForm, programme: Programme) -> services.SiteData:
    return services.SiteData(
        city=form.city.data.only(programme.languages),
        country=form.country.data or "",
        timezone=form.timezone.data or "",
        local_language=form.local_language.data or "",
        partner_organisation=form.partner_organisation.data or "",
        trainer_ids=form.trainers.data or [],
    )


@bp.route("/<int:programme_id>/sites/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new_site(programme_id):
    programme = queries.get_programme_or_404(current_user, programme_id)
    form = SiteForm(trainer_choices=_trainer_choices(), text_languages=programme.languages)
    if form.validate_on_submit():
        try:
            site = services.create_site(db.session, programme, _site_data(form, programme))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Site %(city)s added.", city=site.city), "success")
            return redirect(url_for("programmes.site", site_id=site.id))
    return render_form("programmes/site_form.html", form, programme=programme, site=None)


@bp.route("/sites/<int:site_id>")
@roles_required(*STAFF)
def site(site_id):
    site = queries.get_site_or_404(current_user, site_id)
    return render_template(
        "programmes/site.html",
        site=site,
        check=queries.committee_check(site.committee_members),
        enrolment_counts=org_queries.enrolment_counts(site.id),
        categories=list(CommitteeCategory),
    )


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_site(site_id):
    site = queries.get_site_or_404(current_user, site_id)
    form = SiteForm(obj=site, trainer_choices=_trainer_choices(), text_languages=site.programme.languages)
    if request.method == "GET":
        form.trainers.data = [t.id for t in site.trainers]
    if form.validate_on_submit():
        try:
            services.update_site(db.session, site, _site_data(form, site.programme))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Site saved."), "success")
            return redirect(url_for("programmes.site", site_id=site.id))
    return render_form("programmes/site_form.html", form, programme=site.programme, site=site)


# --- committee --------------------------------------------------------------------------------


def _committee_member_or_404(member_id: int) -> CommitteeMember:
    member = db.session.get(CommitteeMember, member_id)
    if member is None:
        abort(404)
    queries.get_site_or_404(current_user, member.site_id)
    return member


def _committee_member_data(form: CommitteeMemberForm) -> services.CommitteeMemberData:
    return services.CommitteeMemberData(
        name=form.name.data or "", organisation=form.organisation.data or "", category=form.category.data
    )


@bp.route("/sites/<int:site_id>/committee/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new_committee_member(site_id):
    site = queries.get_site_or_404(current_user, site_id)
    form = CommitteeMemberForm()
    if form.validate_on_submit():
        try:
            services.add_committee_member(db.session, site, _committee_member_data(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Committee member added."), "success")
            return redirect(url_for("programmes.site", site_id=site.id) + "#committee")
    return render_form("programmes/committee_form.html", form, site=site, member=None)


@bp.route("/committee/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_committee_member(member_id):
    member = _committee_member_or_404(member_id)
    form = CommitteeMemberForm(obj=member)
    if form.validate_on_submit():
        try:
            services.update_committee_member(db.session, member, _committee_member_data(form))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Committee member saved."), "success")
            return redirect(url_for("programmes.site", site_id=member.site_id) + "#committee")
    return render_form("programmes/committee_form.html", form, site=member.site, member=member)


@bp.route("/committee/<int:member_id>/delete", methods=["POST"])
@roles_required(Role.COORDINATOR)
def delete_committee_member(member_id):
    member = _committee_member_or_404(member_id)
    site_id = member.site_id
    services.remove_committee_member(db.session, member)
    flash(_("Committee member removed."), "success")
    return redirect(url_for("programmes.site", site_id=site_id) + "#committee")


# --- modules ----------------------------------------------------------------------------------


def _module_or_404(module_id: int) -> Module:
    module = db.session.get(Module, module_id)
    if module is None:
        abort(404)
    queries.get_programme_or_404(current_user, module.programme_id)
    return module


def _module_data(form: ModuleForm, programme: Programme) -> services.ModuleData:
    languages = programme.languages
    return services.ModuleData(
        title=form.title.data.only(languages),
        hours=form.hours.data,
        summary=form.summary.data.only(languages),
        learning_outcomes=form.learning_outcomes.data.only(languages),
        mandatory=form.mandatory.data,
    )


@bp.route("/<int:programme_id>/modules/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new_module(programme_id):
    programme = queries.get_programme_or_404(current_user, programme_id)
    form = ModuleForm(text_languages=programme.languages)
    if form.validate_on_submit():
        try:
            services.add_module(db.session, programme, _module_data(form, programme))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Module added."), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id) + "#modules")
    elif form.is_submitted():
        show_problems(form, services.module_problems(_module_data(form, programme), programme.languages))
    return render_form("programmes/module_form.html", form, programme=programme, module=None)


@bp.route("/modules/<int:module_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_module(module_id):
    module = _module_or_404(module_id)
    form = ModuleForm(obj=module, text_languages=module.programme.languages)
    if form.validate_on_submit():
        try:
            services.update_module(db.session, module, _module_data(form, module.programme))
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Module saved."), "success")
            return redirect(url_for("programmes.detail", programme_id=module.programme_id) + "#modules")
    elif form.is_submitted():
        show_problems(form, services.module_problems(_module_data(form, module.programme), module.programme.languages))
    return render_form("programmes/module_form.html", form, programme=module.programme, module=module)


@bp.route("/modules/<int:module_id>/move", methods=["POST"])
@roles_required(Role.COORDINATOR)
def move_module(module_id):
    module = _module_or_404(module_id)
    services.move_module(db.session, module, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("programmes.detail", programme_id=module.programme_id) + "#modules")


@bp.route("/modules/<int:module_id>/delete", methods=["POST"])
@roles_required(Role.COORDINATOR)
def delete_module(module_id):
    module = _module_or_404(module_id)
    programme_id = module.programme_id
    try:
        services.delete_module(db.session, module)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(_("Module deleted."), "success")
    return redirect(url_for("programmes.detail", programme_id=programme_id) + "#modules")

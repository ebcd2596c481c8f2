"""Pairing pages: suggestions with their reasons, editing and confirming them, the rules,
each pairing's workspace, and the programme's overview."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oep.accounts.models import Role
from oep.core.access import roles_required
from oep.core.errors import DomainError
from oep.core.forms import attach_error, options
from oep.extensions import db
from oep.pairings import queries, services
from oep.pairings.forms import (
    ConstraintForm,
    EndForm,
    ManualPairForm,
    MeetingForm,
    ProjectForm,
    RulesForm,
    RunForm,
    SwapForm,
)
from oep.pairings.matching import Reason
from oep.pairings.models import ConstraintKind, PairConstraint, Pairing, PairingStatus, ProjectStatus
from oep.programmes import queries as programme_queries
from oep.programmes.models import Site
from oep.scheduling import queries as scheduling_queries
from oep.scheduling.forms import SimpleActionForm

bp = Blueprint("pairings", __name__)

STAFF = (Role.COORDINATOR, Role.TRAINER)
EVERYONE = (Role.COORDINATOR, Role.TRAINER, Role.CONTACT)


def reason_label(reason: str) -> str:
    labels = {
        Reason.SAME_TYPE: _("all possible partners are of the same type"),
        Reason.NOT_MIGRANT_WITH_NON_MIGRANT: _("pairs join a migrant association with a non-migrant organisation"),
        Reason.NO_COMMON_LANGUAGE: _("no shared working language"),
        Reason.FORBIDDEN: _("a pair marked “never pair”"),
        Reason.EARLIER_EDITION: _("already paired in an earlier edition"),
        Reason.NO_ELIGIBLE_PARTNER: _("no partner the rules allow"),
        Reason.PARTNERS_TAKEN: _("every possible partner fits better with someone else"),
        Reason.ODD_NUMBER: _("an odd number of organisations, and no group of three the rules allow"),
    }
    return labels.get(Reason(reason), reason) if reason in Reason._value2member_map_ else reason


def _site_page(site: Site, status: int = 200, **forms):
    pairings = queries.site_pairings(site)
    all_ids = {m.organisation_id for p in pairings for m in p.members}
    run = queries.latest_run(site)
    unpaired_ids = [u["organisation_id"] for u in run.unpaired] if run else []
    accepted = services.accepted_ids(db.session, site)
    free = [i for i in accepted if i not in {m.organisation_id for p in pairings for m in p.members if m.current}]
    organisations = queries.organisations_by_id(set(accepted) | all_ids | set(unpaired_ids))
    profiles = services.profiles(db.session, list(all_ids))
    names = queries.competence_names()
    proposed = [p for p in pairings if p.status is PairingStatus.PROPOSED]
    rules = services.rules_for(db.session, site)
    explanations = {
        p.id: queries.explain([m.organisation for m in p.members], profiles, names)
        for p in pairings
        if len(p.members) >= 2
    }
    checks = {
        p.id: services.check_group(
            db.session, site, tuple(sorted(m.organisation_id for m in p.members)), rules, profiles
        ).broken
        for p in proposed
    }
    swap_form = forms.get("swap_form") or SwapForm()
    proposed_ids = sorted({m.organisation_id for p in proposed for m in p.members} | set(free))
    choices = [(0, _("Choose…"))] + [(i, organisations[i].name) for i in proposed_ids if i in organisations]
    swap_form.first.choices = swap_form.second.choices = options(choices)
    manual_form = forms.get("manual_form") or ManualPairForm()
    manual_form.organisation_ids.choices = options((i, organisations[i].name) for i in free if i in organisations)
    run_form = forms.get("run_form") or RunForm()
    taken = services.taken_ids(db.session, site)
    run_form.organisation_ids.choices = options(
        (i, organisations[i].name) for i in accepted if i in organisations and i not in taken
    )
    return render_template(
        "pairings/site.html",
        site=site,
        proposed=proposed,
        active=[p for p in pairings if p.status is PairingStatus.ACTIVE],
        ended=[p for p in pairings if p.status in (PairingStatus.COMPLETED, PairingStatus.DISSOLVED)],
        explanations=explanations,
        checks=checks,
        run=run,
        unpaired=[(organisations.get(u["organisation_id"]), u["reasons"]) for u in (run.unpaired if run else [])],
        free=[organisations[i] for i in free if i in organisations],
        progress=_progress([p.id for p in pairings]),
        run_form=run_form,
        swap_form=swap_form,
        manual_form=manual_form,
        action_form=SimpleActionForm(),
        reason_label=reason_label,
        rules=rules,
    ), status


@dataclass
class PairingProgress:
    """What a pairing has done: meetings logged, and its workshops (from the schedule)."""

    meetings: int
    workshops: scheduling_queries.WorkshopTally

    def __getattr__(self, name):  # pr.workshops_held, pr.people_reached … in the templates
        aliases = {"workshops_planned": "planned", "workshops_held": "held"}
        return getattr(self.workshops, aliases.get(name, name))


def _progress(pairing_ids: list[int]) -> dict[int, PairingProgress]:
    meetings = queries.meeting_counts(pairing_ids)
    workshops = scheduling_queries.workshop_tallies(pairing_ids)
    return {i: PairingProgress(meetings.get(i, 0), workshops[i]) for i in pairing_ids}


@bp.route("/sites/<int:site_id>/pairings")
@roles_required(*STAFF)
def site(site_id):
    return _site_page(programme_queries.get_site_or_404(current_user, site_id))


@bp.route("/sites/<int:site_id>/pairings/run", methods=["POST"])
@roles_required(*STAFF)
def run(site_id):
    site_ = programme_queries.get_site_or_404(current_user, site_id)
    form = RunForm()
    form.organisation_ids.choices = options((i, str(i)) for i in services.accepted_ids(db.session, site_))
    if not form.validate_on_submit():
        return _site_page(site_, 422, run_form=form)
    try:
        result = services.run_matcher(db.session, site_, current_user, form.organisation_ids.data or None)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("pairings.site", site_id=site_id))
    flash(
        _(
            "%(n)d organisations considered: suggestions ready (total fit "
            "%(total)d). Review them, change what you want, then confirm.",
            n=result.organisations,
            total=result.total_score,
        ),
        "success",
    )
    return redirect(url_for("pairings.site", site_id=site_id) + "#suggestions")


@bp.route("/sites/<int:site_id>/pairings/swap", methods=["GET", "POST"])
@roles_required(*STAFF)
def swap(site_id):
    """Preview swapping two organisations (the score change and any rule broken), then apply."""
    site_ = programme_queries.get_site_or_404(current_user, site_id)
    # The preview is a GET (a link that can be shared); only applying needs the CSRF token.
    form = SwapForm() if request.method == "POST" else SwapForm(request.args, meta={"csrf": False})
    ids = services.accepted_ids(db.session, site_)
    organisations = queries.organisations_by_id(ids)
    form.first.choices = form.second.choices = options([(0, "")] + [(i, organisations[i].name) for i in ids])
    if not form.validate():
        return _site_page(site_, 422, swap_form=form)
    try:
        if request.method == "POST" and request.form.get("apply"):
            preview = services.apply_swap(db.session, site_, form.first.data, form.second.data, current_user)
            change = preview.score_change
            flash(_("Swapped. Total fit %(change)+d.", change=change), "success")
            return redirect(url_for("pairings.site", site_id=site_id) + "#suggestions")
        _groups, preview = services.swap_plan(db.session, site_, form.first.data, form.second.data)
    except DomainError as err:
        db.session.rollback()
        attach_error(form, err)
        return _site_page(site_, 422, swap_form=form)
    return render_template(
        "pairings/swap_preview.html",
        site=site_,
        form=form,
        preview=preview,
        organisations=organisations,
        reason_label=reason_label,
    )


@bp.route("/sites/<int:site_id>/pairings/manual", methods=["POST"])
@roles_required(*STAFF)
def pair_manually(site_id):
    site_ = programme_queries.get_site_or_404(current_user, site_id)
    form = ManualPairForm()
    form.organisation_ids.choices = options((i, str(i)) for i in services.accepted_ids(db.session, site_))
    if form.validate_on_submit():
        try:
            _pairing, check = services.pair_manually(db.session, site_, form.organisation_ids.data or [], current_user)
        except DomainError as err:
            attach_error(form, err)
        else:
            if check.broken:
                flash(
                    _(
                        "Pairing added, but it breaks a rule: %(rules)s.",
                        rules="; ".join(reason_label(r) for r in check.broken),
                    ),
                    "warning",
                )
            else:
                flash(_("Pairing added (fit %(score)d).", score=check.score), "success")
            return redirect(url_for("pairings.site", site_id=site_id) + "#suggestions")
    return _site_page(site_, 422, manual_form=form)


@bp.route("/pairings/<int:pairing_id>/remove", methods=["POST"])
@roles_required(*STAFF)
def remove_suggestion(pairing_id):
    pairing = queries.get_pairing_or_404(current_user, pairing_id)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    try:
        services.remove_suggestion(db.session, pairing.site, pairing.id)
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("pairings.site", site_id=pairing.site_id) + "#suggestions")


@bp.route("/sites/<int:site_id>/pairings/confirm", methods=["POST"])
@roles_required(*STAFF)
def confirm(site_id):
    site_ = programme_queries.get_site_or_404(current_user, site_id)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    stmt = sa.select(Pairing).where(Pairing.site_id == site_.id, Pairing.status == PairingStatus.PROPOSED)
    one = request.form.get("pairing_id", type=int)
    if one:
        stmt = stmt.where(Pairing.id == one)
    confirmed = services.confirm(db.session, db.session.scalars(stmt).all(), current_user)
    if confirmed:
        flash(_("%(n)d pairing(s) confirmed; the organisations have been told by mail.", n=len(confirmed)), "success")
    else:
        flash(_("Nothing to confirm."), "info")
    return redirect(url_for("pairings.site", site_id=site_id))


# --- rules ----------------------------------------------------------------------------------------


def _constraint_form(site_: Site, formdata=None) -> ConstraintForm:
    form = ConstraintForm(formdata=formdata) if formdata is not None else ConstraintForm()
    orgs = queries.organisations_by_id(services.accepted_ids(db.session, site_))
    choices = [(0, _("Choose…"))] + sorted(((o.id, o.name) for o in orgs.values()), key=lambda c: c[1].casefold())
    form.organisation_a_id.choices = form.organisation_b_id.choices = options(choices)
    return form


def _rules_page(site_: Site, status=200, rules_form=None, constraint_form=None):
    programme = site_.programme
    if rules_form is None:
        rules_form = RulesForm(
            type_rule=programme.pairing_type_rule,
            common_language=programme.pairing_common_language,
            no_repeat=programme.pairing_no_repeat,
            allow_triads=programme.pairing_allow_triads,
        )
    return render_template(
        "pairings/rules.html",
        site=site_,
        rules_form=rules_form,
        constraint_form=constraint_form or _constraint_form(site_),
        constraints=queries.constraints_of(site_),
        action_form=SimpleActionForm(),
    ), status


@bp.route("/sites/<int:site_id>/pairings/rules", methods=["GET", "POST"])
@roles_required(*STAFF)
def rules(site_id):
    site_ = programme_queries.get_site_or_404(current_user, site_id)
    if request.method == "GET":
        return _rules_page(site_)
    if not current_user.is_coordinator:
        abort(403)
    form = RulesForm()
    if form.validate_on_submit():
        services.update_rules(
            db.session,
            site_.programme,
            type_rule=form.type_rule.data,
            common_language=form.common_language.data,
            no_repeat=form.no_repeat.data,
            allow_triads=form.allow_triads.data,
        )
        flash(_("Pairing rules saved for the whole programme."), "success")
        return redirect(url_for("pairings.rules", site_id=site_id))
    return _rules_page(site_, 422, rules_form=form)


@bp.route("/sites/<int:site_id>/pairings/constraints", methods=["POST"])
@roles_required(*STAFF)
def add_constraint(site_id):
    site_ = programme_queries.get_site_or_404(current_user, site_id)
    form = _constraint_form(site_, request.form)
    if form.validate_on_submit():
        try:
            services.add_constraint(
                db.session,
                site_,
                form.organisation_a_id.data,
                form.organisation_b_id.data,
                ConstraintKind(form.kind.data),
                form.note.data or "",
                current_user,
            )
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Rule added. It applies the next time the matcher runs."), "success")
            return redirect(url_for("pairings.rules", site_id=site_id))
    return _rules_page(site_, 422, constraint_form=form)


@bp.route("/pair-constraints/<int:constraint_id>/delete", methods=["POST"])
@roles_required(*STAFF)
def remove_constraint(constraint_id):
    constraint = db.session.get(PairConstraint, constraint_id)
    if constraint is None:
        abort(404)
    programme_queries.get_site_or_404(current_user, constraint.site_id)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    site_id = constraint.site_id
    services.remove_constraint(db.session, constraint)
    flash(_("Rule removed."), "success")
    return redirect(url_for("pairings.rules", site_id=site_id))


# --- the workspace --------------------------------------------------------------------------------


def _can_work_in(pairing: Pairing) -> bool:
    """Staff of the site, and the contacts of the pairing's organisations."""
    if current_user.is_contact:
        return any(m.organisation_id == current_user.organisation_id for m in pairing.members)
    return True  # get_pairing_or_404 has already scoped staff to their sites


def _workspace_page(pairing: Pairing, status=200, **forms):
    profiles = services.profiles(db.session, [m.organisation_id for m in pairing.members])
    project = pairing.project
    project_form = forms.get("project_form") or (
        ProjectForm(obj=project, status=project.status.value)
        if project
        else ProjectForm(status=ProjectStatus.IDEA.value)
    )
    return render_template(
        "pairings/workspace.html",
        pairing=pairing,
        explanation=queries.explain([m.organisation for m in pairing.members], profiles, queries.competence_names()),
        workshops=scheduling_queries.workshops_of_pairing(pairing.id),
        progress=_progress([pairing.id])[pairing.id],
        meeting_form=forms.get("meeting_form") or MeetingForm(),
        project_form=project_form,
        end_form=forms.get("end_form") or EndForm(),
        manage=not current_user.is_contact,
        can_work=_can_work_in(pairing) and pairing.status in (PairingStatus.ACTIVE, PairingStatus.COMPLETED),
    ), status


@bp.route("/pairings/<int:pairing_id>")
@roles_required(*EVERYONE)
def workspace(pairing_id):
    return _workspace_page(queries.get_pairing_or_404(current_user, pairing_id))


@bp.route("/pairings/<int:pairing_id>/meetings", methods=["POST"])
@roles_required(*EVERYONE)
def add_meeting(pairing_id):
    pairing = queries.get_pairing_or_404(current_user, pairing_id)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            services.add_meeting(
                db.session,
                pairing,
                services.MeetingData(
                    held_on=form.held_on.data,
                    attendees=form.attendees.data or "",
                    notes=form.notes.data or "",
                    next_steps=form.next_steps.data or "",
                ),
                current_user,
            )
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Meeting logged."), "success")
            return redirect(url_for("pairings.workspace", pairing_id=pairing_id) + "#meetings")
    return _workspace_page(pairing, 422, meeting_form=form)


@bp.route("/pairings/<int:pairing_id>/project", methods=["POST"])
@roles_required(*EVERYONE)
def save_project(pairing_id):
    pairing = queries.get_pairing_or_404(current_user, pairing_id)
    form = ProjectForm()
    if form.validate_on_submit():
        try:
            services.save_project(
                db.session,
                pairing,
                services.ProjectData(
                    title=form.title.data,
                    description=form.description.data or "",
                    target_group=form.target_group.data or "",
                    resources_needed=form.resources_needed.data or "",
                    status=ProjectStatus(form.status.data),
                ),
                current_user,
            )
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Project idea saved."), "success")
            return redirect(url_for("pairings.workspace", pairing_id=pairing_id) + "#project")
    return _workspace_page(pairing, 422, project_form=form)


@bp.route("/pairings/<int:pairing_id>/end", methods=["POST"])
@roles_required(*STAFF)
def end(pairing_id):
    pairing = queries.get_pairing_or_404(current_user, pairing_id)
    form = EndForm()
    if form.validate_on_submit():
        try:
            services.end(db.session, pairing, PairingStatus(form.status.data), form.reason.data, current_user)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("The pairing is now: %(status)s.", status=pairing.status.label), "success")
            return redirect(url_for("pairings.workspace", pairing_id=pairing_id))
    return _workspace_page(pairing, 422, end_form=form)


@bp.route("/pairing")
@roles_required(Role.CONTACT)
def mine():
    pairing = queries.current_pairing_of(current_user.organisation_id)
    if pairing is not None:
        return redirect(url_for("pairings.workspace", pairing_id=pairing.id))
    return render_template("pairings/none_yet.html")


@bp.route("/programmes/<int:programme_id>/pairings")
@roles_required(*STAFF)
def programme_overview(programme_id):
    programme = programme_queries.get_programme_or_404(current_user, programme_id)
    pairings = queries.programme_pairings(current_user, programme)
    progress = _progress([p.id for p in pairings])
    return render_template(
        "pairings/programme.html",
        programme=programme,
        pairings=pairings,
        progress=progress,
        sites=programme_queries.sites_of_programme_for(current_user, programme),
    )

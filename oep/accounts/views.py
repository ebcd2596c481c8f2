"""Signing in and out, passwords, invitations and the list of staff accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from oep.accounts import services
from oep.accounts.forms import ChangePasswordForm, ForgotPasswordForm, InviteForm, LoginForm, NewPasswordForm
from oep.accounts.models import Role, User
from oep.core.access import public, roles_required, signed_in
from oep.core.errors import DomainError
from oep.core.forms import attach_error, options, render_form
from oep.core.i18n import chosen_in_this_browser, prefer_language
from oep.core.urls import safe_next_url
from oep.extensions import db
from oep.programmes.models import Programme, Site

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, form.email.data, form.password.data, ip=request.remote_addr)
        except DomainError as err:
            attach_error(form, err)
        else:
            services.remember_language(db.session, user, chosen_in_this_browser())
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("dashboard.index"))
    return render_form("accounts/login.html", form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data, ip=request.remote_addr)
        flash(
            _("If an account uses this address, a link to choose a new password is on its way."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_form("accounts/forgot_password.html", form)


def _set_password_page(token: str, purpose: str, max_age_key: str, template: str, done_message: str):
    try:
        user = services.user_from_token(db.session, token, purpose, current_app.config[max_age_key])
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("accounts.forgot_password"))
    prefer_language(user.locale)  # the page in the account's language, unless this browser chose one
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(db.session, user, form.password.data)
        except DomainError as err:
            attach_error(form, err)
        else:
            services.remember_language(db.session, user, chosen_in_this_browser())
            login_user(user)
            flash(done_message, "success")
            return redirect(url_for("dashboard.index"))
    return render_form(template, form, user=user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    return _set_password_page(
        token, "reset", "PASSWORD_RESET_MAX_AGE", "accounts/reset_password.html", _("Your new password is set.")
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    return _set_password_page(
        token,
        "invite",
        "INVITATION_MAX_AGE",
        "accounts/accept_invitation.html",
        _("Your account is ready. Welcome to OEP."),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, form.current_password.data, form.password.data)
        except DomainError as err:
            attach_error(form, err)
        else:
            login_user(current_user._get_current_object())  # keep this session under the new token
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("dashboard.index"))
    return render_form("accounts/change_password.html", form)


def _site_choices():
    rows = db.session.execute(
        sa.select(Site.id, Site.city, Programme.name).join(Site.programme).order_by(Programme.name_key, Site.city_key)
    ).all()
    return [(site_id, f"{city} ({programme})") for site_id, city, programme in rows]


@bp.route("/people", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def users():
    form = InviteForm()
    form.sites.choices = options(_site_choices())
    if form.validate_on_submit():
        sites = db.session.scalars(sa.select(Site).where(Site.id.in_(form.sites.data or []))).all()
        try:
            user = services.invite_user(
                db.session,
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
                invited_by=current_user,
                sites=sites,
                locale=form.language.data or None,
            )
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("An invitation has been sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    staff = db.session.scalars(
        sa.select(User)
        .where(User.role.in_([Role.COORDINATOR, Role.TRAINER]))
        .options(sa.orm.selectinload(User.sites).joinedload(Site.programme))
        .order_by(User.role, User.name)
    ).all()
    return render_form("accounts/users.html", form, staff=staff)


@bp.route("/people/<int:user_id>/active", methods=["POST"])
@roles_required(Role.COORDINATOR)
def set_active(user_id):
    user = db.session.get(User, user_id)
    if user is None or user.role is Role.CONTACT:
        abort(404)
    active = request.form.get("active") == "1"
    try:
        services.set_active(db.session, user, active, current_user)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("accounts.users"))
    flash(
        _("%(name)s can sign in again.", name=user.name)
        if active
        else _("%(name)s can no longer sign in.", name=user.name),
        "success",
    )
    return redirect(url_for("accounts.users"))

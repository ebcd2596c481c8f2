"""Pages anyone can see, and the deployment's health check."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from oep.accounts import services as accounts
from oep.core import storage
from oep.core.access import public
from oep.core.i18n import is_interface_language
from oep.core.urls import safe_next_url
from oep.extensions import db
from oep.programmes.models import Programme

log = logging.getLogger(__name__)

bp = Blueprint("public", __name__)


@bp.route("/")
@public
def home():
    programmes = db.session.scalars(
        sa.select(Programme)
        .where(Programme.registration_open.is_(True))
        .options(selectinload(Programme.sites), selectinload(Programme.modules))
        .order_by(Programme.starts_on.desc())
    ).all()
    return render_template("public/home.html", programmes=programmes)


def _reason(exc: Exception) -> str:
    return type(exc).__name__ + ": " + (str(exc).splitlines() or [""])[0][:200]


@bp.route("/healthz")
@public
def healthz():
    """For load balancers and uptime checks: is the app up, and can it reach its database and
    the storage its files are kept in?"""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not healthy"
        log.warning("Health check: database unreachable: %s", exc)
        db.session.rollback()
        return {"status": "error", "database": "unreachable", "reason": _reason(exc)}, 503
    try:
        storage.current().exists("uploads/healthz")
    except Exception as exc:  # a store that cannot be asked (down, refused credentials)
        log.warning("Health check: storage unreachable: %s", exc)
        return {"status": "error", "database": "ok", "storage": "unreachable", "reason": _reason(exc)}, 503
    return {"status": "ok", "database": "ok", "storage": "ok"}


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Remember the chosen interface language in this browser (and for a signed-in user)."""
    code = request.form.get("lang", "")
    if is_interface_language(code):
        session["lang"] = code
        if current_user.is_authenticated:
            accounts.remember_language(db.session, current_user, code)
    return redirect(safe_next_url(request.form.get("next")) or url_for("public.home"))

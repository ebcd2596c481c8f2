"""Flask-Login wiring: loading the signed-in user from the session or the remember cookie."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from oep.accounts.models import User
from oep.extensions import db


def init_login(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        """``user_id`` is "<id>:<session token>"; a changed password changes the token and so
        signs out every other session and remember-me cookie."""
        ident, _, token = user_id.partition(":")
        if not ident.isdigit() or not token:
            return None
        user = db.session.get(User, int(ident))
        if user is None or not user.is_active or user.session_token != token:
            return None
        return user

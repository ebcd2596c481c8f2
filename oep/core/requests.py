"""The request cycle: one commit per request, at the end; security headers."""

from __future__ import annotations

import logging

from flask import request
from sqlalchemy.exc import IntegrityError

from oep.core.errors import InvalidInput, render_error
from oep.extensions import db

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def refuse_control_characters():
    """Refuse NUL bytes in any submitted value: no database can store them (PostgreSQL
    refuses them outright), and no person types them."""
    for values in (request.args, request.form):
        for value in values.values():
            if "\x00" in value:
                from flask_babel import gettext as _

                raise InvalidInput(_("The form contains characters that cannot be stored. Please retype the text."))
    return None


def init_app(app):
    app.before_request(refuse_control_characters)

    @app.after_request
    def commit_or_roll_back(response):
        """Commit what the request changed, once, if it succeeded; otherwise roll it back.

        Any answer of 400 or above (an error page, a form sent back with its errors) leaves
        the database as it was.
        """
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            log.exception("Commit refused by a database constraint")

            body, code = render_error(409)
            return app.make_response((body, code))
        return response

    @app.teardown_request
    def roll_back_on_exception(exc):
        if exc is not None:
            db.session.rollback()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

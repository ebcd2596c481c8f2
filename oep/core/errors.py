"""Domain errors and the error pages.

Services raise ``DomainError`` (or a subclass) with a message a person can read; views turn
it into a message next to a field or a flash. One left uncaught becomes an error page with its
status, in the app's layout, and the transaction is rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the programme was broken. ``field`` names the form field it concerns."""

    status_code = 409

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """Input that breaks a rule about the data (a missing name, a date out of order, ...).

    ``problems`` holds every problem a service found in the input at once, this one (the
    first) included, so that a form can show each next to its field and an import each by
    row and column; raise it with ``Problems.raise_if_any`` (``oep.core.validation``).
    """

    status_code = 400

    def __init__(self, message, field: str | None = None, *, problems: Sequence[InvalidInput] = ()):
        super().__init__(message, field)
        self.problems: list[InvalidInput] = list(problems) or [self]


class Conflict(DomainError):
    """The input is well formed but clashes with what is stored (a name already taken, a
    status that cannot change this way)."""

    status_code = 409


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Cannot process this"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Unavailable"),
}

ERROR_EXPLANATIONS = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have permission to see this page."),
    404: _l("There is nothing here, or you may not see it."),
    405: _l("This address does not accept that kind of request."),
    409: _l("This conflicts with the current state of the data."),
    413: _l("The file or form you sent is larger than allowed."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l("An unexpected error happened. It has been logged; please try again later."),
    503: _l("The service is unavailable right now. Please try again later."),
}


def render_error(code: int, message=None):
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
            message=message or ERROR_EXPLANATIONS.get(code, ERROR_EXPLANATIONS[500]),
        ),
        code,
    )


def register_error_handlers(app):
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400, _l("The form had expired or was sent from elsewhere. Please reload the page and try again.")
        )

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return render_error(exc.status_code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return {"error": exc.name, "message": exc.description}, exc.code
        # Unhandled exceptions arrive here as InternalServerError (Flask has logged them).
        return render_error(exc.code or 500)

"""OEP — the Organisational Empowerment Programme web application."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints and commands.

    The instance folder (configuration, SQLite database, uploads, outbox) is ``instance/`` at
    the project's top level unless ``instance_path`` or OEP_INSTANCE_PATH names another.
    """
    instance_path = instance_path or os.environ.get("OEP_INSTANCE_PATH")
    if instance_path is None and (_project_dir() / "pyproject.toml").exists():
        instance_path = str(_project_dir() / "instance")  # a source checkout
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)

    from oep.config import load_config

    load_config(app, test_config)
    _configure_logging(app)
    _trust_proxies(app)

    from oep.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    from oep.core.db import configure_engine

    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)

    from oep.core import i18n

    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)

    from oep.accounts import auth

    auth.init_login(app, login_manager)

    from oep.core import access, errors, requests, storage, templating

    storage.init_app(app)
    app.before_request(access.enforce_access)
    requests.init_app(app)
    errors.register_error_handlers(app)
    templating.init_app(app)

    _register_models()
    _register_blueprints(app)
    _register_commands(app)
    _register_job_handlers(app)
    from oep.core.pdf import warn_if_slow_fonts

    warn_if_slow_fonts()
    return app


def _project_dir() -> Path:
    return Path(__file__).resolve().parent.parent


def _migrations_dir() -> Path:
    """The Alembic migrations, inside the package: found wherever it is installed."""
    return Path(__file__).resolve().parent / "migrations"


def _trust_proxies(app: Flask) -> None:
    """Behind reverse proxies, take the visitor's address and scheme from the headers they add."""
    hops = int(app.config["TRUSTED_PROXIES"] or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _configure_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("oep").setLevel(logging.INFO)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _register_models() -> None:
    """Import every feature's models so that the metadata is complete."""
    import oep.accounts.models  # noqa: F401
    import oep.attendance.models  # noqa: F401
    import oep.certificates.models  # noqa: F401
    import oep.core.models  # noqa: F401
    import oep.feedback.models  # noqa: F401
    import oep.jobs.models  # noqa: F401
    import oep.organisations.models  # noqa: F401
    import oep.pairings.models  # noqa: F401
    import oep.programmes.models  # noqa: F401
    import oep.reports.models  # noqa: F401
    import oep.scheduling.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from oep.accounts.views import bp as accounts_bp
    from oep.attendance.views import bp as attendance_bp
    from oep.certificates.views import bp as certificates_bp
    from oep.dashboard.views import bp as dashboard_bp
    from oep.feedback.views import bp as feedback_bp
    from oep.jobs.views import bp as jobs_bp
    from oep.organisations.views import bp as organisations_bp
    from oep.pairings.views import bp as pairings_bp
    from oep.programmes.views import bp as programmes_bp
    from oep.public.views import bp as public_bp
    from oep.reports.views import bp as reports_bp
    from oep.scheduling.views import bp as scheduling_bp

    for bp in (
        public_bp,
        accounts_bp,
        dashboard_bp,
        programmes_bp,
        organisations_bp,
        scheduling_bp,
        attendance_bp,
        pairings_bp,
        jobs_bp,
        certificates_bp,
        feedback_bp,
        reports_bp,
    ):
        app.register_blueprint(bp)


def _register_commands(app: Flask) -> None:
    from oep.cli import register_commands

    register_commands(app)


def _register_job_handlers(app: Flask) -> None:
    """Every feature's background job kinds, known to each process (web or worker)."""
    from oep.certificates.jobs import JOB_HANDLERS as CERTIFICATE_JOBS
    from oep.jobs.services import register_handlers
    from oep.reports.jobs import JOB_HANDLERS as REPORT_JOBS

    for handlers in (CERTIFICATE_JOBS, REPORT_JOBS):
        register_handlers(app, handlers)

"""The ``flask --app oep oep ...`` command group; each feature adds its commands to it."""

from flask.cli import AppGroup

oep_cli = AppGroup("oep", help="OEP administration commands.")

# Features register their commands on import.
import oep.accounts.cli  # noqa: E402,F401
import oep.demo.cli  # noqa: E402,F401
import oep.jobs.worker  # noqa: E402,F401

"""The ``flask --app oep oep ...`` command group.

Each feature declares its commands in its own ``cli.py`` (a ``COMMANDS`` list of click
commands) without importing this module; ``register_commands`` collects them here, so the
registry is one-way: the root knows the features, no feature knows the root.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

from oep.accounts.cli import COMMANDS as ACCOUNTS_COMMANDS
from oep.certificates.cli import COMMANDS as CERTIFICATES_COMMANDS
from oep.core.cli import COMMANDS as CORE_COMMANDS
from oep.demo.cli import COMMANDS as DEMO_COMMANDS
from oep.worker import COMMANDS as WORKER_COMMANDS

FEATURE_COMMANDS = (*CORE_COMMANDS, *ACCOUNTS_COMMANDS, *CERTIFICATES_COMMANDS, *DEMO_COMMANDS, *WORKER_COMMANDS)


def register_commands(app: Flask) -> None:
    """Add the ``oep`` group, holding every feature's commands, to ``app``'s CLI."""
    group = AppGroup("oep", help="OEP administration commands.")
    for command in FEATURE_COMMANDS:
        group.add_command(command)
    app.cli.add_command(group)

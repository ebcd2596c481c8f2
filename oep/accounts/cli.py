"""``flask --app oep oep create-coordinator EMAIL``: the first account."""

import click
from flask.cli import with_appcontext

from oep.accounts import services
from oep.accounts.models import Role
from oep.core.errors import DomainError
from oep.extensions import db


@click.command("create-coordinator")
@with_appcontext
@click.argument("email")
@click.option("--name", default=None, help="Full name (default: the part of the address before @).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="OEP_NEW_COORDINATOR_PASSWORD",
    help="Asked for when not given (or set OEP_NEW_COORDINATOR_PASSWORD).",
)
def create_coordinator(email, name, password):
    """Create a coordinator account (who may then invite everyone else)."""
    try:
        user = services.create_user(
            db.session,
            email=email,
            name=name or email.split("@")[0],
            role=Role.COORDINATOR,
            password=password,
        )
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        problems = getattr(err, "problems", [err])
        raise click.ClickException("\n".join(str(problem.message) for problem in problems)) from None
    click.echo(f"Coordinator {user.email} created. Sign in at /login.")


COMMANDS = [create_coordinator]

"""``flask --app oep oep demo``: load the demo programme."""

import click
from flask import current_app
from flask.cli import with_appcontext

from oep.demo.load import CONTACT, COORDINATOR, TRAINER, clear_database, database_is_empty, load_demo
from oep.extensions import db


def print_logins(logins) -> None:
    click.echo("")
    click.echo("Demo log-ins (demo data only):")
    for role, email, password in logins:
        click.echo(f"  {role:<22} {email:<32} {password}")
    click.echo("")


@click.command("demo")
@with_appcontext
@click.option("--reset", is_flag=True, help="Delete everything in the database first.")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; otherwise just show the log-ins.")
def demo(reset, if_empty):
    """Fill an empty database with a realistic demo programme."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("The demo programme is not loaded in production.")
    known_logins = [("coordinator", *COORDINATOR), ("trainer (Palermo)", *TRAINER), ("organisation contact", *CONTACT)]
    if not database_is_empty(db.session):
        if if_empty:
            click.echo("The database already holds data; the demo is not loaded again.")
            print_logins(known_logins)
            return
        if not reset:
            raise click.ClickException("The database is not empty. Use --reset to delete everything and load the demo.")
        clear_database(db.session)
    summary = load_demo(db.session)
    db.session.commit()
    click.echo(
        f"Demo programme loaded: {summary.sites} sites, {summary.organisations} organisations, "
        f"{summary.participants} participants."
    )
    print_logins(summary.logins)


COMMANDS = [demo]

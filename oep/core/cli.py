"""``flask --app oep oep storage ...``: moving the stored files to another backend."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from oep.core import storage
from oep.core.storage import migrate
from oep.extensions import db


@click.group("storage")
def storage_group():
    """Where OEP keeps its files (uploads, certificates, reports)."""


def _progress_line(outcome: migrate.Outcome) -> str:
    share = 100 * outcome.done // outcome.total if outcome.total else 100
    return (
        f"{outcome.done}/{outcome.total} files ({share} %): {outcome.copied} copied, "
        f"{outcome.skipped} already there, {len(outcome.failures)} failed"
    )


@storage_group.command("migrate")
@click.option("--to", "backend", required=True, type=click.Choice(storage.BACKENDS), help="The backend to move to.")
@with_appcontext
def migrate_command(backend):
    """Copy every stored file from the current backend (OEP_STORAGE_BACKEND) to another,
    verified by its SHA-256. Run it again after an interruption: files already there are
    skipped. Nothing is deleted; switch OEP_STORAGE_BACKEND afterwards."""
    settings = storage.StorageSettings.of(current_app.config, backend=backend)
    if settings.backend == current_app.config["STORAGE_BACKEND"]:
        raise click.ClickException(f"The files are kept on {backend} already (OEP_STORAGE_BACKEND).")
    problem = settings.problem()
    if problem:
        raise click.ClickException(problem)
    source, target = storage.current(), storage.build(settings, in_app=True)
    click.echo(f"Moving the files from {source.name} to {target.name}.")
    in_place = sys.stdout.isatty()  # a terminal: one progress line, rewritten
    moves = migrate.move_all(source, target, commit=db.session.commit, rollback=db.session.rollback)
    outcome = migrate.Outcome()
    for outcome, key, status in moves:
        if status == migrate.FAILED:
            click.echo(("\n" if in_place else "") + f"{key}: FAILED, {outcome.failures[-1][1]}", err=True)
        if in_place or outcome.done % 100 == 0 or outcome.done == outcome.total:
            click.echo(("\r" if in_place else "") + _progress_line(outcome), nl=not in_place)
    if in_place:
        click.echo()
    if not outcome.total:
        click.echo("There are no files to move.")
    if outcome.failures:
        raise click.ClickException(
            f"{len(outcome.failures)} file(s) could not be moved (listed above); run the command again to retry them."
        )
    click.echo(
        f"Every file is on {backend} now, verified. Set OEP_STORAGE_BACKEND={backend} on every machine and "
        "restart them; the files in the old place are left as they were."
    )


COMMANDS = [storage_group]

"""Commands for the issuer's Open Badges keys."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from oep.certificates import issuer


@click.command("issuer-keys")
@with_appcontext
def issuer_keys():
    """List the issuer's keys (the first one signs; the others stay published)."""
    for key in issuer.all_keys():
        click.echo(f"{key.kid}\t{'signs' if key.private_key is not None else 'retired, published'}")


@click.command("rotate-issuer-key")
@with_appcontext
def rotate_issuer_key():
    """Make a new signing key; the current one is retired (its private key deleted, its public
    key still published, so that what it signed stays verifiable)."""
    old = issuer.signing_key()
    new = issuer.rotate()
    click.echo(f"Signing with {new.kid}; {old.kid} is retired and stays in the DID document.")


COMMANDS = [issuer_keys, rotate_issuer_key]

"""The RQ side of background jobs: the function a worker runs, and ``flask --app oep oep worker``.

It sits beside the app factory rather than in ``oep.jobs`` because a worker started without
the Flask CLI (a plain ``rq worker``) has to build the app, and ``oep.jobs`` imports no feature.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from oep import create_app
from oep.jobs.services import queue, run

_app: Flask | None = None


def _application() -> Flask:
    """The Flask app of this worker process (the CLI's, or one built from the environment)."""
    global _app
    try:
        return current_app._get_current_object()
    except RuntimeError:
        if _app is None:
            _app = create_app()
        return _app


def run_queued(job_id: str) -> None:
    """Run the job ``job_id`` (a ``Job`` row's id) inside this worker's app context."""
    app = _application()
    with app.app_context():
        run(job_id)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
@with_appcontext
def worker(burst):
    """Run background jobs from the Redis queue (needs OEP_REDIS_URL)."""
    from rq import Worker  # lazy: rq is only needed where a worker runs

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("Set OEP_REDIS_URL to run a worker; without Redis, jobs run in the web process.")
    q = queue(app)
    click.echo(f"Worker listening on {app.config['REDIS_URL']} queue {q.name!r}")
    Worker([q], connection=q.connection).work(burst=burst, with_scheduler=False)


COMMANDS = [worker]

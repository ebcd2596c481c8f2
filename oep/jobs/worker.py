"""The RQ side: the function a worker runs, and ``flask --app oep oep worker``."""

from __future__ import annotations

import click
from flask import current_app

from oep.cli import oep_cli

_app = None


def _application():
    """The Flask app of this worker process (the CLI's, or one built from the environment)."""
    global _app
    try:
        return current_app._get_current_object()
    except RuntimeError:
        if _app is None:
            from oep import create_app

            _app = create_app()
        return _app


def run_queued(job_id: str) -> None:
    from oep.jobs.services import run

    app = _application()
    with app.app_context():
        run(job_id)


@oep_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
def worker(burst):
    """Run background jobs from the Redis queue (needs OEP_REDIS_URL)."""
    from rq import Worker

    from oep.jobs.services import queue

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("Set OEP_REDIS_URL to run a worker; without Redis, jobs run in the web process.")
    import oep.jobs.handlers  # noqa: F401  (registers every job kind)

    q = queue(app)
    click.echo(f"Worker listening on {app.config['REDIS_URL']} queue {q.name!r}")
    Worker([q], connection=q.connection).work(burst=burst, with_scheduler=False)

"""Submitting jobs and recording their progress.

A job is a row (``Job``) and a handler registered under its kind. Features declare their
handlers (a ``JOB_HANDLERS`` mapping in their ``jobs.py``) and the app factory registers them
on the app with ``register_handlers``; this package imports no feature. ``submit`` writes the row;
it is handed to the backend only when the request commits, so a worker never looks for a
job that is not there yet. The handler reports progress through ``Progress``, whose writes
are committed at once on their own connection, so that the progress bar moves while the
work goes on.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from oep.core.db import utcnow
from oep.extensions import db
from oep.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

_PENDING = "oep_pending_jobs"
_HANDLERS = "oep.job_handlers"
#: The function an RQ worker runs for each job (it builds the app when run outside the CLI).
QUEUED_FUNCTION = "oep.worker.run_queued"

JobHandler = Callable[..., dict]


def register_handlers(app: Flask, handlers: Mapping[str, JobHandler]) -> None:
    """Make ``handlers`` known to ``app``: each maps a job kind (``"feature.action"``) to the
    function doing its work, called as ``fn(progress, **params)`` and returning a JSON-able
    result dict.

    Raises ``ValueError`` when a kind is registered twice.
    """
    known = app.extensions.setdefault(_HANDLERS, {})
    for kind, fn in handlers.items():
        if kind in known and known[kind] is not fn:
            raise ValueError(f"two handlers for jobs of kind {kind!r}")
        known[kind] = fn


def handlers_of(app: Flask) -> Mapping[str, JobHandler]:
    """The job kinds ``app`` can run, with their handlers."""
    return app.extensions.get(_HANDLERS, {})


def submit(session: Session, kind: str, params: dict, title: str, by) -> Job:
    """Record a job of ``kind`` with ``params`` (JSON-able keyword arguments of its handler);
    it is dispatched to the backend when ``session`` commits. ``by`` is the ``User`` who asked
    (or None). Returns the new ``Job``.

    Raises ``ValueError`` for a kind no handler is registered for (a programming error).
    """
    if kind not in handlers_of(current_app):
        raise ValueError(f"no handler for jobs of kind {kind!r}")
    job = Job(kind=kind, params=params, title=title, created_by_id=by.id if by else None)
    session.add(job)
    session.flush()
    session.info.setdefault(_PENDING, []).append((current_app._get_current_object(), job.id))
    return job


class Progress:
    """What a handler uses to report: the total, each item done, failures with reasons. Each
    report is committed at once on its own connection, so the progress bar moves while the
    handler's own transaction is still open."""

    def __init__(self, job_id: str):
        """Report on the job ``job_id``."""
        self.job_id = job_id

    def _update(self, **changes) -> None:
        with Session(db.engine) as own:
            job = own.get(Job, self.job_id)
            for key, value in changes.items():
                setattr(job, key, value)
            own.commit()

    def start(self, total: int) -> None:
        """Say how many items the job will go through (``total``), none done yet."""
        self._update(total=total, done=0)

    def advance(self, done: int, failures: list[dict] | None = None) -> None:
        """Count ``done`` more items as gone through, and record ``failures`` (dicts with the
        ``item`` concerned and the ``reason``, sentences a person reads) with them."""
        with Session(db.engine) as own:
            job = own.get(Job, self.job_id)
            job.done = min(job.done + done, max(job.total, job.done + done))
            if failures:
                job.failures = list(job.failures or []) + failures
            own.commit()


def run(job_id: str) -> None:
    """Run the job ``job_id`` to its end, in the current app context (a thread or a worker
    process): its status goes running, then done with the handler's result, or failed with
    the error (logged) when the handler raises. A job that is not queued (unknown, or taken by
    another worker) is skipped. Raises nothing."""
    with Session(db.engine) as own:
        job = own.get(Job, job_id)
        if job is None or job.status is not JobStatus.QUEUED:
            log.warning("Job %s is not waiting to run; skipped", job_id)
            return
        job.status, job.started_at = JobStatus.RUNNING, utcnow()
        kind, params = job.kind, dict(job.params or {})
        own.commit()
    progress = Progress(job_id)
    try:
        result = handlers_of(current_app)[kind](progress, **params)
    except Exception as exc:  # the job failed: record why, for the person waiting for it
        log.exception("Job %s (%s) failed", job_id, kind)
        db.session.rollback()
        with Session(db.engine) as own:
            job = own.get(Job, job_id)
            job.status, job.finished_at = JobStatus.FAILED, utcnow()
            job.error = f"{type(exc).__name__}: {exc}"[:2000] or _("The job failed.")
            own.commit()
        return
    finally:
        db.session.remove()
    with Session(db.engine) as own:
        job = own.get(Job, job_id)
        job.status, job.finished_at, job.result = JobStatus.DONE, utcnow(), result or {}
        own.commit()


# --- backends -------------------------------------------------------------------------------------

_executors: dict[int, ThreadPoolExecutor] = {}
_executors_lock = threading.Lock()


def _thread_executor(app) -> ThreadPoolExecutor:
    """One worker thread per app: jobs run one after another, beside the requests."""
    with _executors_lock:
        executor = _executors.get(id(app))
        if executor is None:
            executor = _executors[id(app)] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oep-job")
        return executor


def _run_in_thread(app, job_id: str) -> None:
    with app.app_context():
        try:
            run(job_id)
        except Exception:  # never let a job kill the worker thread
            log.error("Job %s crashed: %s", job_id, traceback.format_exc())


def redis_connection(app):
    """A Redis client for ``app``'s REDIS_URL."""
    from redis import Redis  # lazy: only installations with OEP_REDIS_URL talk to Redis

    return Redis.from_url(app.config["REDIS_URL"])


def queue(app):
    """The RQ queue (JOB_QUEUE on REDIS_URL) ``app``'s jobs go to, each given JOB_TIMEOUT
    seconds."""
    from rq import Queue  # lazy: rq is only needed with Redis (start-up time of every process)

    return Queue(app.config["JOB_QUEUE"], connection=redis_connection(app), default_timeout=app.config["JOB_TIMEOUT"])


def dispatch(app, job_id: str) -> None:
    """Hand the job ``job_id`` to ``app``'s backend: the RQ queue when REDIS_URL is set, else a
    thread of the web process (one at a time). Called after the commit that wrote the job;
    raises what the backend raises (e.g. Redis unreachable)."""
    if app.config.get("REDIS_URL"):
        queue(app).enqueue(QUEUED_FUNCTION, job_id, job_id=job_id, job_timeout=app.config["JOB_TIMEOUT"])
        log.info("Job %s queued on Redis", job_id)
    else:
        _thread_executor(app).submit(_run_in_thread, app, job_id)
        log.info("Job %s started in the web process", job_id)


@event.listens_for(Session, "after_commit")
def _dispatch_pending(session: Session) -> None:
    for app, job_id in session.info.pop(_PENDING, []):
        try:
            dispatch(app, job_id)
        except Exception:  # e.g. Redis down: the job stays queued and says so
            log.exception("Could not dispatch job %s", job_id)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)

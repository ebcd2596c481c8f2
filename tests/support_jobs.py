"""Helpers for tests that run background jobs: waiting for a job, and a real RQ worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from oep.extensions import db
from oep.jobs.models import Job
from tests.support import need
from tests.support_storage import storage_environment

PROJECT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("OEP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def wait_for_job(job_id: str, timeout: float = 120) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job is not None and job.status.finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish within {timeout} s")


def latest_job() -> Job:
    db.session.expire_all()
    return db.session.scalars(sa.select(Job).order_by(Job.created_at.desc())).first()


def redis_or_skip() -> str:
    try:
        from redis import Redis

        Redis.from_url(REDIS_URL).ping()
    except Exception as exc:  # no server, refused connection
        need(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


def worker_environment(app, queue: str) -> dict:
    cfg = app.config
    env = dict(os.environ)
    env.update(
        OEP_DATABASE_URL=cfg["SQLALCHEMY_DATABASE_URI"],
        OEP_SECRET_KEY=cfg["SECRET_KEY"],
        OEP_INSTANCE_PATH=app.instance_path,
        OEP_REDIS_URL=cfg["REDIS_URL"],
        OEP_JOB_QUEUE=queue,
        OEP_BASE_URL=cfg["BASE_URL"],
        OEP_MAIL_BACKEND="outbox",
        OEP_MAIL_OUTBOX_DIR=cfg["MAIL_OUTBOX_DIR"],
        OEP_RENDER_PROCESSES="1",
        OEP_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
    )
    env.update(storage_environment(cfg))
    return env


def unique_queue() -> str:
    return f"oep-test-{uuid.uuid4().hex[:8]}"


def run_worker_burst(app, queue: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """A real worker process: run the jobs waiting on ``queue``, then stop."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "oep", "oep", "worker", "--burst"],
        cwd=PROJECT,
        env=worker_environment(app, queue),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_worker(app, queue: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "oep", "oep", "worker"],
        cwd=PROJECT,
        env=worker_environment(app, queue),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

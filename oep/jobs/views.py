"""A job's progress page, and its state as JSON for the progress bar."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, url_for
from flask_login import current_user

from oep.core.access import signed_in
from oep.extensions import db
from oep.jobs.models import Job

bp = Blueprint("jobs", __name__)


def _job_or_404(job_id: str) -> Job:
    """A job is seen by whoever started it, and by coordinators."""
    job = db.session.get(Job, job_id)
    if job is None or not (current_user.is_coordinator or job.created_by_id == current_user.id):
        abort(404)
    return job


def job_state(job: Job) -> dict:
    return {
        "id": job.id,
        "title": job.title,
        "status": job.status.value,
        "status_label": str(job.status.label),
        "finished": job.status.finished,
        "total": job.total,
        "done": job.done,
        "percent": job.percent,
        "failures": job.failures or [],
        "error": job.error,
        "result": job.result or {},
        "next_url": (job.result or {}).get("next_url") or url_for("dashboard.index"),
    }


@bp.route("/jobs/<job_id>")
@signed_in
def detail(job_id):
    job = _job_or_404(job_id)
    return render_template("jobs/detail.html", job=job, state=job_state(job))


@bp.route("/jobs/<job_id>.json")
@signed_in
def state(job_id):
    response = jsonify(job_state(_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response

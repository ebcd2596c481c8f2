"""Issuing all certificates of a site as a background job: in the web process by default,
and on Redis with a separate worker process."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from oep.certificates import services
from oep.certificates.models import Certificate, CertificateKind
from oep.extensions import db
from oep.jobs.models import JobStatus
from tests.conftest import IsolatedClient, make_test_app
from tests.support_jobs import latest_job, redis_or_skip, run_worker_burst, unique_queue, wait_for_job


def kinds():
    return sorted((c.holder_name, c.kind.value) for c in db.session.scalars(sa.select(Certificate)))


EXPECTED = [("Jonas Berg", "participation"), ("Mette Jørgensen", "completion"), ("Ελένη Παπαδοπούλου", "completion")]


def test_bulk_issue_runs_in_the_background_with_progress(client, course_site, mailbox):
    site, trainer, people = course_site
    client.login(trainer)
    response = client.post(f"/sites/{site.id}/certificates/issue", data={"language": "", "mail": "y"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = wait_for_job(latest_job().id)
    assert job.status is JobStatus.DONE, job.error
    assert (job.done, job.total, job.failures) == (3, 3, [])
    assert job.result["issued"] == 3
    assert kinds() == EXPECTED
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Finished" in page and "3</span> / <span data-job-total>3" in page
    state = client.get(response.headers["Location"] + ".json").get_json()
    assert state["finished"] and state["percent"] == 100
    # Only the participant with an address gets hers by mail, with the PDF attached.
    [message] = mailbox.to("eleni@example.org")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_content()[:5] == b"%PDF-"
    # Issuing again finds nothing new to do.
    client.post(f"/sites/{site.id}/certificates/issue", data={"language": ""})
    again = wait_for_job(latest_job().id)
    assert (again.total, again.result["issued"]) == (0, 0)


def test_a_job_is_seen_only_by_whoever_started_it_and_coordinators(client_factory, course_site, make):
    site, trainer, people = course_site
    starter = client_factory().login(trainer)
    location = starter.post(f"/sites/{site.id}/certificates/issue", data={"language": ""}).headers["Location"]
    wait_for_job(latest_job().id)
    assert client_factory().login(make.trainer([site])).get(location).status_code == 404
    assert client_factory().login(make.coordinator()).get(location).status_code == 200


def test_rendering_in_parallel_processes_gives_the_same_certificates(app, course_site, monkeypatch):
    """Chunks rendered by two spawned processes, as a large batch would be."""
    site, trainer, people = course_site
    monkeypatch.setattr(services, "CHUNK_SIZE", 1)
    decisions = services.decisions_for_site(db.session, site)
    result = services.issue(db.session, site, decisions, trainer, processes=2)
    db.session.commit()
    assert result.failures == [] and len(result.issued) == 3
    assert kinds() == EXPECTED


def test_a_failed_chunk_is_reported_and_the_rest_issued(app, course_site, monkeypatch):
    site, trainer, people = course_site
    monkeypatch.setattr(services, "CHUNK_SIZE", 1)
    real = services.render_chunk

    def flaky(html, count, assets, embedded):
        if "Mette" in html:
            raise RuntimeError("the printer caught fire")
        return real(html, count, assets, embedded)

    monkeypatch.setattr(services, "render_chunk", flaky)
    result = services.issue(db.session, site, services.decisions_for_site(db.session, site), trainer)
    db.session.commit()
    assert [f["item"] for f in result.failures] == ["Mette Jørgensen"]
    assert "printer caught fire" in result.failures[0]["reason"]
    assert [c.holder_name for c in db.session.scalars(sa.select(Certificate).order_by(Certificate.holder_name))] == [
        "Jonas Berg",
        "Ελένη Παπαδοπούλου",
    ]


@pytest.mark.redis
def test_bulk_issue_on_redis_with_a_separate_worker(database_url, instance_dir, course_site, make):
    """The deployment set-up: the web app queues the job on Redis; a worker process started
    with `flask --app oep oep worker` does the work."""
    redis_url = redis_or_skip()
    queue = unique_queue()
    web = make_test_app(database_url, instance_dir, REDIS_URL=redis_url, JOB_QUEUE=queue)
    web.test_client_class = IsolatedClient
    site, trainer, people = course_site
    client = web.test_client().login(trainer)
    response = client.post(f"/sites/{site.id}/certificates/issue", data={"language": "de"})
    assert response.status_code == 302
    job = latest_job()
    assert job.status is JobStatus.QUEUED  # nothing runs in the web process
    finished = run_worker_burst(web, queue)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    job = wait_for_job(job.id, timeout=10)
    assert job.status is JobStatus.DONE, job.error
    assert (job.done, job.total) == (3, 3)
    assert kinds() == EXPECTED
    assert {c.language for c in db.session.scalars(sa.select(Certificate))} == {"de"}
    assert all(
        c.kind in (CertificateKind.COMPLETION, CertificateKind.PARTICIPATION)
        for c in db.session.scalars(sa.select(Certificate))
    )

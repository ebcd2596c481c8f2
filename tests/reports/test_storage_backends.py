"""Report files kept on each storage backend: made by the job, downloaded as stored, and
a file gone from the storage is said to be gone."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from oep.core import storage
from oep.extensions import db
from oep.reports import services
from oep.reports.models import ReportFile
from tests.reports.test_views import report_form
from tests.support_jobs import latest_job, wait_for_job


def test_report_files_download_as_stored_on_every_backend(any_storage, client, world):
    client.login(world.coordinator)
    client.post("/reports", data=report_form(world, f"site:{world.palermo.id}", formats=["xlsx", "csv"]))
    job = wait_for_job(latest_job().id)
    assert job.status.value == "done", job.error
    files = db.session.scalars(sa.select(ReportFile).order_by(ReportFile.id)).all()
    assert len(files) == 2
    for record in files:
        response = client.get(f"/reports/files/{record.id}")
        assert response.status_code == 200 and response.headers["Content-Length"] == str(record.size)
        assert hashlib.sha256(response.data).hexdigest() == record.sha256
    storage.current().delete(services.file_key(files[0]))
    db.session.commit()
    gone = client.get(f"/reports/files/{files[0].id}")
    assert gone.status_code == 410

"""Certificates kept on each storage backend (filesystem, database, S3): issued, downloaded
alone and in a ZIP exactly as stored, with the programme's emblem read from the same storage
into the PDF — also by the render processes of a bulk issue."""

from __future__ import annotations

import hashlib
import io
import zipfile

import sqlalchemy as sa
from pypdf import PdfReader

from oep.certificates import services
from oep.certificates.models import Certificate
from oep.core import storage
from oep.extensions import db

EMBLEM_SIZE = (120, 80)  # the emblem course_site uploads


def picture_sizes(pdf: bytes) -> set[tuple[int, int]]:
    return {(picture.image.width, picture.image.height) for picture in PdfReader(io.BytesIO(pdf)).pages[0].images}


def test_certificates_download_alone_and_zipped_on_every_backend(any_storage, client, course_site):
    site, trainer, people = course_site
    client.login(trainer)
    for who in ("eleni", "mette"):
        client.post(f"/sites/{site.id}/certificates/participants/{people[who].id}", data={"language": ""})
    first, second = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()

    one = client.get(f"/certificates/{first.id}.pdf")
    assert one.status_code == 200 and one.mimetype == "application/pdf"
    assert hashlib.sha256(one.data).hexdigest() == first.sha256
    assert one.headers["Content-Length"] == str(first.size) and one.headers["ETag"] == f'"{first.sha256}"'
    assert EMBLEM_SIZE in picture_sizes(one.data)
    unchanged = client.get(f"/certificates/{first.id}.pdf", headers={"If-None-Match": f'"{first.sha256}"'})
    assert unchanged.status_code == 304

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/sites/{site.id}/certificates.zip").get_data()))
    assert {hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()} == {first.sha256, second.sha256}

    storage.current().delete(services.file_key(second))
    db.session.commit()
    assert client.get(f"/certificates/{second.id}.pdf").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/sites/{site.id}/certificates.zip").get_data()))
    assert [hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()] == [first.sha256]


def test_render_processes_read_the_emblem_from_every_backend(any_storage, app, course_site, monkeypatch):
    site, trainer, people = course_site
    db.session.commit()  # on the database backend, the render processes see committed files only
    monkeypatch.setattr(services, "CHUNK_SIZE", 1)
    result = services.issue(db.session, site, services.decisions_for_site(db.session, site), trainer, processes=2)
    db.session.commit()
    assert result.failures == [] and len(result.issued) == 3
    for certificate in result.issued:
        stored = storage.current().read_bytes(services.file_key(certificate))
        assert hashlib.sha256(stored).hexdigest() == certificate.sha256
        assert EMBLEM_SIZE in picture_sizes(stored)

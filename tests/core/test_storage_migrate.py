"""``flask --app oep oep storage migrate --to ...``: every file moves to the other backend and
reads back the same; a second run skips what is there; an interrupted run goes on where it
stopped; a file that does not match its hash is reported and not copied."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from oep.core import storage
from oep.core.models import StoredFile, StoredFileChunk
from oep.core.storage import FilesystemStorage
from oep.extensions import db
from tests.support_storage import using_storage

FILES = {
    "uploads/3f2a.png": b"\x89PNG emblem",
    "certificates/1/ABCD-EFGH.pdf": b"%PDF-1.7 " + os.urandom(2000),
    "certificates/2/JKLM-NPQR.pdf": b"%PDF-1.7 " + os.urandom(3000),
    "reports/20261201-0a1b2c.xlsx": os.urandom(storage.CHUNK_SIZE * 2 + 5),
}


def migrate(app, backend: str):
    return app.test_cli_runner().invoke(args=["oep", "storage", "migrate", "--to", backend])


@pytest.fixture
def settings(app, tmp_path, s3_emulator):
    """A filesystem of its own for the test, and a new bucket, both configured at once."""
    return {"STORAGE_DIR": str(tmp_path / "files"), "UPLOAD_DIR": None, **s3_emulator.settings()}


def write_all(files: dict[str, bytes]) -> None:
    for key, content in files.items():
        storage.current().write(key, content)
    db.session.commit()


def read_all() -> dict[str, bytes]:
    store = storage.current()
    keys = [key for namespace in storage.NAMESPACES for key in store.keys(namespace)]
    return {key: store.read_bytes(key) for key in keys}


def test_every_file_goes_round_the_three_backends_unchanged(app, settings):
    with using_storage(app, "filesystem", **settings):
        write_all(FILES)
        moved = migrate(app, "database")
    assert moved.exit_code == 0, moved.output
    assert "4/4 files (100 %): 4 copied, 0 already there, 0 failed" in moved.output
    assert "Set OEP_STORAGE_BACKEND=database on every machine" in moved.output
    for there, to in (("database", "s3"), ("s3", "filesystem")):
        with using_storage(app, there, **settings):
            assert read_all() == FILES
            moved = migrate(app, to)
        assert moved.exit_code == 0, moved.output
    with using_storage(app, "filesystem", **settings):
        assert read_all() == FILES  # back where they started, which already held them
    assert "4/4 files (100 %): 0 copied, 4 already there, 0 failed" in moved.output


def test_a_second_run_copies_only_what_is_new(app, settings):
    with using_storage(app, "filesystem", **settings):
        write_all(FILES)
        assert migrate(app, "s3").exit_code == 0
        write_all({"reports/20261202-new.pdf": b"%PDF new"})
        again = migrate(app, "s3")
    assert again.exit_code == 0 and "5/5 files (100 %): 1 copied, 4 already there, 0 failed" in again.output
    with using_storage(app, "s3", **settings):
        assert read_all() == {**FILES, "reports/20261202-new.pdf": b"%PDF new"}


def test_an_interrupted_move_goes_on_where_it_stopped(app, settings, monkeypatch):
    with using_storage(app, "filesystem", **settings):
        write_all(FILES)
        real_write = storage.DatabaseStorage.write

        def store_down_for_reports(self, key, source):
            if key.startswith("reports/"):
                raise ConnectionError("the database went away")
            return real_write(self, key, source)

        monkeypatch.setattr(storage.DatabaseStorage, "write", store_down_for_reports)
        broken = migrate(app, "database")
        assert broken.exit_code == 1
        assert "reports/20261201-0a1b2c.xlsx: FAILED, the database went away" in broken.output
        assert "1 file(s) could not be moved" in broken.output
        monkeypatch.setattr(storage.DatabaseStorage, "write", real_write)
        resumed = migrate(app, "database")
    assert resumed.exit_code == 0, resumed.output
    assert "4/4 files (100 %): 1 copied, 3 already there, 0 failed" in resumed.output
    with using_storage(app, "database", **settings):
        assert read_all() == FILES


def test_a_file_that_does_not_match_its_hash_is_reported_and_not_copied(app, settings):
    with using_storage(app, "database", **settings):
        write_all(FILES)
        db.session.execute(
            sa.update(StoredFileChunk)
            .where(StoredFileChunk.file_id == select_file_id("certificates/1/ABCD-EFGH.pdf"))
            .values(data=b"%PDF-1.7 " + bytes(2000))  # as long as before, other bytes
        )
        db.session.commit()
        moved = migrate(app, "filesystem")
    assert moved.exit_code == 1
    assert "certificates/1/ABCD-EFGH.pdf: FAILED, the source's bytes do not match its recorded SHA-256" in moved.output
    assert "4/4 files (100 %): 3 copied, 0 already there, 1 failed" in moved.output
    folder = FilesystemStorage(dict(storage.StorageSettings.of(app.config | settings).folders))
    assert not folder.exists("certificates/1/ABCD-EFGH.pdf")
    assert folder.read_bytes("certificates/2/JKLM-NPQR.pdf") == FILES["certificates/2/JKLM-NPQR.pdf"]


def select_file_id(key: str):
    return sa.select(StoredFile.id).where(StoredFile.key == key).scalar_subquery()


def test_moving_to_where_the_files_are_or_to_an_unset_store_is_refused(app, tmp_path):
    with using_storage(app, "filesystem", STORAGE_DIR=str(tmp_path), UPLOAD_DIR=None):
        same = migrate(app, "filesystem")
        unset = migrate(app, "s3")
    assert same.exit_code == 1 and "The files are kept on filesystem already" in same.output
    assert unset.exit_code == 1 and "needs OEP_S3_BUCKET" in unset.output

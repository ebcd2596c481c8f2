"""The storage layer on each backend (filesystem, database, S3 on an emulator): what is written
reads back the same, streamed, with its SHA-256; a write is whole or not at all; keys stay in
their place; the settings say what is wrong with them."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
import sqlalchemy as sa

from oep.core import storage
from oep.core.models import StoredFile, StoredFileChunk
from oep.core.storage import CHUNK_SIZE, InvalidKey, Written
from oep.extensions import db
from tests.conftest import make_test_app
from tests.support_storage import using_storage


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_file_reads_back_the_same_streamed_with_its_size_and_hash(any_storage):
    store = storage.current()
    data = os.urandom(3 * CHUNK_SIZE + 123)
    written = store.write("reports/20261201-big.pdf", data)
    db.session.commit()
    assert written == Written("reports/20261201-big.pdf", len(data), sha256(data))
    info = store.info("reports/20261201-big.pdf")
    assert info.size == len(data)
    assert info.sha256 == (None if any_storage == "filesystem" else sha256(data))
    with store.open_read("reports/20261201-big.pdf") as handle:
        pieces = list(iter(lambda: handle.read(100_000), b""))
    assert len(pieces) > 10 and b"".join(pieces) == data
    assert store.sha256("reports/20261201-big.pdf") == sha256(data)


@pytest.mark.parametrize("kind", ["file", "pieces"])
def test_a_file_can_be_written_from_a_stream_or_from_pieces(any_storage, kind):
    data = os.urandom(CHUNK_SIZE + 1000)
    source = io.BytesIO(data) if kind == "file" else (data[i : i + 7000] for i in range(0, len(data), 7000))
    written = storage.current().write("certificates/1/ABCD.pdf", source)
    db.session.commit()
    assert (written.size, written.sha256) == (len(data), sha256(data))
    assert storage.current().read_bytes("certificates/1/ABCD.pdf") == data


def test_files_are_listed_by_kind_and_deleted(any_storage):
    store = storage.current()
    for key in ("uploads/emblem.png", "certificates/2/B.pdf", "certificates/1/A.pdf", "reports/r.xlsx"):
        store.write(key, key.encode())
    db.session.commit()
    assert list(store.keys("certificates")) == ["certificates/1/A.pdf", "certificates/2/B.pdf"]
    assert list(store.keys("uploads")) == ["uploads/emblem.png"]
    store.delete("certificates/1/A.pdf")
    store.delete("certificates/1/A.pdf")  # gone already: nothing happens
    db.session.commit()
    assert not store.exists("certificates/1/A.pdf") and store.info("certificates/1/A.pdf") is None
    with pytest.raises(FileNotFoundError):
        store.open_read("certificates/1/A.pdf")
    assert store.exists("certificates/2/B.pdf")


def test_rewriting_a_file_replaces_it_whole(any_storage):
    store = storage.current()
    store.write("uploads/logo.png", b"first version, longer than the second")
    store.write("uploads/logo.png", b"second")
    db.session.commit()
    assert store.read_bytes("uploads/logo.png") == b"second"
    assert list(store.keys("uploads")) == ["uploads/logo.png"]


def test_a_write_that_fails_half_way_leaves_the_earlier_file_as_it_was(any_storage):
    store = storage.current()
    store.write("reports/r.pdf", b"the report as first made")
    db.session.commit()

    def breaks_half_way():
        yield b"x" * (CHUNK_SIZE + 10)
        raise RuntimeError("the renderer crashed")

    with pytest.raises(RuntimeError):
        store.write("reports/r.pdf", breaks_half_way())
    db.session.commit()  # the caller goes on: still nothing of the failed write is kept
    assert store.read_bytes("reports/r.pdf") == b"the report as first made"
    assert list(store.keys("reports")) == ["reports/r.pdf"]
    if any_storage == "filesystem":
        folder = store.path("reports/r.pdf").parent
        assert sorted(p.name for p in folder.iterdir()) == ["r.pdf"]  # no temporary file left


@pytest.mark.parametrize(
    "key",
    [
        "../secret_key",
        "uploads/../secret_key",
        "uploads/.hidden.png",
        "uploads/",
        "uploads",
        "/uploads/x.png",
        "uploads//x.png",
        "uploads/a b.png",
        "outbox/mail.eml",
        "issuer_keys/key-1.pem",
        "uploads/" + "x" * 600,
    ],
)
def test_a_key_outside_the_kinds_of_file_is_refused(any_storage, key):
    store = storage.current()
    with pytest.raises(InvalidKey):
        store.write(key, b"x")
    with pytest.raises(InvalidKey):
        store.open_read(key)


def test_a_database_file_appears_when_its_transaction_commits_and_never_after_a_rollback(app):
    with using_storage(app, "database"):
        store = storage.current()
        store.write("reports/kept.pdf", b"kept")
        store.write("reports/dropped.pdf", b"dropped")
        assert not store.exists("reports/kept.pdf")  # others do not see it before the commit
        db.session.rollback()
        assert not store.exists("reports/dropped.pdf")
        store.write("reports/kept.pdf", b"kept")
        db.session.commit()
        assert store.read_bytes("reports/kept.pdf") == b"kept"


def test_the_database_keeps_a_file_in_chunks_and_reads_one_chunk_at_a_time(app, count_queries):
    with using_storage(app, "database"):
        store = storage.current()
        data = os.urandom(2 * CHUNK_SIZE + 10)
        store.write("reports/big.zip", data)
        db.session.commit()
        chunks, largest = db.session.execute(
            sa.select(sa.func.count(), sa.func.max(sa.func.length(StoredFileChunk.data)))
        ).one()
        assert (chunks, largest) == (3, CHUNK_SIZE)
        row = db.session.scalar(sa.select(StoredFile).where(StoredFile.key == "reports/big.zip"))
        assert (row.size, row.sha256) == (len(data), sha256(data))
        with count_queries() as counter:
            handle = store.open_read("reports/big.zip")
            start = handle.read(1000)
            read_at_first = counter.count
            rest = handle.read()
        assert start + rest == data
        assert read_at_first == 1 and counter.count == 3  # the first chunk came with the file's row


def test_s3_objects_carry_their_hash_under_the_prefix(app, s3_emulator):
    import boto3

    settings = s3_emulator.settings()
    with using_storage(app, "s3", S3_PREFIX="oep/files", **settings):
        storage.current().write("uploads/emblem.png", b"picture")
        assert list(storage.current().keys("uploads")) == ["uploads/emblem.png"]
    client = boto3.client(
        "s3",
        endpoint_url=settings["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test-access-key",
        aws_secret_access_key="test-secret-key",
    )
    found = client.get_object(Bucket=settings["S3_BUCKET"], Key="oep/files/uploads/emblem.png")
    assert found["Body"].read() == b"picture" and found["Metadata"] == {"sha256": sha256(b"picture")}


def test_files_go_to_folders_in_the_instance_folder_unless_settings_say_otherwise(tmp_path, database_url):
    app = make_test_app(database_url, tmp_path / "instance", UPLOAD_DIR=None)
    with app.app_context():
        storage.current().write("uploads/a.png", b"a")
        storage.current().write("certificates/1/A.pdf", b"A")
    assert (tmp_path / "instance/uploads/a.png").read_bytes() == b"a"
    assert (tmp_path / "instance/certificates/1/A.pdf").read_bytes() == b"A"
    app = make_test_app(
        database_url,
        tmp_path / "other",
        UPLOAD_DIR=None,
        STORAGE_DIR=str(tmp_path / "shared"),
        REPORT_DIR=str(tmp_path / "r"),
    )
    with app.app_context():
        storage.current().write("uploads/b.png", b"b")
        storage.current().write("reports/b.pdf", b"b")
    assert (tmp_path / "shared/uploads/b.png").exists() and (tmp_path / "r/b.pdf").exists()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"STORAGE_BACKEND": "ftp"}, "OEP_STORAGE_BACKEND must be one of filesystem, database, s3"),
        ({"STORAGE_BACKEND": "s3"}, "needs OEP_S3_BUCKET"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "dns"}, "auto, path or virtual"),
    ],
)
def test_storage_settings_that_cannot_work_stop_the_start(tmp_path, database_url, settings, message):
    with pytest.raises(RuntimeError, match=message):
        make_test_app(database_url, tmp_path, **settings)

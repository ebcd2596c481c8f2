"""The database backend: files in ``stored_files``, their bytes in ``stored_file_chunks``."""

from __future__ import annotations

import contextlib
import hashlib
import io
import secrets
from collections.abc import Callable, Iterator
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from oep.core.models import StoredFile, StoredFileChunk
from oep.core.storage.base import FileInfo, Source, Storage, Written, blocks, check_key


class _ChunkReader(io.RawIOBase):
    """A stored file read from the database chunk by chunk, each chunk fetched when it is
    needed on a connection of its own (a download may outlive the request's session)."""

    def __init__(self, engine: sa.Engine, file_id: int, size: int, first: bytes | None):
        super().__init__()
        self.engine, self.file_id, self.size = engine, file_id, size
        self.buffer = memoryview(first or b"")
        self.next_seq = 1 if first is not None else 0
        self.position = 0

    def readable(self) -> bool:
        return True

    def _fetch(self) -> None:
        with self.engine.connect() as conn:
            data = conn.scalar(
                sa.select(StoredFileChunk.data).where(
                    StoredFileChunk.file_id == self.file_id, StoredFileChunk.seq == self.next_seq
                )
            )
        if data is None:
            raise OSError(f"stored file {self.file_id} ends at {self.position} of {self.size} bytes")
        self.buffer, self.next_seq = memoryview(data), self.next_seq + 1

    def readinto(self, target) -> int:
        if self.position >= self.size:
            return 0
        if not self.buffer:
            self._fetch()
        count = min(len(target), len(self.buffer))
        target[:count] = self.buffer[:count]
        self.buffer = self.buffer[count:]
        self.position += count
        return count


class DatabaseStorage(Storage):
    """Files in two tables: ``stored_files`` (key, size, SHA-256) and ``stored_file_chunks``
    (the bytes, ``CHUNK_SIZE`` per row). A write goes through ``session`` — the caller's: the
    file commits with the rows that name it, or not at all — and a write that fails half way
    leaves nothing of itself even when the caller goes on. Reads use ``engine`` directly: they
    see committed files only."""

    name = "database"

    def __init__(self, engine: sa.Engine, session: Callable[[], Session] | None = None):
        self.engine = engine
        self._session = session

    def write(self, key: str, source: Source) -> Written:
        check_key(key)
        if self._session is None:
            with Session(self.engine) as own, own.begin():
                return self._write(own, key, source)
        return self._write(self._session(), key, source)

    @staticmethod
    def _write(session: Session, key: str, source: Source) -> Written:
        # Written under a temporary key first (never a valid one), then renamed over the old
        # file: without savepoints (SQLite's driver cannot nest them), a failure half way
        # removes the new rows and leaves the old file as it was.
        temporary = f".partial/{secrets.token_hex(16)}"
        file_id = session.execute(
            sa.insert(StoredFile).values(key=temporary, size=0, sha256="").returning(StoredFile.id)
        ).scalar_one()
        digest, size = hashlib.sha256(), 0
        try:
            for seq, block in enumerate(blocks(source)):
                session.execute(sa.insert(StoredFileChunk), [{"file_id": file_id, "seq": seq, "data": block}])
                digest.update(block)
                size += len(block)
        except BaseException:
            # A database error has spoiled the transaction already: the caller rolls it back.
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                session.execute(sa.delete(StoredFileChunk).where(StoredFileChunk.file_id == file_id))
                session.execute(sa.delete(StoredFile).where(StoredFile.id == file_id))
            raise
        DatabaseStorage._delete(session, key)
        session.execute(
            sa.update(StoredFile).where(StoredFile.id == file_id).values(key=key, size=size, sha256=digest.hexdigest())
        )
        return Written(key, size, digest.hexdigest())

    def open(self, key: str) -> tuple[BinaryIO, FileInfo]:
        check_key(key)
        first = aliased(StoredFileChunk)
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(StoredFile.id, StoredFile.size, StoredFile.sha256, first.data)
                .outerjoin(first, sa.and_(first.file_id == StoredFile.id, first.seq == 0))
                .where(StoredFile.key == key)
            ).first()
        if found is None:
            raise FileNotFoundError(key)
        return _ChunkReader(self.engine, found.id, found.size, found.data), FileInfo(found.size, found.sha256)

    def info(self, key: str) -> FileInfo | None:
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(StoredFile.size, StoredFile.sha256).where(StoredFile.key == check_key(key))
            ).first()
        return FileInfo(found.size, found.sha256) if found else None

    def delete(self, key: str) -> None:
        check_key(key)
        if self._session is None:
            with Session(self.engine) as own, own.begin():
                self._delete(own, key)
        else:
            self._delete(self._session(), key)

    @staticmethod
    def _delete(session: Session, key: str) -> None:
        ids = sa.select(StoredFile.id).where(StoredFile.key == key).scalar_subquery()
        session.execute(sa.delete(StoredFileChunk).where(StoredFileChunk.file_id == ids))
        session.execute(sa.delete(StoredFile).where(StoredFile.key == key))

    def keys(self, namespace: str) -> Iterator[str]:
        with self.engine.connect() as conn:
            yield from conn.scalars(
                sa.select(StoredFile.key)
                .where(StoredFile.key.startswith(f"{namespace}/", autoescape=True))
                .order_by(StoredFile.key)
            ).all()

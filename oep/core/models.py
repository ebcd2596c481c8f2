"""Tables that belong to no single feature."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from oep.core.db import UTCDateTime, utcnow
from oep.extensions import db


class ThrottleEvent(db.Model):
    """One attempt counted against a key (a failed log-in for an address, a guess of a code).

    Kept in the database so that every worker process of a deployment sees the same counts.
    """

    __tablename__ = "throttle_events"
    __table_args__ = (sa.Index("ix_throttle_events_key_created_at", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoredFile(db.Model):
    """A file kept in the database (``STORAGE_BACKEND = "database"``, see ``oep.core.storage``):
    its key, size and SHA-256; its bytes are in ``StoredFileChunk`` rows."""

    __tablename__ = "stored_files"
    __table_args__ = (sa.CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(500), unique=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoredFileChunk(db.Model):
    """One piece of a stored file's bytes, in order (``seq`` from 0): no single value holds a
    whole file, and a download reads one piece at a time."""

    __tablename__ = "stored_file_chunks"
    __table_args__ = (sa.CheckConstraint("seq >= 0", name="seq_not_negative"),)

    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)

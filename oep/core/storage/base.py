"""What every storage backend does, and the keys files are stored under (see ``oep.core.storage``)."""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

#: The kinds of file OEP keeps; a key starts with one of them. A new kind of file is added here
#: (the filesystem backend lists these folders when files are moved to another backend).
NAMESPACES = ("uploads", "certificates", "reports")

#: Bytes per row of the database backend, and per block when streaming.
CHUNK_SIZE = 512 * 1024

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
MAX_KEY_LENGTH = 500


class InvalidKey(ValueError):
    """A key that names no file OEP could keep (an unknown namespace, ``..``, an empty part)."""


def check_key(key: str) -> str:
    """``key`` if it is a valid key — a known namespace, then one or more parts of letters,
    digits, ``.``, ``_`` and ``-`` that do not start with a dot — else ``InvalidKey``."""
    parts = key.split("/") if isinstance(key, str) else []
    if (
        len(key or "") > MAX_KEY_LENGTH
        or len(parts) < 2
        or parts[0] not in NAMESPACES
        or not all(_SEGMENT.fullmatch(part) for part in parts[1:])
    ):
        raise InvalidKey(f"not a storage key: {str(key)[:200]!r}")
    return key


@dataclass(frozen=True)
class FileInfo:
    """What the backend knows of a stored file: its size in bytes and its SHA-256 (hex), when
    the backend records it (the database and S3 do; the filesystem does not)."""

    size: int
    sha256: str | None


@dataclass(frozen=True)
class Written:
    """A file just written: its key, size in bytes and SHA-256 (hex)."""

    key: str
    size: int
    sha256: str


Source = bytes | BinaryIO | Iterable[bytes]


def blocks(source: Source, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The bytes of ``source`` (bytes, a binary file-like object or an iterable of bytes) in
    blocks of ``size`` bytes (the last one shorter)."""
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        for start in range(0, len(view), size):
            yield bytes(view[start : start + size])
        return
    if hasattr(source, "read"):
        while block := source.read(size):
            yield block
        return
    pending = bytearray()
    for piece in source:
        pending += piece
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    if pending:
        yield bytes(pending)


class Storage(ABC):
    """What every backend does. Keys are checked by ``check_key``; a missing file raises
    ``FileNotFoundError`` when read."""

    name: str

    @abstractmethod
    def write(self, key: str, source: Source) -> Written:
        """Store ``source`` (bytes, a binary file-like object or an iterable of bytes) under
        ``key``, replacing any file there, atomically; returns its size and SHA-256."""

    @abstractmethod
    def open(self, key: str) -> tuple[BinaryIO, FileInfo]:
        """The stored file, open for streaming, and what is known of it. Raises
        ``FileNotFoundError`` when there is none."""

    @abstractmethod
    def info(self, key: str) -> FileInfo | None:
        """What is known of the stored file, or ``None`` when there is none."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file (nothing happens when there is none)."""

    @abstractmethod
    def keys(self, namespace: str) -> Iterator[str]:
        """Every key stored in ``namespace``, in order."""

    def open_read(self, key: str) -> BinaryIO:
        """The stored file, open for streaming (``read(n)`` block by block; close it, or use it
        as a context manager). Raises ``FileNotFoundError`` when there is none."""
        return self.open(key)[0]

    def exists(self, key: str) -> bool:
        return self.info(key) is not None

    def read_bytes(self, key: str) -> bytes:
        """The whole file at once: only for small files (pictures for a printed document)."""
        with self.open_read(key) as handle:
            return handle.read()

    def sha256(self, key: str) -> str:
        """The SHA-256 of the stored bytes, worked out by reading them (streamed)."""
        digest = hashlib.sha256()
        with self.open_read(key) as handle:
            while block := handle.read(CHUNK_SIZE):
                digest.update(block)
        return digest.hexdigest()


def is_valid(key: str) -> bool:
    try:
        check_key(key)
    except InvalidKey:
        return False
    return True

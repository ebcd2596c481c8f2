"""Where OEP keeps its files: one storage layer, three backends.

Every file OEP keeps is written and read here by a key such as ``certificates/3/AB12CD.pdf``.
The key's first part is the kind of file (its namespace, one of ``NAMESPACES``): uploads
(emblems, signatures and their print-ready versions), issued certificates, report files,
session files and evidence packs; the rest is the name the feature chose.

``STORAGE_BACKEND`` picks where the bytes live:

- ``filesystem`` (the default): a folder per namespace under ``STORAGE_DIR`` (the instance
  folder unless set; ``UPLOAD_DIR``, ``CERTIFICATE_DIR`` and ``REPORT_DIR`` still name their own
  folders). Fine on one machine, or on several sharing a mount.
- ``database``: in the database itself (``stored_files`` and ``stored_file_chunks``), in chunks
  of ``CHUNK_SIZE`` bytes, so that machines sharing PostgreSQL need nothing else and no single
  value holds a whole file. A file written in a transaction appears when it commits, with the
  rows that refer to it.
- ``s3``: an S3-compatible object store (AWS S3, MinIO, Ceph RGW, ...) through boto3.

Whatever the backend: every write is atomic (a reader gets the old file, the whole new file or
nothing, never part of one) and returns the file's size and SHA-256; every read streams (a
file-like object read block by block, never the whole file at once unless asked for).
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context, request, send_file

from oep.core.db import configure_engine
from oep.core.storage.base import (
    CHUNK_SIZE,
    NAMESPACES,
    FileInfo,
    InvalidKey,
    Storage,
    Written,
    check_key,
    is_valid,
)
from oep.core.storage.database import DatabaseStorage
from oep.core.storage.filesystem import FilesystemStorage
from oep.core.storage.s3 import S3Storage
from oep.extensions import db

__all__ = [
    "BACKENDS",
    "CHUNK_SIZE",
    "NAMESPACES",
    "DatabaseStorage",
    "FileInfo",
    "FilesystemStorage",
    "InvalidKey",
    "S3Storage",
    "Storage",
    "StorageSettings",
    "Written",
    "build",
    "check_key",
    "current",
    "for_settings",
    "is_valid",
    "send",
]

BACKENDS = ("filesystem", "database", "s3")

#: The settings naming the folder of one namespace on the filesystem backend (kept from before
#: the storage layer, so that existing installations keep their folders).
FOLDER_SETTINGS = {"uploads": "UPLOAD_DIR", "certificates": "CERTIFICATE_DIR", "reports": "REPORT_DIR"}


@dataclass(frozen=True)
class StorageSettings:
    """Everything needed to open a backend, in a form that can be handed to another process
    (the render processes read uploads through it)."""

    backend: str
    folders: tuple[tuple[str, str], ...] = ()
    database_url: str = field(default="", repr=False)
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = field(default="", repr=False)
    s3_addressing_style: str = "auto"

    @classmethod
    def of(cls, config, backend: str | None = None) -> StorageSettings:
        """The settings in ``config`` (an app's), for its own backend or for ``backend``."""
        root = Path(config["STORAGE_DIR"])
        folders = tuple(
            (namespace, str(config.get(FOLDER_SETTINGS.get(namespace, "")) or root / namespace))
            for namespace in NAMESPACES
        )
        return cls(
            backend=backend or config["STORAGE_BACKEND"],
            folders=folders,
            database_url=config["SQLALCHEMY_DATABASE_URI"],
            s3_bucket=config.get("S3_BUCKET") or "",
            s3_prefix=config.get("S3_PREFIX") or "",
            s3_endpoint_url=config.get("S3_ENDPOINT_URL") or "",
            s3_region=config.get("S3_REGION") or "",
            s3_access_key_id=config.get("S3_ACCESS_KEY_ID") or "",
            s3_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or "",
            s3_addressing_style=config.get("S3_ADDRESSING_STYLE") or "auto",
        )

    def problem(self) -> str | None:
        """What keeps these settings from working, in a sentence for the operator; ``None``."""
        if self.backend not in BACKENDS:
            return f"OEP_STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, not {self.backend!r}."
        if self.backend == "s3" and not self.s3_bucket:
            return "The s3 storage backend needs OEP_S3_BUCKET (and the store's address and credentials)."
        if self.s3_addressing_style not in ("auto", "path", "virtual"):
            return "OEP_S3_ADDRESSING_STYLE must be auto, path or virtual."
        return None


def build(settings: StorageSettings, *, in_app: bool = False) -> Storage:
    """A backend for ``settings``. ``in_app``: the database backend uses the app's engine and
    writes in its session (``db.session``); without, it has an engine and transactions of its own."""
    if settings.backend == "filesystem":
        return FilesystemStorage(dict(settings.folders))
    if settings.backend == "database":
        if in_app:
            return DatabaseStorage(db.engine, lambda: db.session)
        return DatabaseStorage(_engine(settings.database_url))
    if settings.backend == "s3":
        return S3Storage(settings)
    raise ValueError(settings.problem())


@lru_cache(maxsize=4)
def _engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    configure_engine(engine)
    return engine


@lru_cache(maxsize=4)
def _standalone(settings: StorageSettings) -> Storage:
    return build(settings)


def current() -> Storage:
    """The storage of the current app (built once per process)."""
    app = current_app
    cached = app.extensions.get("oep.storage")
    if cached is None or cached[0] != os.getpid():
        cached = (os.getpid(), build(StorageSettings.of(app.config), in_app=True))
        app.extensions["oep.storage"] = cached
    return cached[1]


def for_settings(settings: StorageSettings) -> Storage:
    """The storage these settings describe: the current app's when they are its own, else one
    kept for this process (a render process has no app)."""
    if has_app_context() and StorageSettings.of(current_app.config) == settings:
        return current()
    return _standalone(settings)


def init_app(app) -> None:
    """Refuse to start with storage settings that cannot work."""
    problem = StorageSettings.of(app.config).problem()
    if problem:
        raise RuntimeError(problem)


def send(
    key: str,
    mimetype: str | None = None,
    *,
    download_name: str | None = None,
    as_attachment: bool = False,
    max_age: int | None = 0,
    etag: str | None = None,
):
    """A response streaming the stored file ``key`` (with its length; ``etag`` and ranges for
    conditional requests); ``mimetype`` by default from the key's extension. Raises
    ``FileNotFoundError`` when there is no such file."""
    mimetype = mimetype or mimetypes.guess_type(key)[0] or "application/octet-stream"
    handle, found = current().open(key)
    try:
        response = send_file(
            handle,
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            max_age=max_age,
            conditional=False,
            etag=False,
        )
        response.content_length = found.size
        if etag:
            response.set_etag(etag)
        return response.make_conditional(request, accept_ranges=True, complete_length=found.size)
    except BaseException:
        handle.close()
        raise

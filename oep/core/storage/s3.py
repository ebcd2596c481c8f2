"""The S3 backend: objects in a bucket of an S3-compatible store, through boto3."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from oep.core.storage.base import FileInfo, Source, Storage, Written, blocks, check_key, is_valid

if TYPE_CHECKING:
    from oep.core.storage import StorageSettings

#: Files larger than this are spooled to a temporary file before going to S3 (whose metadata,
#: holding the SHA-256, must be known before the upload starts), and sent in parts this large.
SPOOL_IN_MEMORY = 8 * 1024 * 1024


class S3Storage(Storage):
    """Objects in one bucket of an S3-compatible store, under ``prefix``. A PUT (or a multipart
    upload, above 8 MiB) makes the object appear whole when it completes; the SHA-256 goes with
    it as the object's metadata (``x-amz-meta-sha256``)."""

    name = "s3"

    def __init__(self, settings: StorageSettings):
        self.settings = settings
        self.bucket = settings.s3_bucket
        self.prefix = settings.s3_prefix.strip("/") + "/" if settings.s3_prefix.strip("/") else ""
        self._client = None
        self._client_pid = None

    @property
    def client(self):
        # One client per process: a worker forks its job processes, and a connection pool
        # must not be shared across a fork.
        if self._client is None or self._client_pid != os.getpid():
            self._client, self._client_pid = _s3_client(self.settings), os.getpid()
        return self._client

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    def write(self, key: str, source: Source) -> Written:
        name = self._object(key)
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            digest = hashlib.sha256(data).hexdigest()
            self.client.put_object(Bucket=self.bucket, Key=name, Body=data, Metadata={"sha256": digest})
            return Written(key, len(data), digest)
        hashing, size = hashlib.sha256(), 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            for block in blocks(source):
                hashing.update(block)
                size += len(block)
                spool.write(block)
            spool.seek(0)
            digest = hashing.hexdigest()
            self.client.upload_fileobj(
                spool, self.bucket, name, ExtraArgs={"Metadata": {"sha256": digest}}, Config=_transfer_config()
            )
        return Written(key, size, digest)

    def open(self, key: str) -> tuple[BinaryIO, FileInfo]:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._object(key))
        except Exception as exc:
            if _is_missing(exc):
                raise FileNotFoundError(key) from None
            raise
        return found["Body"], FileInfo(found["ContentLength"], found.get("Metadata", {}).get("sha256"))

    def info(self, key: str) -> FileInfo | None:
        try:
            found = self.client.head_object(Bucket=self.bucket, Key=self._object(key))
        except Exception as exc:
            if _is_missing(exc):
                return None
            raise
        return FileInfo(found["ContentLength"], found.get("Metadata", {}).get("sha256"))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object(key))

    def keys(self, namespace: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}{namespace}/"
        )
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix) :]
                if is_valid(key):
                    yield key


def _is_missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code")) in {"404", "NoSuchKey", "NotFound"}


def _s3_client(settings: StorageSettings):
    import boto3  # lazy: botocore takes a while to import, and only the S3 backend needs it
    from botocore.config import Config

    config = Config(
        s3={"addressing_style": settings.s3_addressing_style},
        # Checksums only where the API requires them: S3-compatible servers that predate
        # AWS's default CRC checksums (2025) refuse uploads that carry them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=5,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key or None,
        config=config,
    )


def _transfer_config():
    from boto3.s3.transfer import TransferConfig  # lazy: see _s3_client

    return TransferConfig(multipart_threshold=SPOOL_IN_MEMORY, multipart_chunksize=SPOOL_IN_MEMORY, max_concurrency=4)

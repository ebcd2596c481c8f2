"""The filesystem backend: a folder per kind of file, written through a temporary file and a rename."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

from oep.core.storage.base import FileInfo, Source, Storage, Written, blocks, check_key, is_valid


class FilesystemStorage(Storage):
    """A folder per namespace. A write goes to a hidden temporary file beside its target, is
    flushed to disk and renamed over it: a rename is atomic on POSIX filesystems (NFS and
    other shared mounts included), so readers see the old file or the new one."""

    name = "filesystem"

    def __init__(self, folders: dict[str, str]):
        self.folders = {namespace: Path(folder) for namespace, folder in folders.items()}

    def path(self, key: str) -> Path:
        namespace, rest = check_key(key).split("/", 1)
        return self.folders[namespace] / rest

    def write(self, key: str, source: Source) -> Written:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        digest, size = hashlib.sha256(), 0
        try:
            os.fchmod(fd, 0o644)
            with os.fdopen(fd, "wb") as handle:
                for block in blocks(source):
                    handle.write(block)
                    digest.update(block)
                    size += len(block)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Written(key, size, digest.hexdigest())

    def open(self, key: str) -> tuple[BinaryIO, FileInfo]:
        handle = self.path(key).open("rb")
        return handle, FileInfo(os.fstat(handle.fileno()).st_size, None)

    def info(self, key: str) -> FileInfo | None:
        try:
            stat = self.path(key).stat()
        except FileNotFoundError:
            return None
        return FileInfo(stat.st_size, None) if S_ISREG(stat.st_mode) else None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self, namespace: str) -> Iterator[str]:
        folder = self.folders[namespace]
        found = []
        for directory, subfolders, files in os.walk(folder):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            relative = Path(directory).relative_to(folder)
            for name in files:
                key = "/".join((namespace, *relative.parts, name))
                # Skipped: temporary files of a write under way (hidden, or .part from before).
                if not name.startswith(".") and not name.endswith(".part") and is_valid(key):
                    found.append(key)
        yield from sorted(found)

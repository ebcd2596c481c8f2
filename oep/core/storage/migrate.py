"""Moving every stored file from one backend to another, verified by hash and resumable.

Each file is streamed from the source into the target, then read back from the target and
its SHA-256 compared with the source's: equal, or the file is reported as failed (and the
source is left as it was — nothing is ever deleted here). A file the target holds already
with the same content is skipped, so that a move that was interrupted goes on where it
stopped when it is run again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from oep.core.storage.base import NAMESPACES, Storage

COPIED, SKIPPED, FAILED = "copied", "already there", "failed"


@dataclass
class Outcome:
    """What a move did, file by file: counts, and the keys that failed with the reason."""

    total: int = 0
    copied: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.copied + self.skipped + len(self.failures)


def every_key(store: Storage) -> list[str]:
    """Every key the backend holds, kind by kind."""
    return [key for namespace in NAMESPACES for key in store.keys(namespace)]


def _same(source: Storage, target: Storage, key: str) -> bool:
    """Whether the target holds the file already with the source's content."""
    there = target.info(key)
    if there is None:
        return False
    here = source.info(key)
    if here is None or here.size != there.size:
        return False
    return (here.sha256 or source.sha256(key)) == (there.sha256 or target.sha256(key))


def copy_one(source: Storage, target: Storage, key: str, commit: Callable[[], None]) -> str:
    """Copy one file (``COPIED``, or ``SKIPPED`` when the target has it already). Raises
    ``ValueError`` when the copy does not read back as the source's content."""
    if _same(source, target, key):
        return SKIPPED
    recorded = source.info(key)
    with source.open_read(key) as handle:
        written = target.write(key, handle)
    if recorded is not None and recorded.sha256 and recorded.sha256 != written.sha256:
        target.delete(key)
        commit()
        raise ValueError(f"the source's bytes do not match its recorded SHA-256 {recorded.sha256}")
    commit()
    read_back = target.sha256(key)
    if read_back != written.sha256:
        raise ValueError(f"read back as {read_back}, not {written.sha256}")
    return COPIED


def move_all(
    source: Storage,
    target: Storage,
    *,
    commit: Callable[[], None] = lambda: None,
    rollback: Callable[[], None] = lambda: None,
    keys: list[str] | None = None,
) -> Iterator[tuple[Outcome, str, str]]:
    """Copy every file of ``source`` (or those of ``keys``) to ``target``, one by one; yields
    the running outcome, the key and what happened to it after each file. ``commit`` makes a
    file written to the database backend final; ``rollback`` undoes a failed one."""
    keys = every_key(source) if keys is None else keys
    outcome = Outcome(total=len(keys))
    for key in keys:
        try:
            status = copy_one(source, target, key, commit)
        except Exception as exc:  # reported per file; the move goes on with the others
            rollback()
            outcome.failures.append((key, str(exc) or type(exc).__name__))
            status = FAILED
        else:
            if status == COPIED:
                outcome.copied += 1
            else:
                outcome.skipped += 1
        yield outcome, key, status

"""The folder's run lock: one indexing run (`index`, `watch`, `delete`, `optimize`) at a time, whatever the engine."""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexLockedError

# The lock file's name; the same file and the same flock() as Whoosh's FileStorage.lock() used before, so a run of
# an earlier release and one of this release still exclude each other.
RUN_LOCK = "newsarchive_RUN"


@contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's run lock for a whole indexing run; fail at once if another run holds it.

    The lock is an OS file lock, so a killed run never leaves it held.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / RUN_LOCK, os.O_CREAT | os.O_WRONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise IndexLockedError(
                f"the index at {folder} is being written by another newsarchive process; "
                "wait for it to finish, then run this again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

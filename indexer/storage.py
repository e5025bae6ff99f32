"""Opening and creating the index folder, and the run lock that keeps to one indexing run at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.filedb.filestore import FileStorage

from .errors import IndexLockedError, IndexNotFoundError, NewsArchiveError
from .schema import build_schema

DEFAULT_INDEX = "index"
INDEX_ENV = "NEWSARCHIVE_INDEX"
RUN_LOCK = "newsarchive_RUN"


def default_index_dir() -> Path:
    """Return the index folder: $NEWSARCHIVE_INDEX, else ./index."""
    return Path(os.environ.get(INDEX_ENV) or DEFAULT_INDEX)


def index_exists(index_dir: Path) -> bool:
    """Return whether the folder holds a Whoosh index."""
    return index_dir.is_dir() and index.exists_in(str(index_dir))


def open_index(index_dir: Path) -> Any:
    """Open an existing index for reading, or raise IndexNotFoundError saying how to make one."""
    if not index_exists(index_dir):
        raise IndexNotFoundError(
            f"no index at {index_dir}: build one with `newsarchive index PATH --index {index_dir}`"
        )
    try:
        return index.open_dir(str(index_dir))
    except (OSError, index.IndexError, EOFError, ValueError) as err:
        raise NewsArchiveError(f"cannot open the index at {index_dir}: {err}") from err


def open_or_create_index(index_dir: Path, rebuild: bool = False) -> Any:
    """Open the index for writing, creating it (or starting it afresh with rebuild=True)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    if rebuild or not index.exists_in(str(index_dir)):
        return index.create_in(str(index_dir), build_schema())
    return open_index(index_dir)


@contextmanager
def run_lock(index_dir: Path) -> Iterator[None]:
    """Hold the folder's run lock for a whole indexing run; fail at once if another run holds it.

    The lock is an OS file lock, so a killed run never leaves it held.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(index_dir)).lock(RUN_LOCK)
    if not lock.acquire(blocking=False):
        raise IndexLockedError(
            f"the index at {index_dir} is being written by another newsarchive process; "
            "wait for it to finish, then run this again"
        )
    try:
        yield
    finally:
        lock.release()

"""Opening and creating the Whoosh index in its folder (the run lock is indexer/runlock.py)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index
from whoosh.index import TOC

from ..errors import IndexNotFoundError, NewsArchiveError
from ..manifest import MANIFEST_NAME
from .codec import NewsCodec
from .schema import FACET_FIELDS, SCHEMA_VERSION, build_schema

T = TypeVar("T")
# A commit replaces the table of contents: an open that lists the old one may find it gone, and tries again.
_OPEN_TRIES = 10
_OPEN_PAUSE = 0.05


def _retrying(action: Callable[[], T]) -> T:
    for attempt in range(_OPEN_TRIES):
        try:
            return action()
        except FileNotFoundError:
            if attempt == _OPEN_TRIES - 1:
                raise
            time.sleep(_OPEN_PAUSE)
    raise AssertionError("unreachable")


def index_exists(index_dir: Path) -> bool:
    """Return whether the folder holds a Whoosh index."""
    return index_dir.is_dir() and _retrying(lambda: index.exists_in(str(index_dir)))


def open_index(index_dir: Path) -> Any:
    """Open an existing index for reading, or raise IndexNotFoundError saying how to make one."""
    if not index_exists(index_dir):
        raise IndexNotFoundError(
            f"no index at {index_dir}: build one with `newsarchive index PATH --index {index_dir}`"
        )
    check_version(index_dir)
    try:
        return _retrying(lambda: index.open_dir(str(index_dir)))
    except (OSError, index.IndexError, EOFError, ValueError) as err:
        raise NewsArchiveError(f"cannot open the index at {index_dir}: {err}") from err


def check_version(index_dir: Path) -> None:
    """Raise NewsArchiveError when the index was built by a version of newsarchive with another schema."""
    manifest = index_dir / MANIFEST_NAME
    if not manifest.exists():
        return
    try:
        with closing(sqlite3.connect(manifest)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.Error:
        return  # an unreadable manifest only costs the unchanged-file skipping; the index itself may be fine
    if row and str(row[0]) != str(SCHEMA_VERSION):
        raise NewsArchiveError(
            f"the index at {index_dir} was built by another version of newsarchive (schema {row[0]}, this one "
            f"reads {SCHEMA_VERSION}): rebuild it with `newsarchive index PATH --index {index_dir} --rebuild`"
        )


def leaf_readers(reader: Any) -> list[tuple[Any, int]]:
    """Return (segment reader, first document number) of each segment of an index reader; none when empty."""
    if reader.doc_count_all() == 0:
        return []  # a new index, or one whose every file failed: no segment yet
    return [(reader, 0)] if reader.is_atomic() else list(reader.leaf_readers())


def segment_count(ix: Any) -> int:
    """Return how many segments an open index has (0 when it is empty), from its table of contents.

    Opening a reader to count them would open every segment: at 1M articles (400 segments) that took 29 s and
    7.5 GB, the peak memory of a whole bulk load.
    """
    segments = TOC.read(ix.storage, ix.indexname).segments
    return len(segments) if sum(segment.doc_count_all() for segment in segments) else 0


@dataclass(frozen=True)
class CommitState:
    """The latest commit of an index, from its table of contents: live articles, when, and what marks it."""

    articles: int
    committed: datetime | None  # UTC; None when the index holds no segment
    marker: str  # the generation and each segment's id and deletions: another commit, another marker


def commit_state(ix: Any) -> CommitState:
    """Return the state of the index's latest commit (read again when a commit replaces the table meanwhile).

    Every answer of the web app asks for it twice (webapp/provenance.py), so the state is remembered by the table's
    file name, size and modification time: a listing of the folder and a stat, where reading the table unpickles
    every segment's description (a table replaced in place, by a restore, is another file)."""
    folder = getattr(ix.storage, "folder", None)

    def read() -> CommitState:
        generation = TOC._latest_generation(ix.storage, ix.indexname)
        name = TOC._filename(ix.indexname, generation)
        key = None
        if folder is not None and generation >= 0:
            found = (Path(folder) / name).stat()
            key = (name, found.st_ino, found.st_mtime_ns, found.st_size)
            remembered = _STATES.get((folder, ix.indexname))
            if remembered is not None and remembered[0] == key:
                return remembered[1]
        toc = TOC.read(ix.storage, ix.indexname, generation if generation >= 0 else None)
        # The table's own time: Whoosh records none inside it, and it is written once, by its commit.
        seconds = ix.storage.file_modified(TOC._filename(ix.indexname, toc.generation))
        segments = sorted((seg.segment_id(), seg.deleted_count()) for seg in toc.segments)
        live = sum(seg.doc_count() for seg in toc.segments)
        committed = datetime.fromtimestamp(int(seconds), UTC) if segments else None
        state = CommitState(live, committed, f"{toc.generation}:{segments}")
        if folder is not None and key is not None:
            _STATES[folder, ix.indexname] = (key, state)
        return state

    return _retrying(read)


# The latest commit's state of each index folder read in this process, by its table's name, file, time and size.
_STATES: dict[tuple[str, str], tuple[tuple[str, int, int, int], CommitState]] = {}


def news_codec() -> NewsCodec:
    """Return the codec new segments are written with (codec.py), the facets' fields written as tables too."""
    return NewsCodec(tables=FACET_FIELDS.values())


def writer(ix: Any, **kwargs: Any) -> Any:
    """Return a writer of the index that writes its segments with our codec; Whoosh's arguments as given."""
    return ix.writer(codec=news_codec(), **kwargs)


def open_or_create_index(index_dir: Path, rebuild: bool = False) -> Any:
    """Open the index for writing, creating it (or starting it afresh with rebuild=True)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    if rebuild or not index.exists_in(str(index_dir)):
        return index.create_in(str(index_dir), build_schema())
    return open_index(index_dir)

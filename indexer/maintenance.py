"""Maintenance of an index beside the indexing runs: deleting articles by id, merging its segments into one.

Both take the folder's run lock (runlock.py), as an indexing run does (build.py), and go through a SearchBackend;
a delete also forgets the articles in the manifest and the story clusters.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from .backend import Batch, SearchBackend
from .errors import ArticleNotFoundError
from .manifest import Manifest
from .runlock import run_lock
from .stories import StoryStore


@dataclass(frozen=True)
class DeleteReport:
    """Which ids were deleted and which were not in the index."""

    deleted: list[str]
    missing: list[str]


def delete_articles(backend: SearchBackend, ids: Iterable[str]) -> DeleteReport:
    """Delete articles by id."""
    wanted = list(dict.fromkeys(ids))
    backend.article_count()  # IndexNotFoundError before the lock, which would create the folder
    with run_lock(backend.folder):
        present = [i for i in wanted if _indexed(backend, i)]
        if present:
            backend.commit(Batch(deletes=present))
        manifest = Manifest(backend.folder, backend.schema_version)
        stories = StoryStore(backend.folder)
        try:
            manifest.forget(present)
            manifest.commit()
            stories.remove(present)
            stories.commit()
        finally:
            manifest.close()
            stories.close()
    return DeleteReport(deleted=present, missing=[i for i in wanted if i not in present])


def _indexed(backend: SearchBackend, article_id: str) -> bool:
    try:
        backend.article(article_id)
    except ArticleNotFoundError:
        return False
    return True


@dataclass(frozen=True)
class OptimizeReport:
    """How many segments the index had and has, and how long merging took."""

    segments_before: int
    segments_after: int
    seconds: float


def optimize_index(backend: SearchBackend) -> OptimizeReport:
    """Merge all segments into one, dropping deleted articles (searches get faster; see indexer/whoosh/merging.py)."""
    started = time.perf_counter()
    backend.article_count()  # IndexNotFoundError before the lock, which would create the folder
    with run_lock(backend.folder):
        before = backend.segment_count()
        backend.optimize()
        after = backend.segment_count()
    return OptimizeReport(before, after, time.perf_counter() - started)

"""Moving an archive from one backend to another (`newsarchive solr import --from-index DIR`), resumably.

Every article of the source is read in one stable order (oldest first, as an export reads them) and written to
the target in batches, each committed before a checkpoint in the target's folder records how far the copy got.
A copy that stops (a crash, Ctrl-C, a node down) starts again after the last committed batch when it is run
again; if the source changed meanwhile (another article count), it starts from the beginning. Writes are upserts
by id, so a batch written twice leaves one copy of each article. When the copy is done, the source's manifest is
copied too, so the next `newsarchive index` into the target skips the files that gave those articles, and so are
the stories (the articles keep their story ids, and later articles join those stories).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from .backend import Batch, SearchBackend
from .build import DEFAULT_BATCH_SIZE
from .manifest import MANIFEST_NAME
from .namestore import NAMES_NAME
from .request import Search
from .runlock import run_lock
from .stories import STORIES_NAME

CHECKPOINT = "newsarchive-import.json"


@dataclass(frozen=True)
class TransferReport:
    """What a copy did: the articles copied now, those a previous run had copied, and the time it took."""

    copied: int
    resumed_after: int
    total: int
    seconds: float


def transfer(source: SearchBackend, target: SearchBackend, batch_size: int = DEFAULT_BATCH_SIZE,
             progress: Callable[[int, int], None] | None = None) -> TransferReport:
    """Copy every article of source into target, committing batch by batch; resume an interrupted copy."""
    started = time.perf_counter()
    total = source.article_count()
    with run_lock(target.folder):
        target.prepare()
        checkpoint = target.folder / CHECKPOINT
        done = _resume_point(checkpoint, source, total)
        articles = source.iter_matches(Search(sort="oldest"), total)
        try:
            for _ in islice(articles, done):
                pass  # copied by an earlier run
            copied = 0
            while batch := list(islice(articles, batch_size)):
                target.commit(Batch(articles={a.id: (a, True) for a in batch}))
                copied += len(batch)
                _write_checkpoint(checkpoint, source, total, done + copied)
                if progress:
                    progress(done + copied, total)
        finally:
            close = getattr(articles, "close", None)
            if close:
                close()
        _copy_manifest(source.folder, target)
        _copy_stories(source.folder, target)
        _copy_names(source.folder, target)
        checkpoint.unlink(missing_ok=True)
    return TransferReport(copied, done, total, time.perf_counter() - started)


def _resume_point(checkpoint: Path, source: SearchBackend, total: int) -> int:
    try:
        saved = json.loads(checkpoint.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    same = saved.get("source") == str(source.folder.resolve()) and saved.get("total") == total
    return int(saved.get("done", 0)) if same else 0


def _write_checkpoint(checkpoint: Path, source: SearchBackend, total: int, done: int) -> None:
    partial = checkpoint.with_suffix(".tmp")
    partial.write_text(json.dumps({"source": str(source.folder.resolve()), "total": total, "done": done}),
                       encoding="utf-8")
    partial.replace(checkpoint)  # atomic: a crash leaves the old checkpoint or the new one


def _copy_manifest(source_folder: Path, target: SearchBackend) -> None:
    """Give the target the source's manifest (what each file gave), recorded as the target's schema version."""
    manifest = source_folder / MANIFEST_NAME
    if not manifest.exists() or source_folder.resolve() == target.folder.resolve():
        return
    copy = target.folder / MANIFEST_NAME
    shutil.copyfile(manifest, copy)
    with closing(sqlite3.connect(copy)) as db:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (target.schema_version,))
        db.commit()


def _copy_stories(source_folder: Path, target: SearchBackend) -> None:
    """Give the target the source's stories, so that articles indexed later join the stories already copied."""
    stories = source_folder / STORIES_NAME
    if stories.exists() and source_folder.resolve() != target.folder.resolve():
        shutil.copyfile(stories, target.folder / STORIES_NAME)


def _copy_names(source_folder: Path, target: SearchBackend) -> None:
    """Give the target the names the source's records stated, so that later runs look for them in texts too."""
    names = source_folder / NAMES_NAME
    if names.exists() and source_folder.resolve() != target.folder.resolve():
        shutil.copyfile(names, target.folder / NAMES_NAME)

"""`newsarchive watch`: keep an index up to date as files are added, changed and removed, until stopped.

Each pass is an ordinary indexing run with pruning: the manifest makes unchanged files cost a `stat`, so a pass
reads only what changed, and whatever a pass did not commit (a crash, a kill) the next pass or run picks up.
watchfiles (the OS's file notifications, or polling where there are none) says when to run a pass: after
changes settle for `debounce` milliseconds, so a folder copied in is one pass, not one per file, and at least
every `rescan` seconds in case a notification was missed. The folder's run lock is held throughout: this is the
one writer, and `newsarchive index` on the same index says so and stops. After each pass that indexed or deleted
something, `after_change` runs (the CLI sends the alerts, indexer/alerts.py); its failure is logged, never the end
of watching.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import watchfiles

from .backend import SearchBackend
from .build import IndexOptions, IndexReport, index_paths
from .runlock import run_lock

DEBOUNCE_MS = 1000
RESCAN_SECONDS = 60
log = logging.getLogger(__name__)


def watch_paths(
    paths: list[Path],
    backend: SearchBackend,
    options: IndexOptions,
    on_pass: Callable[[IndexReport], None],
    stop: threading.Event,
    debounce_ms: int = DEBOUNCE_MS,
    rescan_seconds: float = RESCAN_SECONDS,
    after_change: Callable[[], None] | None = None,
) -> int:
    """Index the paths, then again whenever files under them change, until `stop` is set; return the passes run.

    on_pass is called after each pass that read or removed a file (and after the first, whatever it did); then
    after_change, when the pass indexed or deleted articles (an exception from it is logged, and watching goes on).
    A pass in progress when `stop` is set runs to its end, so everything it read is committed.
    """
    options = replace(options, prune=True)
    index_dir = backend.folder
    index_dir.mkdir(parents=True, exist_ok=True)
    inside_index = str(index_dir.resolve())
    watch_filter = _Filter(inside_index)
    with run_lock(index_dir):
        report = index_paths(paths, backend, options, lock=False)
        on_pass(report)
        _after(report, after_change)
        passes = 1
        options = replace(options, rebuild=False)
        for _changes in watchfiles.watch(  # every set of changes, or none after rescan_seconds
            *paths, watch_filter=watch_filter, debounce=debounce_ms, stop_event=stop,
            rust_timeout=int(rescan_seconds * 1000), yield_on_timeout=True, raise_interrupt=False,
        ):
            if stop.is_set():
                break
            report = index_paths(paths, backend, options, lock=False)
            passes += 1
            if _changed(report):
                on_pass(report)
                _after(report, after_change)
    return passes


class _Filter(watchfiles.DefaultFilter):
    """watchfiles' default filter (editor swap files, .git, ...), and never the index's own files."""

    def __init__(self, index_dir: str) -> None:
        super().__init__()
        self.index_dir = index_dir

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if path == self.index_dir or path.startswith(self.index_dir + "/"):
            return False
        return bool(super().__call__(change, path))


def _after(report: IndexReport, after_change: Callable[[], None] | None) -> None:
    """Call after_change when the pass changed articles; whatever it raises is logged: watching goes on."""
    if after_change is None or not (report.added or report.updated or report.deleted):
        return
    try:
        after_change()
    except Exception:  # a bug in the callback or an unexpected error: reported, never the end of watching
        log.exception("after an indexing pass")


def _changed(report: IndexReport) -> bool:
    return bool(report.files_read or report.files_pruned or report.deleted)

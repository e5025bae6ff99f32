"""`newsarchive watch`: keep an index up to date as files are added, changed and removed, until stopped.

Each pass is an ordinary indexing run with pruning: the manifest makes unchanged files cost a `stat`, so a pass
reads only what changed, and whatever a pass did not commit (a crash, a kill) the next pass or run picks up.
watchfiles (the OS's file notifications, or polling where there are none) says when to run a pass: after
changes settle for `debounce` milliseconds, so a folder copied in is one pass, not one per file, and at least
every `rescan` seconds in case a notification was missed. The folder's run lock is held throughout: this is the
one writer, and `newsarchive index` on the same index says so and stops. After each pass that indexed or deleted
something, `after_change` runs (the CLI sends the alerts, indexer/alerts.py) in a thread of its own, so that
passes never wait for it (a webhook retrying for a minute); its failure is logged, never the end of watching.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import watchfiles

from .backend import SearchBackend
from .build import IndexOptions, IndexReport, index_paths
from .runlock import run_lock

DEBOUNCE_MS = 1000
RESCAN_SECONDS = 60
TICK_MS = 250  # how often the loop wakes with no change, to start the first pass and to see a rescan is due
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

    on_pass is called after each pass that read or removed a file (and after the first, whatever it did).
    after_change runs after each pass that indexed, updated or deleted articles, in a thread of its own, one call
    at a time (passes during a call make one more call after it); an exception from it is logged, and watching goes
    on. A pass in progress when `stop` is set runs to its end, so everything it read is committed, and so does the
    after_change it asks for.
    """
    options = replace(options, prune=True)
    index_dir = backend.folder
    index_dir.mkdir(parents=True, exist_ok=True)
    inside_index = str(index_dir.resolve())
    watch_filter = _Filter(inside_index)
    hook = _Hook(after_change) if after_change else None
    with run_lock(index_dir):
        passes = 0
        due = 0.0  # when a pass runs with no change seen: at once for the first, then every rescan_seconds
        # The watcher starts before the first pass reads the folder, so a file written during any pass is a change
        # it reports afterwards (it was missed until the rescan when the first pass ran before it started).
        for changes in watchfiles.watch(  # every set of changes, or none after each tick without any
            *paths, watch_filter=watch_filter, debounce=debounce_ms, stop_event=stop,
            rust_timeout=TICK_MS, yield_on_timeout=True, raise_interrupt=False,
        ):
            if stop.is_set():
                break
            if not changes and time.monotonic() < due:
                continue
            report = index_paths(paths, backend, options, lock=False)
            passes += 1
            if passes == 1 or _changed(report):
                on_pass(report)
                _after(report, hook)
            options = replace(options, rebuild=False)
            due = time.monotonic() + rescan_seconds
    if hook:  # not reached on an exception (a second Ctrl-C): the thread is a daemon, it ends with the process
        hook.close()
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


class _Hook:
    """Calls a function in a thread of its own when asked, one call at a time; asks during a call make one more."""

    def __init__(self, fn: Callable[[], None]) -> None:
        self.fn = fn
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.asked = self.closing = False
        self.thread = threading.Thread(target=self._loop, name="after-change", daemon=True)
        self.thread.start()

    def ask(self) -> None:
        """Have the function called (once, however often this is asked before it starts)."""
        with self.lock:
            self.asked = True
            self.wake.set()

    def close(self) -> None:
        """Let the call asked for run, then end the thread."""
        with self.lock:
            self.closing = True
            self.wake.set()
        self.thread.join()

    def _loop(self) -> None:
        while True:
            self.wake.wait()
            with self.lock:
                self.wake.clear()
                run, stop, self.asked = self.asked, self.closing, False
            if run:
                try:
                    self.fn()
                except Exception:  # a bug or an unexpected error: reported, never the end of watching
                    log.exception("after an indexing pass")
            if stop:
                return


def _after(report: IndexReport, hook: _Hook | None) -> None:
    """Ask for the hook when the pass changed articles."""
    if hook is not None and (report.added or report.updated or report.deleted):
        hook.ask()


def _changed(report: IndexReport) -> bool:
    return bool(report.files_read or report.files_pruned or report.deleted)

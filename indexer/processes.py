"""The worker processes of an indexing run: started by a forkserver that has imported the indexer once.

A worker started from a bare forkserver imports Whoosh, NLTK (which imports SciPy) and the indexer again: about
2 s of one core, paid by every worker of every batch. The forkserver imports them once (PRELOAD) and each worker
starts as a fork of it, with everything imported. forkserver, not fork: a forked worker would inherit the run's
locks' file descriptors, and one outliving a killed run would hold them, refusing every later run.

A run killed with SIGKILL takes its workers with it (`exit_with_run`, in the pools' initializer `start_worker`),
and the forkserver ends with its last worker.

An indexing run's processes collect cyclic garbage less often (`collecting_less`): a run makes millions of objects
that live (articles, postings, caches) and almost no cycles, and Python's default thresholds had the run's process
spend a tenth of its time, 0.8 s on Reuters, walking them again and again in full collections; 0.2 s with these.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from multiprocessing.context import BaseContext

# What the forkserver imports before it forks any worker: everything a worker of an indexing run uses.
PRELOAD = ["indexer.whoosh.backend"]
# gc.set_threshold while an indexing run's processes run (Python's default: 700, 10, 10).
GC_THRESHOLDS = (10_000, 50, 100)


class _Collecting:
    """The indexing runs of this process collecting less (collecting_less), and the thresholds from before them."""

    lock = threading.Lock()
    runs = 0
    before: tuple[int, int, int] = gc.get_threshold()


def worker_context() -> BaseContext:
    """Return the multiprocessing context indexing workers start in (the forkserver, with PRELOAD imported)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # takes effect when the forkserver starts (once per process)
    return context


def exit_with_run() -> None:
    """End this worker when the run that started it ends, killed or not: a thread waits on the run's sentinel
    (multiprocessing's, which a forkserver's workers also get). The pools of an indexing run start their workers
    with this; without it, a worker of a run killed with SIGKILL stayed blocked on its job queue, and kept the
    forkserver (which exits when the last of its clients does) with it."""
    run = multiprocessing.parent_process()
    if run is None:
        return

    def watch() -> None:
        wait([run.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-run", daemon=True).start()


def start_worker() -> None:
    """The initializer of an indexing run's workers: they end with the run (exit_with_run) and collect less."""
    exit_with_run()
    gc.freeze()  # what the forkserver imported: never garbage
    gc.set_threshold(*GC_THRESHOLDS)


@contextmanager
def collecting_less() -> Iterator[None]:
    """Collect cyclic garbage less often while an indexing run runs in this process (GC_THRESHOLDS; what exists
    already is set aside, gc.freeze), and as before when the last run of the process ends."""
    with _Collecting.lock:
        if _Collecting.runs == 0:
            _Collecting.before = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLDS)
        _Collecting.runs += 1
    try:
        yield
    finally:
        with _Collecting.lock:
            _Collecting.runs -= 1
            if _Collecting.runs == 0:
                gc.set_threshold(*_Collecting.before)
                gc.unfreeze()

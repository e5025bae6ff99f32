"""The worker processes of an indexing run: started by a forkserver that has imported the indexer once.

A worker started from a bare forkserver imports Whoosh, NLTK (which imports SciPy) and the indexer again: about
2 s of one core, paid by every worker of every batch. The forkserver imports them once (PRELOAD) and each worker
starts as a fork of it, with everything imported. forkserver, not fork: a forked worker would inherit the run's
locks' file descriptors, and one outliving a killed run would hold them, refusing every later run.

A run killed with SIGKILL takes its workers with it (`exit_with_run`, the pools' initializer), and the forkserver
ends with its last worker.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import wait
from multiprocessing.context import BaseContext

# What the forkserver imports before it forks any worker: everything a worker of an indexing run uses.
PRELOAD = ["indexer.whoosh.backend"]


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

"""The worker processes of an indexing run: started by a forkserver that has imported the indexer once.

A worker started from a bare forkserver imports Whoosh, NLTK (which imports SciPy) and the indexer again: about
2 s of one core, paid by every worker of every batch. The forkserver imports them once (PRELOAD) and each worker
starts as a fork of it, with everything imported. forkserver, not fork: a forked worker would inherit the run's
locks' file descriptors, and one outliving a killed run would hold them, refusing every later run.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

# What the forkserver imports before it forks any worker: everything a worker of an indexing run uses.
PRELOAD = ["indexer.languages", "indexer.whoosh.backend"]


def worker_context() -> BaseContext:
    """Return the multiprocessing context indexing workers start in (the forkserver, with PRELOAD imported)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # takes effect when the forkserver starts (once per process)
    return context

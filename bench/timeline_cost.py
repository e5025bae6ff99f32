"""What the timeline's day counts cost a search: median times with and without them, in one process.

    python -m bench.timeline_cost INDEX_DIR   (Reuters-21578, say: newsarchive index ../shared/data/reuters21578)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import click

from indexer.request import Search
from indexer.whoosh import WhooshBackend
from indexer.whoosh.facets import IndexView

RUNS = 30
QUERIES = ("", "oil", "trade deficit")


def main(index_dir: Path) -> None:
    """Print, for each query, the median search time with and without the day counts, and their ratio."""
    service = WhooshBackend(index_dir)
    real = IndexView.day_counts
    for q in QUERIES:
        service.search(Search(query=q))
        with_days = _timed(service, q)
        IndexView.day_counts = lambda self, mask: []  # type: ignore[method-assign,assignment]
        without = _timed(service, q)
        IndexView.day_counts = real  # type: ignore[method-assign]
        click.echo(f"{q or '(everything)':15s} with {with_days:6.1f} ms  without {without:6.1f} ms  "
                   f"ratio {with_days / without:.3f}")


def _timed(service: WhooshBackend, query: str) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        service.search(Search(query=query))
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


if __name__ == "__main__":
    main(Path(sys.argv[1]))

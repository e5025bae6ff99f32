"""What opening an index costs: the seconds to a first search and the memory it takes, in a fresh process.

    python -m bench.open_cost INDEX

The libraries are imported and warmed on a tiny index first (the demo articles), so the figures are the index's
own: the time to open the backend and answer a browse-everything search (opening a searcher), then six word,
phrase and wildcard searches, and the growth of the process's resident memory (VmRSS) and of its anonymous part
(RssAnon: what the process holds itself, not the page cache of memory-mapped segments, which the operating system
can drop) after each: the searches' figures add the postings and stored articles they read.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Search

DEMO = Path(__file__).resolve().parents[1] / "demo"
QUERIES = ("oil", "bank", "trade", "interest rates", '"crude oil"', "export*")


def memory_mb(field: str) -> float:
    """Return a VmRSS-style field of /proc/self/status in MB."""
    status = Path("/proc/self/status").read_text()
    return int(status.split(f"{field}:")[1].split()[0]) / 1024


def main() -> None:
    """Open the index, search it, print the costs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as warm:
        index_paths([DEMO], open_backend("whoosh", Path(warm) / "index"), IndexOptions(procs=1))
        backend = open_backend("whoosh", Path(warm) / "index")
        backend.search(Search(query="flood"))
        backend.close()
    rss, anon = memory_mb("VmRSS"), memory_mb("RssAnon")
    began = time.perf_counter()
    backend = open_backend("whoosh", args.index)
    articles = backend.search(Search()).total
    opened = time.perf_counter() - began
    opened_rss, opened_anon = memory_mb("VmRSS") - rss, memory_mb("RssAnon") - anon
    for query in QUERIES:
        backend.search(Search(query=query))
    total = time.perf_counter() - began
    held = memory_mb("RssAnon") - anon
    line = (f"{articles:,} articles in {backend.segment_count()} segments: opened (a first search) after "
            f"{opened:.2f} s, RSS +{opened_rss:.0f} MB, anonymous +{opened_anon:.0f} MB; all {len(QUERIES) + 1} "
            f"searches after {total:.2f} s, RSS +{memory_mb('VmRSS') - rss:.0f} MB, anonymous +{held:.0f} MB "
            f"({held * 1024 * 1024 / max(articles, 1):.0f} bytes an article)")
    print(line)  # noqa: T201
    backend.close()


if __name__ == "__main__":
    main()

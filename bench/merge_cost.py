"""What merging an index's segments into one costs: our codec's array merge against Whoosh's, on copies of an index.

    python -m bench.merge_cost INDEX [--rounds 2]

Each round copies the index twice and runs `optimize` on each copy: once as newsarchive merges (our codec's
segments merged as arrays, merging.merge_segments) and once with Whoosh's merge (every posting read back and sorted
again), alternating, in one process, so the ratio holds on a noisy machine. The index itself is not changed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

from indexer.backend import open_backend
from indexer.whoosh import merging


def optimize_copy(index: Path, folder: Path, arrays: bool) -> tuple[float, int]:
    """Copy the index into folder, optimize the copy; return the seconds and the segments left."""
    shutil.copytree(index, folder)
    backend = open_backend("whoosh", folder)
    try:
        with mock.patch.object(merging, "merges_as_arrays", merging.merges_as_arrays if arrays else lambda r: False):
            started = time.perf_counter()
            backend.optimize()
            return time.perf_counter() - started, backend.segment_count()
    finally:
        backend.close()


def main() -> None:
    """Time both merges, print each round and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    before = open_backend("whoosh", args.index)
    segments, articles = before.segment_count(), before.article_count()
    before.close()
    times: dict[str, list[float]] = {"arrays": [], "whoosh": []}
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(args.rounds):
            for name in ("arrays", "whoosh"):
                seconds, left = optimize_copy(args.index, Path(scratch) / f"{name}-{round_}", name == "arrays")
                times[name].append(seconds)
                line = f"round {round_ + 1}: {name} merge of {segments} segments ({articles} articles) into {left}"
                print(f"{line}: {seconds:.1f} s", flush=True)  # noqa: T201
                shutil.rmtree(Path(scratch) / f"{name}-{round_}")
    ours, theirs = statistics.median(times["arrays"]), statistics.median(times["whoosh"])
    print(f"median: arrays {ours:.1f} s, Whoosh's merge {theirs:.1f} s, ratio {ours / theirs:.2f}")  # noqa: T201


if __name__ == "__main__":
    main()

"""Language detection measured: what it finds on Reuters-21578 and the share of an indexing run it takes.

    python -m bench.languages [--procs 2] [--rounds 2]

Reuters-21578 (all English, none of its records states a language) is indexed into Whoosh by `newsarchive
index`'s own `index_paths`, as often as --rounds asks; each run reports the seconds spent detecting (the indexing
report's `language_seconds`, timed where the writer detects a batch's languages) next to the run's wall time, so
other load on the machine inflates both. Then the languages the index holds are counted. Writes
bench/results/languages-<time>.md and .json.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.copies import REUTERS_SGM
from bench.run import machine, write_results
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Search


def main() -> None:
    """Index Reuters, time its detection and count its languages; write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="processes for indexing")
    parser.add_argument("--rounds", type=int, default=2, help="indexing runs")
    args = parser.parse_args()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    files = sorted(REUTERS_SGM.glob("*.sgm"))
    runs, languages = [], {}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            backend = open_backend("whoosh", Path(folder) / "index")
            began = time.perf_counter()
            report = index_paths(files, backend, IndexOptions(procs=args.procs))
            wall = time.perf_counter() - began
            runs.append({"articles": report.added, "wall_seconds": round(wall, 2),
                         "language_seconds": round(report.language_seconds, 2),
                         "share": round(report.language_seconds / wall, 4)})
            page = open_backend("whoosh", Path(folder) / "index").search(Search())
            languages = {v.value: v.count for v in page.facets["language"]}
    lines = [f"# Language detection on Reuters-21578 ({started}, {machine()}, {args.procs} processes)", "",
             "| run | articles | indexing wall time | detecting | share |", "|---|---|---|---|---|"]
    lines += [f"| {n} | {r['articles']:,} | {r['wall_seconds']:.1f} s | {r['language_seconds']:.2f} s | "
              f"{r['share']:.1%} |" for n, r in enumerate(runs, 1)]
    lines += ["", "Languages of the index: " + ", ".join(f"{k or '(none)'} {v:,}" for k, v in languages.items())]
    write_results("languages", started, "\n".join(lines) + "\n",
                  {"started": started, "machine": machine(), "procs": args.procs, "runs": runs,
                   "languages": languages})


if __name__ == "__main__":
    main()

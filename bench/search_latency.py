"""Latency of the search page's full work (10 hits, snippets, 5 facets, timeline, HTML) over a fixed query list.

Usage: python bench/search_latency.py --index DIR [--rounds 5]
Runs the web app in-process (Flask test client, no network) after one warm-up round, and prints median and p95
per kind of request. The same queries through the JSON API are the in-run baseline: the difference is rendering.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from webapp import create_app

QUERIES = [
    "", "oil", "trade deficit", '"interest rates"', "opec OR cartel", "oil -opec", "headline:merger",
    "export*", "wheat date:1987-04", "dollar yen", "bank", "author:mankowski", "coffee brazil",
    "tokyo stock exchange", "gold",
]
FILTERS = ["", "&topic=earn", "&topic=acq&topic=earn", "&sort=newest", "&from=1987-03&to=1987-04"]


def measure(client: object, path: str, rounds: int) -> list[float]:
    """Return the milliseconds of each request (after a warm-up)."""
    urls = [f"{path}?q={q}{f}" for q in QUERIES for f in FILTERS]
    for url in urls:
        client.get(url)  # type: ignore[attr-defined]
    times = []
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)  # type: ignore[attr-defined]
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return times


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    app = create_app({"INDEX": str(args.index), "RATE_LIMIT": 0})
    client = app.test_client()
    for label, path in (("search page (HTML)", "/"), ("JSON API", "/api/search")):
        times = sorted(measure(client, path, args.rounds))
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{label:20} n={len(times):4}  median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms")  # noqa: T201


if __name__ == "__main__":
    main()

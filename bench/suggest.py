"""Latency of autocomplete (GET /api/suggest) over queries typed a character at a time, on an index.

Usage: python -m bench.suggest --index DIR [--rounds 3] [--backend whoosh|solr]

Runs the web app in-process (Flask test client, no network), opens the index as a running server has (one search
of a word no prefix shares, timed apart), types each query below from its second character on (every prefix the
search box would send), and prints median, p95 and p99 in milliseconds: for the first time each prefix is asked
(nothing of it in any cache), then over the following rounds. The work is the whole request: the word counts, the
headlines' postings and stored fields, JSON.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from urllib.parse import quote

from bench.queries import ALTERNATIVES, PAIRS, PHRASES, TERMS
from bench.search_latency import QUERIES
from indexer.backend import open_backend
from indexer.suggest import MIN_PREFIX
from webapp import create_app

# What people type: the published query set, the search page benchmark's queries, and some longer ones.
TYPED = sorted({
    *TERMS, *(" ".join(p) for p in PAIRS), *(f'"{a} {b}"' for a, b in PHRASES),
    *(f"{a} OR {b}" for a, b in ALTERNATIVES),
    *(q for q in QUERIES if q), "federal reserve chairman volcker", "international monetary fund",
    "tokyo stock exchange", "bundesbank interest rates", "zurich gold", "economists expect inflation",
})

WARM_UP = "xylophone"  # searched once first, as a server has searched before anyone types


def prefixes() -> list[str]:
    """Return every prefix of the typed queries the search box asks about (at least MIN_PREFIX characters)."""
    return [text[:end] for text in TYPED for end in range(MIN_PREFIX, len(text) + 1)
            if len(text[:end].strip()) >= MIN_PREFIX]


def measure(client: object, asked: list[str]) -> list[float]:
    """Return the milliseconds of each request."""
    times = []
    for prefix in asked:
        started = time.perf_counter()
        response = client.get(f"/api/suggest?prefix={quote(prefix)}")  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (prefix, response.status_code, response.get_data(as_text=True))
    return times


def percentile(times: list[float], share: float) -> float:
    """Return the value below which `share` of the times lie (nearest rank)."""
    ordered = sorted(times)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", default="whoosh")
    args = parser.parse_args()
    backend = open_backend(args.backend, args.index)
    app = create_app({"INDEX": str(args.index), "RATE_LIMIT": 0, "SUGGEST_RATE_LIMIT": 0}, backend=backend)
    client = app.test_client()
    asked = prefixes()
    articles = backend.article_count()
    _echo(f"{articles:,} articles, {len(TYPED)} queries typed: {len(asked)} prefixes of {MIN_PREFIX}+ characters")
    started = time.perf_counter()
    assert client.get(f"/api/search?q={WARM_UP}").status_code == 200
    _echo(f"opening the index (one search for {WARM_UP!r}): {(time.perf_counter() - started) * 1000:.0f} ms")
    first = measure(client, asked)
    again = [t for _ in range(max(0, args.rounds - 1)) for t in measure(client, asked)]
    for label, times in (("first time", first), ("again", again)):
        if times:
            _echo(f"{label:11} n={len(times):5}  median {statistics.median(times):5.1f} ms  "
                  f"p95 {percentile(times, 0.95):5.1f} ms  p99 {percentile(times, 0.99):5.1f} ms  "
                  f"max {max(times):6.1f} ms")
    backend.close()


def _echo(text: str) -> None:
    print(text)  # noqa: T201 (a command-line tool's output)


if __name__ == "__main__":
    main()

"""Relevance on test collections with judgements (TIME, Cranfield): MAP, P@10 and nDCG@10 of each peer.

Usage, from the repository root:

    python -m bench.relevance [--collections time,cranfield] [--peers newsarchive,whoosh,fts5,tantivy]
                              [--json PATH] [--procs N] [--grid]

The collections are read from ../shared/data/ (research-only licences: never copied here; see bench/judged/)
and written to a temporary JSON Lines corpus. Each peer builds an index of it and answers every judged query as
`BenchQuery(words=..., any_words=True, per_page=100)`: natural-language queries need OR. The query words are the
same for every peer: the query text lowercased and split at spaces and punctuation (dots and apostrophes inside
a word kept: "u.s."), stop words left to each system's own analysis.

Metrics: AP over the top 100 (divided by all the query's relevant documents) and P@10 count every judged
document as relevant; nDCG@10 uses the judgements' gains (TIME's are all 1; Cranfield's are graded, 4 for a
complete answer down to 1), a log2 discount and the ideal ranking of the query's best min(R, 10) gains. Each is
averaged over the judged queries. Nothing here is tuned on the judgements: it only measures.

`--grid` scores newsarchive alone under each ranking parameter set of RANKING_GRID, on each collection, from one
index per collection (ranking parameters apply at search time): the sensitivity of the chosen parameters, not a
search for the best ones (see docs/search.md, "Ranking").
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from bench.judged import COLLECTIONS, JudgedCollection
from bench.peers import PEERS, BenchQuery, Outcome
from indexer.backend import open_backend
from indexer.whoosh.scoring import FieldWeight, Ranking

DEPTH = 100
CUTOFF = 10


@dataclass(frozen=True)
class Scores:
    """The mean scores of one system over one collection's judged queries."""

    collection: str
    system: str
    map: float
    p10: float
    ndcg10: float
    queries: int
    build_seconds: float


def query_words(text: str) -> tuple[str, ...]:
    """Return the words of a query: lowercased, split at spaces and punctuation, stop words kept.

    Dots and apostrophes inside a word stay ("u.s.", "nam's"): what they mean is each system's own analysis.
    """
    return tuple(re.findall(r"[a-z0-9]+(?:[.'][a-z0-9]+)*\.?", text.lower()))


def average_precision(ranking: Sequence[str], relevant: Iterable[str], depth: int = DEPTH) -> float:
    """Return the average precision of a ranking over its top `depth`, divided by all relevant documents."""
    wanted = set(relevant)
    if not wanted:
        raise ValueError("average precision needs at least one relevant document")
    found, total = 0, 0.0
    for rank, doc in enumerate(ranking[:depth], start=1):
        if doc in wanted:
            found += 1
            total += found / rank
    return total / len(wanted)


def precision_at(ranking: Sequence[str], relevant: Iterable[str], k: int = CUTOFF) -> float:
    """Return the share of the top k that is relevant (a ranking shorter than k counts the missing as wrong)."""
    wanted = set(relevant)
    return sum(1 for doc in ranking[:k] if doc in wanted) / k


def ndcg_at(ranking: Sequence[str], gains: Mapping[str, int] | Iterable[str], k: int = CUTOFF) -> float:
    """Return the nDCG of the top k with a log2 discount; gains by document (a set of ids: all gains 1)."""
    graded = dict(gains) if isinstance(gains, Mapping) else dict.fromkeys(gains, 1)
    dcg = sum(graded.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], start=1))
    best = sorted(graded.values(), reverse=True)[:k]
    ideal = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(best, start=1))
    return dcg / ideal if ideal else 0.0


class Ranker(Protocol):
    """What scoring needs of a system: answers to queries."""

    def run(self, query: BenchQuery) -> Outcome:
        """Run one query."""


def score_rankings(collection: JudgedCollection, peer: Ranker) -> tuple[float, float, float]:
    """Return the mean AP, P@10 and nDCG@10 of an open peer's rankings of the collection's judged queries."""
    ap, p10, ndcg = [], [], []
    for key, text in collection.queries.items():
        query = BenchQuery("relevance", words=query_words(text), any_words=True, per_page=DEPTH)
        ranking = peer.run(query).ids
        gains = collection.gains[key]
        ap.append(average_precision(ranking, gains))
        p10.append(precision_at(ranking, gains))
        ndcg.append(ndcg_at(ranking, gains))
    n = len(ap)
    return sum(ap) / n, sum(p10) / n, sum(ndcg) / n


def score_peer(system: str, collection: JudgedCollection, corpus: Path, workdir: Path, procs: int) -> Scores:
    """Build one peer's index of the corpus and score its rankings of the judged queries."""
    peer = PEERS[system]()
    started = time.perf_counter()
    peer.build(corpus, workdir / system, procs)
    build_seconds = time.perf_counter() - started
    peer.open(workdir / system)
    try:
        means = score_rankings(collection, peer)
    finally:
        peer.close()
    return Scores(collection.name, system, *means, len(collection.queries), build_seconds)


def evaluate(systems: Sequence[str], collections: Sequence[str] = tuple(COLLECTIONS), procs: int = 1,
             folders: Mapping[str, Path] | None = None) -> list[dict[str, Any]]:
    """Score each peer on each collection; return one JSON-ready dict per (collection, peer): the Scores fields."""
    results = []
    for name in collections:
        collection = COLLECTIONS[name].load((folders or {}).get(name))
        with tempfile.TemporaryDirectory(prefix=f"{name}-relevance-") as tmp:
            corpus = collection.write_corpus(Path(tmp) / f"{name}.jsonl")
            results += [asdict(score_peer(system, collection, corpus, Path(tmp), procs)) for system in systems]
    return results


# The grid: the ranges the literature gives (k1 1.2-2.0 and b 0.75 are Robertson's; field weights 1-5).
RANKING_GRID: tuple[Ranking, ...] = tuple(
    Ranking(k1, (("headline", FieldWeight(weight, b_headline)), ("body", FieldWeight(1.0, b_body))))
    for k1 in (0.9, 1.2, 1.5, 2.0)
    for weight in (1.0, 2.0, 3.0, 5.0)
    for b_headline in (0.3, 0.75)
    for b_body in (0.5, 0.75, 0.9)
)


class _RankingOnly:
    """newsarchive's rankings alone, read as an export in relevance order (no snippets or facets: the grid is
    only about the order, and making 100 snippets a query is 90% of a search's time here)."""

    def __init__(self, index: Path, ranking: Ranking) -> None:
        from indexer.whoosh import WhooshBackend

        self.service = WhooshBackend(index, ranking=ranking)

    def run(self, query: BenchQuery) -> Outcome:
        from bench.peers.newsarchive import request_of

        ids = [article.id for article in self.service.iter_matches(request_of(query), query.per_page)]
        return Outcome(total=len(ids), ids=ids)


def _grid_point(task: tuple[JudgedCollection, Path, Ranking]) -> dict[str, Any]:
    collection, index, ranking = task
    peer = _RankingOnly(index, ranking)
    try:
        means = score_rankings(collection, peer)
    finally:
        peer.service.close()
    return {"collection": collection.name, "ranking": ranking.describe(),
            "map": means[0], "p10": means[1], "ndcg10": means[2]}


def evaluate_grid(collections: Sequence[str], grid: Sequence[Ranking] = RANKING_GRID, procs: int = 2,
                  folders: Mapping[str, Path] | None = None) -> list[dict[str, Any]]:
    """Score newsarchive under each ranking of the grid on each collection (one index per collection)."""
    from indexer.build import IndexOptions, index_paths

    results: list[dict[str, Any]] = []
    for name in collections:
        collection = COLLECTIONS[name].load((folders or {}).get(name))
        with tempfile.TemporaryDirectory(prefix=f"{name}-grid-") as tmp:
            corpus = collection.write_corpus(Path(tmp) / f"{name}.jsonl")
            index_paths([corpus], open_backend(folder=Path(tmp) / "index"), IndexOptions(procs=1))
            tasks = [(collection, Path(tmp) / "index", ranking) for ranking in grid]
            with multiprocessing.get_context("forkserver").Pool(procs) as pool:
                results += pool.map(_grid_point, tasks)
    return results


def markdown_table(scores: list[dict[str, Any]], label: str = "system") -> str:
    """Return the scores as a Markdown table, one row per collection and system (or ranking)."""
    lines = [f"| collection | {label} | MAP | P@10 | nDCG@10 |", "|---|---|---:|---:|---:|"]
    lines += [f"| {s['collection']} | {s[label]} | {s['map']:.4f} | {s['p10']:.4f} | {s['ndcg10']:.4f} |"
              for s in scores]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Evaluate the chosen peers on the chosen collections and print the table (and write JSON when asked)."""
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.splitlines()[0])
    parser.add_argument("--collections", default=",".join(COLLECTIONS),
                        help=f"comma-separated, of: {', '.join(COLLECTIONS)}")
    parser.add_argument("--peers", default=",".join(PEERS), help=f"comma-separated, of: {', '.join(PEERS)}")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON to this file")
    parser.add_argument("--procs", type=int, default=1, help="indexing processes or threads (default 1)")
    parser.add_argument("--grid", action="store_true", help="score newsarchive's ranking parameter grid instead")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.collections.split(",") if name.strip()]
    systems = [name.strip() for name in args.peers.split(",") if name.strip()]
    unknown = [n for n in names if n not in COLLECTIONS] + [s for s in systems if s not in PEERS]
    if unknown:
        parser.error(f"unknown collections or peers: {', '.join(unknown)} "
                     f"(collections: {', '.join(COLLECTIONS)}; peers: {', '.join(PEERS)})")
    if args.grid:
        scores = evaluate_grid(names, procs=max(args.procs, 2))
        sys.stdout.write(markdown_table(scores, label="ranking") + "\n")
    else:
        scores = evaluate(systems, names, args.procs)
        sys.stdout.write(markdown_table(scores) + "\n\n")
        builds = ", ".join(f"{s['collection']} {s['system']} {s['build_seconds']:.2f} s" for s in scores)
        sys.stdout.write(f"Builds: {builds}.\n")
    if args.json:
        payload = {"depth": DEPTH, "cutoff": CUTOFF, "scores": scores}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

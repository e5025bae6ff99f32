"""Relevance on the TIME test collection: MAP, P@10 and nDCG@10 of each peer, on the same queries.

Usage, from the repository root:

    python -m bench.relevance [--peers newsarchive,whoosh,fts5,tantivy] [--data DIR] [--json PATH] [--procs N]

The collection (423 TIME magazine articles of 1963, 83 queries, judgements) is read from
../shared/data/time-collection/ (research-only licence: never copied here) and written to a temporary JSON
Lines corpus: id `time:<position>`, no headline (the collection marks none, and one made of the first words
would count them twice), body the whole text, the issue date, source "TIME". Each peer builds an index of it
and answers every judged query as `BenchQuery(words=..., any_words=True, per_page=100)`: natural-language
queries need OR. The query words are the same for every peer: the query text lowercased and split at spaces
and punctuation (dots and apostrophes inside a word kept: "u.s."), stop words left to each system's own
analysis. Query 23 has no relevant documents and is left out of the means (82 queries count).

Metrics, binary relevance: AP over the top 100 (divided by all the query's relevant documents), P@10, nDCG@10
(gain 1 for a relevant document, log2 discount, ideal ranking of min(R, 10) relevant ones); each averaged over
the judged queries. Nothing here is tuned on the judgements: it only measures.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from collections.abc import Sequence, Set
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.peers import PEERS, BenchQuery

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "time-collection"
DEPTH = 100
CUTOFF = 10
EXCLUDED = 23  # the one query without relevant documents
_HEADER = re.compile(r"^\*TEXT\s+(\d+)\s+(\d{1,2})\s*/\s*(\d{1,2})\s*[/\s]\s*(\d{2,4})\s+PAGE\s+(\d+)")
_FIND = re.compile(r"^\*FIND\s+(\d+)")


@dataclass(frozen=True)
class TimeDocument:
    """One article of TIME.ALL: its 1-based position in the file, its *TEXT number, issue date, page and text."""

    position: int
    number: int
    date: date
    page: int
    text: str

    @property
    def id(self) -> str:
        """Return the corpus id, by position (the judgements name documents by position)."""
        return f"time:{self.position}"


@dataclass(frozen=True)
class TimeCollection:
    """The documents, the queries by number, and the relevant document positions of each query."""

    documents: list[TimeDocument]
    queries: dict[int, str]
    relevant: dict[int, frozenset[int]]

    def judged(self) -> list[int]:
        """Return the numbers of the queries with at least one relevant document (all but query 23)."""
        return sorted(n for n in self.queries if self.relevant.get(n))


@dataclass(frozen=True)
class Scores:
    """The mean scores of one system over the judged queries."""

    system: str
    map: float
    p10: float
    ndcg10: float
    queries: int
    build_seconds: float


def parse_documents(text: str) -> list[TimeDocument]:
    """Parse TIME.ALL: a "*TEXT <no> <MM/DD/YY> PAGE <ppp>" header (spacing irregular) before each text."""
    documents: list[TimeDocument] = []
    header: re.Match[str] | None = None
    lines: list[str] = []
    for line in [*text.splitlines(), "*STOP"]:
        if not line.startswith("*"):
            lines.append(line)
            continue
        if header is not None:
            number, month, day, year, page = (int(g) for g in header.groups())
            when = date(year if year > 99 else 1900 + year, month, day)
            body = " ".join(" ".join(lines).split())
            documents.append(TimeDocument(len(documents) + 1, number, when, page, body))
        header, lines = _HEADER.match(line), []
        if header is None and line.strip() != "*STOP":
            raise ValueError(f"not a TIME.ALL header: {line!r}")
    return documents


def parse_queries(text: str) -> dict[int, str]:
    """Parse TIME.QUE: "*FIND <n>" then the query text, up to the next *FIND or *STOP."""
    queries: dict[int, str] = {}
    number: int | None = None
    for line in [*text.splitlines(), "*STOP"]:
        found = _FIND.match(line)
        if found or line.startswith("*STOP"):
            number = int(found.group(1)) if found else None
            if number is not None:
                queries[number] = ""
        elif number is not None:
            queries[number] = " ".join(f"{queries[number]} {line}".split())
    return queries


def parse_judgements(text: str) -> dict[int, frozenset[int]]:
    """Parse TIME.REL: "<query> <position> <position> ..." per line (positions are 1-based, in TIME.ALL)."""
    judgements: dict[int, frozenset[int]] = {}
    for line in text.splitlines():
        numbers = [int(n) for n in line.split()]
        if numbers:
            judgements[numbers[0]] = frozenset(numbers[1:])
    return judgements


def load_collection(folder: Path = DATA) -> TimeCollection:
    """Read the TIME collection from its folder."""
    def read(name: str) -> str:
        return (folder / name).read_text(encoding="ascii", errors="replace")

    return TimeCollection(
        parse_documents(read("TIME.ALL")), parse_queries(read("TIME.QUE")), parse_judgements(read("TIME.REL"))
    )


def query_words(text: str) -> tuple[str, ...]:
    """Return the words of a query: lowercased, split at spaces and punctuation, stop words kept.

    Dots and apostrophes inside a word stay ("u.s.", "nam's"): what they mean is each system's own analysis.
    """
    return tuple(re.findall(r"[a-z]+(?:[.'][a-z]+)*\.?", text.lower()))


def write_corpus(collection: TimeCollection, path: Path) -> Path:
    """Write the documents as a JSON Lines corpus in the peers' format."""
    with path.open("w", encoding="utf-8") as out:
        for doc in collection.documents:
            record = {
                # The collection marks no headline; making one of the first words would count them twice.
                "id": doc.id, "headline": "", "body": doc.text,
                "author": [], "date": doc.date.isoformat(), "topic": [], "source": "TIME", "url": "",
            }
            out.write(json.dumps(record) + "\n")
    return path


def average_precision(ranking: Sequence[str], relevant: Set[str], depth: int = DEPTH) -> float:
    """Return the average precision of a ranking over its top `depth`, divided by all relevant documents."""
    if not relevant:
        raise ValueError("average precision needs at least one relevant document")
    found, total = 0, 0.0
    for rank, doc in enumerate(ranking[:depth], start=1):
        if doc in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def precision_at(ranking: Sequence[str], relevant: Set[str], k: int = CUTOFF) -> float:
    """Return the share of the top k that is relevant (a ranking shorter than k counts the missing as wrong)."""
    return sum(1 for doc in ranking[:k] if doc in relevant) / k


def ndcg_at(ranking: Sequence[str], relevant: Set[str], k: int = CUTOFF) -> float:
    """Return the nDCG of the top k with binary gains and a log2 discount."""
    dcg = sum(1 / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], start=1) if doc in relevant)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def score_peer(system: str, collection: TimeCollection, corpus: Path, workdir: Path, procs: int) -> Scores:
    """Build one peer's index of the corpus and score its rankings of the judged queries."""
    peer = PEERS[system]()
    started = time.perf_counter()
    peer.build(corpus, workdir / system, procs)
    build_seconds = time.perf_counter() - started
    peer.open(workdir / system)
    ap, p10, ndcg = [], [], []
    try:
        for number in collection.judged():
            query = BenchQuery("relevance", words=query_words(collection.queries[number]), any_words=True,
                               per_page=DEPTH)
            ranking = peer.run(query).ids
            relevant = {f"time:{position}" for position in collection.relevant[number]}
            ap.append(average_precision(ranking, relevant))
            p10.append(precision_at(ranking, relevant))
            ndcg.append(ndcg_at(ranking, relevant))
    finally:
        peer.close()
    n = len(ap)
    return Scores(system, sum(ap) / n, sum(p10) / n, sum(ndcg) / n, n, build_seconds)


def evaluate(systems: Sequence[str], data: Path = DATA, procs: int = 1) -> list[dict[str, Any]]:
    """Score each peer on the TIME collection; return one JSON-ready dict per peer (the Scores fields)."""
    collection = load_collection(data)
    with tempfile.TemporaryDirectory(prefix="time-relevance-") as tmp:
        corpus = write_corpus(collection, Path(tmp) / "time.jsonl")
        return [asdict(score_peer(name, collection, corpus, Path(tmp), procs)) for name in systems]


def markdown_table(scores: list[dict[str, Any]]) -> str:
    """Return the scores as a Markdown table."""
    lines = ["| system | MAP | P@10 | nDCG@10 | queries |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {s['system']} | {s['map']:.4f} | {s['p10']:.4f} | {s['ndcg10']:.4f} | {s['queries']} |"
              for s in scores]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Evaluate the chosen peers and print the table (and write JSON when asked)."""
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.splitlines()[0])
    parser.add_argument("--peers", default=",".join(PEERS), help=f"comma-separated, of: {', '.join(PEERS)}")
    parser.add_argument("--data", type=Path, default=DATA, help="the TIME collection folder")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON to this file")
    parser.add_argument("--procs", type=int, default=1, help="indexing processes or threads (default 1)")
    args = parser.parse_args(argv)
    systems = [name.strip() for name in args.peers.split(",") if name.strip()]
    unknown = [name for name in systems if name not in PEERS]
    if unknown:
        parser.error(f"unknown peers: {', '.join(unknown)} (available: {', '.join(PEERS)})")
    scores = evaluate(systems, args.data, args.procs)
    builds = ", ".join(f"{s['system']} {s['build_seconds']:.2f} s" for s in scores)
    sys.stdout.write(markdown_table(scores) + "\n\n")
    sys.stdout.write(f"Query {EXCLUDED} has no relevant documents and is left out of the means. Builds: {builds}.\n")
    if args.json:
        payload = {"collection": "TIME", "excluded_queries": [EXCLUDED], "depth": DEPTH, "scores": scores}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

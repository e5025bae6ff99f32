"""The systems the benchmarks compare, behind one interface: build, re-run, add, open, run a query, close.

Every peer does the same work for a query (same filters, same page; facets, snippets and timeline only when
asked), except newsarchive, whose search always computes its facets, snippets and the month facet (the
timeline): that is what a search of ours is, so its figures include them. A search without words (filters
only) is listed newest first by every peer, as newsarchive lists it. A field scope applies to the prefix too.

The peers are created by the factories in PEERS, imported lazily: "tantivy" is listed only when the `tantivy`
package is importable (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

# Facets counted when a query asks for them, and how many values of the non-chronological ones are kept.
FACETS = ("topic", "author", "source", "year")
FACET_LIMIT = 20
RELATED_LIMIT = 10


@dataclass(frozen=True)
class BenchQuery:
    """One query of a benchmark, in terms every peer can express in its own query language."""

    kind: str  # label for reports, e.g. "term", "phrase", "page"
    words: tuple[str, ...] = ()  # query words (plain, lowercase ok)
    phrase: bool = False  # the words as one phrase
    any_words: bool = False  # OR between the words instead of AND
    field: str | None = None  # restrict the words (and the prefix) to "headline" (else headline+body)
    prefix: str | None = None  # a wildcard word: prefix* (in addition to words, ANDed)
    date_from: date | None = None  # inclusive date range filter
    date_to: date | None = None
    topics: tuple[str, ...] = ()  # facet filter: any of these topics
    sort: str = "relevance"  # or "newest"
    page: int = 1
    per_page: int = 10
    facets: bool = False  # count topic, author, source and year over the WHOLE result set
    snippets: bool = False  # a highlighted snippet (matches marked) for each returned hit
    timeline: bool = False  # counts per month over the whole result set
    related_to: str | None = None  # instead of a search: the 10 articles most like this article id


@dataclass
class Outcome:
    """What a peer returned for a query."""

    total: int  # size of the whole result set (for related: number returned)
    ids: list[str]  # the returned hits, in order
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    snippets: list[str] = field(default_factory=list)
    timeline: dict[str, int] = field(default_factory=dict)


class Peer(Protocol):
    """A search system under comparison."""

    name: str

    def build(self, corpus: Path, folder: Path, procs: int) -> None:
        """Index a JSON Lines corpus from scratch."""

    def rerun(self, corpus: Path, folder: Path, procs: int) -> None:
        """Index the same, unchanged corpus again, the way this system's users would."""

    def add(self, extra: Path, folder: Path, procs: int) -> None:
        """Add the articles of another JSON Lines file."""

    def open(self, folder: Path) -> None:
        """Open the index for querying."""

    def run(self, query: BenchQuery) -> Outcome:
        """Run one query."""

    def close(self) -> None:
        """Close the index."""


@dataclass(frozen=True)
class CorpusArticle:
    """One article of a JSON Lines corpus, as the peers other than newsarchive read it."""

    id: str
    headline: str
    body: str
    author: tuple[str, ...]
    date: datetime | None
    topic: tuple[str, ...]
    source: str
    url: str


def read_corpus(path: Path) -> Iterator[CorpusArticle]:
    """Read a JSON Lines corpus (keys id, headline, body, author, date, topic, source, url)."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield _article(json.loads(line))


def _article(record: dict[str, Any]) -> CorpusArticle:
    when = record.get("date")
    # Like newsarchive, keep the wall-clock time a date states: a zone offset is dropped, not converted.
    stamp = datetime.fromisoformat(when).replace(tzinfo=None) if when else None
    return CorpusArticle(
        id=str(record["id"]),
        headline=record.get("headline") or "",
        body=record.get("body") or "",
        author=tuple(record.get("author") or ()),
        date=stamp,
        topic=tuple(record.get("topic") or ()),
        source=record.get("source") or "",
        url=record.get("url") or "",
    )


def top_counts(counts: dict[str, int], limit: int = FACET_LIMIT) -> dict[str, int]:
    """Return the most frequent values (ties by value), as every peer reports facets."""
    ranked = sorted(((v, c) for v, c in counts.items() if c > 0), key=lambda vc: (-vc[1], vc[0]))
    return dict(ranked[:limit])


def _newsarchive() -> Peer:
    from .newsarchive import NewsarchivePeer

    return NewsarchivePeer()


def _whoosh() -> Peer:
    from .whoosh import WhooshPeer

    return WhooshPeer()


def _fts5() -> Peer:
    from .fts5 import Fts5Peer

    return Fts5Peer()


def _tantivy() -> Peer:
    from .tantivy import TantivyPeer

    return TantivyPeer()


PEERS: dict[str, Callable[[], Peer]] = {"newsarchive": _newsarchive, "whoosh": _whoosh, "fts5": _fts5}
if importlib.util.find_spec("tantivy") is not None:
    PEERS["tantivy"] = _tantivy

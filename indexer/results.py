"""Search results: our own dataclasses, the only types the CLI and web app see (requests: request.py).

`to_dict()` builds the JSON shape explicitly (ISO-8601 dates), the same for `newsarchive search --json` and the API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .records import Article
from .request import MAX_RESULT_DEPTH, Paging, Search
from .timeline import Timeline, build_timeline

# What both engines share of a result page's making:
# a query finding this few articles or fewer gets a "did you mean" when a correction finds more;
SUGGEST_BELOW = 3
# a hit grouped by story lists at most this many of its story's other articles (its size counts them all);
MAX_COPIES = 50
# related coverage is found by this many key words of an article (more cost time: every word's postings are read),
# each found in at least RELATED_MIN_ARTICLES articles (1 in 20 of an archive under 100 articles, at least 2):
# rarer words connect nothing (a word in one other story outranked a whole thread). Lucene's and Elasticsearch's
# more-like-this default (min_doc_freq) is the same 5.
RELATED_TERMS = 10
RELATED_MIN_ARTICLES = 5


@dataclass(frozen=True)
class StoryRef:
    """The story an article belongs to: its id, how many articles it has and in how many outlets (sources) they ran."""

    id: str
    size: int
    outlets: int

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this story."""
        return {"id": self.id, "size": self.size, "outlets": self.outlets}


@dataclass(frozen=True)
class StoryCopy:
    """Another article of a hit's story (a copy in another outlet, or another version), for "also ran in"."""

    id: str
    headline: str
    date: datetime | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this copy."""
        return {"id": self.id, "headline": self.headline, "date": _iso(self.date), "source": self.source}


@dataclass(frozen=True)
class Hit:
    """One article in a result list, with its highlighted snippet (HTML: escaped text, matches in <mark>).

    Grouped by story, a hit is its story's earliest matching version and `copies` lists the story's other articles.
    """

    id: str
    headline: str
    author: tuple[str, ...]
    date: datetime | None
    topic: tuple[str, ...]
    source: str
    url: str
    snippet: str
    score: float | None
    story: StoryRef | None = None
    copies: tuple[StoryCopy, ...] | None = None  # grouped by story: the story's other articles, by date
    language: str = ""  # its ISO 639-1 code ("" in indexes built before languages)
    # The people, organisations and places it names (canonical names: indexer/entities.py).
    people: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    places: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this hit."""
        return {
            "id": self.id,
            "headline": self.headline,
            "author": list(self.author),
            "date": _iso(self.date),
            "topic": list(self.topic),
            "source": self.source,
            "url": self.url,
            "snippet": self.snippet,
            "score": None if self.score is None else round(self.score, 4),
            "story": self.story.to_dict() if self.story else None,
            "language": self.language or None,
            "people": list(self.people),
            "orgs": list(self.orgs),
            "places": list(self.places),
            **({"copies": [c.to_dict() for c in self.copies]} if self.copies is not None else {}),
        }


@dataclass(frozen=True)
class FacetValue:
    """A facet value and how many matching articles have it."""

    value: str
    count: int
    selected: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this value."""
        return {"value": self.value, "count": self.count}


# Facets listed in chronological order (all their values); the others by count (the top facet_limit values).
CHRONOLOGICAL = ("year", "month")


def facet_values(name: str, counts: list[tuple[str, int]], selected: tuple[str, ...],
                 limit: int) -> tuple[FacetValue, ...]:
    """Return a facet as listed, from its counts: chronological ones whole and in date order, the others largest
    first (equal counts by value) and cut to `limit`; selected values always, with 0 when the search has none."""
    chosen = set(selected)
    counts = in_facet_order(name, counts)
    if name not in CHRONOLOGICAL:
        counts = counts[:limit] + [c for c in counts[limit:] if c[0] in chosen]
    listed = {value for value, _ in counts}
    missing = [(value, 0) for value in sorted(chosen - listed)]
    return tuple(FacetValue(v, c, v in chosen) for v, c in counts + missing)


def in_facet_order(name: str, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Return a facet's (value, count) pairs in the order it is listed: chronological ones by value (date order),
    the others largest first."""
    if name in CHRONOLOGICAL:
        return sorted(counts)
    # Equal counts in the values' order, whatever order an engine found them in (segments, shards).
    return sorted(counts, key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True)
class FacetPage:
    """A page of one facet's values for a search (see indexer/facetpages.py): those containing the text asked for,
    in the order the search page lists them, the selected ones flagged, and how many match in all."""

    search: Search
    name: str
    containing: str
    values: tuple[FacetValue, ...]
    total: int  # the values that contain the text, on every page
    page: int
    per_page: int
    partial: bool = False  # a part of the index (a shard) did not answer: the counts miss its articles

    @property
    def pages(self) -> int:
        """Return how many pages the matching values fill (1 when there are none)."""
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this page (the shape of /api/facets/<name>)."""
        return {
            "facet": self.name,
            "containing": self.containing,
            "count": self.search.count,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "values": [{**v.to_dict(), "selected": v.selected} for v in self.values],
            **({"partial": True} if self.partial else {}),
        }


@dataclass(frozen=True)
class SearchPage:
    """One page of results, the total, facet counts over the whole result set, and a suggestion."""

    search: Search
    paging: Paging
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    suggestion: str | None = None
    took_ms: float = 0.0
    days: tuple[tuple[date, int], ...] = ()  # matches per day (or stories, by count=stories), for the timeline
    partial: bool = False  # a part of the index (a shard) did not answer: the counts and hits miss its articles
    stories: int = 0  # how many stories the matching articles belong to
    also_searched: tuple[str, ...] = ()  # synonyms of the query's words that were searched too

    @property
    def grouped(self) -> bool:
        """Return whether the hits are stories (one per story) rather than articles."""
        return self.search.group == "story"

    @property
    def has_copies(self) -> bool:
        """Return whether the matches hold copies of a story (fewer stories than articles): worth saying so."""
        return self.stories < self.total

    @property
    def timeline(self) -> Timeline | None:
        """Return when the matches ran, in periods that suit their span (None when none is dated)."""
        return build_timeline(self.days, (self.search.date_from, self.search.date_to))

    @property
    def pages(self) -> int:
        """Return how many pages the (depth-capped) result set fills: of stories when grouped, else of articles."""
        reachable = min(self.stories if self.grouped else self.total, MAX_RESULT_DEPTH)
        return max(1, -(-reachable // self.paging.per_page))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this page (the shape of `newsarchive search --json` and /api/search)."""
        return {
            "query": self.search.query,
            "total": self.total,
            "stories": self.stories,
            "group": self.search.group,
            "count": self.search.count,
            "page": self.paging.page,
            "per_page": self.paging.per_page,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: [v.to_dict() for v in values] for name, values in self.facets.items()},
            "suggestion": self.suggestion,
            "also_searched": list(self.also_searched),
            "timeline": timeline.to_dict() if (timeline := self.timeline) else None,
            **({"partial": True} if self.partial else {}),
        }


@dataclass(frozen=True)
class RelatedArticle:
    """An article like another one, for related coverage."""

    id: str
    headline: str
    date: datetime | None
    source: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this related article."""
        return {
            "id": self.id,
            "headline": self.headline,
            "date": _iso(self.date),
            "source": self.source,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Related:
    """The articles most like one article, best first; partial when a part of the index (a shard) did not answer."""

    id: str
    articles: list[RelatedArticle]
    partial: bool = False

    def __iter__(self) -> Iterator[RelatedArticle]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)

    def __getitem__(self, index: int) -> RelatedArticle:
        return self.articles[index]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of the API's related articles."""
        return {"id": self.id, "related": [r.to_dict() for r in self.articles],
                **({"partial": True} if self.partial else {})}


@dataclass(frozen=True)
class IndexStats:
    """What an index holds: counts, date range, the most frequent topics, authors and sources."""

    documents: int
    first_date: datetime | None
    last_date: datetime | None
    top: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    segments: int | None = 0  # None: not known (a Solr user with read rights only may not ask the cores)
    shards: int = 1  # the parts the index is split into over machines (Solr's shards; one on Whoosh)
    partial: bool = False  # a shard did not answer: the counts miss its articles

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of these statistics."""
        return {
            "documents": self.documents,
            "first_date": _iso(self.first_date),
            "last_date": _iso(self.last_date),
            "segments": self.segments,
            "shards": self.shards,
            **({"partial": True} if self.partial else {}),
            **{f"top_{name}": [v.to_dict() for v in values] for name, values in self.top.items()},
        }


# Hex digits of a fingerprint's digest: 64 bits, short enough to cite, far beyond chance collisions.
DIGEST_LENGTH = 16


# The column (CSV) or key (JSON Lines) of every exported row that holds the fingerprint's digest: files are passed
# around without the headers that carry the rest.
FINGERPRINT_KEY = "index_fingerprint"


@dataclass(frozen=True)
class IndexFingerprint:
    """What a result set was computed from: the engine, how many articles, the last commit, the versions of the
    schema and analysis, and a digest of all that and of the exact committed state (equal for the same committed
    index, different after any write that changes what is indexed)."""

    backend: str
    articles: int
    last_commit: datetime | None  # UTC; None for an empty index
    schema_version: str
    analyzer_version: str
    digest: str

    @classmethod
    def of(cls, backend: str, articles: int, last_commit: datetime | None, schema_version: str,
           analyzer_version: str, state: str) -> IndexFingerprint:
        """Return the fingerprint of these figures; `state` marks the exact committed state (engine-specific)."""
        when = last_commit.astimezone(UTC) if last_commit is not None else None
        payload = json.dumps([backend, articles, when and when.isoformat(), schema_version, analyzer_version, state])
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]
        return cls(backend, articles, when, schema_version, analyzer_version, digest)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this fingerprint (the API's `index`)."""
        return {
            "backend": self.backend,
            "articles": self.articles,
            "last_commit": self.last_commit.isoformat().replace("+00:00", "Z") if self.last_commit else None,
            "schema_version": self.schema_version,
            "analyzer_version": self.analyzer_version,
            "digest": self.digest,
        }


# The levels of a check's findings.
OK, WARNING, PROBLEM = "ok", "warning", "problem"


@dataclass(frozen=True)
class Finding:
    """One thing checked: its level (ok, warning, problem), what was found and what to do."""

    level: str
    what: str
    advice: str = ""


@dataclass
class CheckReport:
    """Everything a check found, and the index's figures."""

    index_dir: Path
    findings: list[Finding] = field(default_factory=list)
    documents: int = 0
    segments: int = 0
    seconds: float = 0.0

    @property
    def healthy(self) -> bool:
        """Return whether nothing is a problem (warnings allowed)."""
        return all(f.level != PROBLEM for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "index": str(self.index_dir), "healthy": self.healthy, "documents": self.documents,
            "segments": self.segments, "seconds": round(self.seconds, 3),
            "findings": [{"level": f.level, "what": f.what, "advice": f.advice} for f in self.findings],
        }


def article_to_dict(article: Article) -> dict[str, Any]:
    """Return the JSON object of a whole article."""
    return {
        "id": article.id,
        "headline": article.headline,
        "author": list(article.author),
        "date": _iso(article.date),
        "topic": list(article.topic),
        "source": article.source,
        "url": article.url,
        "body": article.body,
        "related_headlines": list(article.related_headlines),
        "story": article.story or None,
        "language": article.language or None,
        "people": list(article.people),
        "orgs": list(article.orgs),
        "places": list(article.places),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None

"""Plain Whoosh, as its tutorial would use it: a StemmingAnalyzer schema, one default writer, MultifieldParser.

Choices, each what a Whoosh user following the docs would do:
- build: one `ix.writer()` with default settings (one process, whatever `procs` says), `add_document` per
  article, one commit at the end.
- rerun: the docs' "incremental indexing" recipe, `update_document` of every article in one writer: plain Whoosh
  has no change detection without extra code (the recipe's mtime check needs one file per document, and the
  corpus is one file), so every article is deleted and written again.
- add: `add_document` of the new articles in one writer.
- queries: MultifieldParser over headline and body (AND between words; `OrGroup`, plain, for any words), the
  date range and topics as a `filter=` query; facets with `groupedby=` FieldFacets (topic and author with
  `allow_overlap=True`); year and the month timeline with a `TranslateFacet` over the date column in the same
  `groupedby`, so they too count the whole result set; snippets with `hit.highlights("body")`.
- related: `searcher.more_like(docnum, "body")` with its defaults (the 5 best Bo1 key terms, 10 results).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

from whoosh import index, query, sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.util.times import long_to_datetime

from . import FACET_LIMIT, RELATED_LIMIT, BenchQuery, CorpusArticle, Outcome, read_corpus, top_counts

_MISSING_DATE = 2**64 - 1  # what the date column holds for an article without a date
_PLAIN_WORD = re.compile(r"\w+")


def query_text(q: BenchQuery) -> str:
    """Return a benchmark query in the Whoosh query language (newsarchive speaks it too).

    Words are lowercased (so "and", "or", "not" are words, not operators); a word with other characters than
    letters and digits is quoted. A field scope applies to the words and the prefix alike; the prefix is ANDed.
    """
    words = [w.lower().replace('"', " ").strip() for w in q.words]
    words = [w for w in words if w]
    scope = f"{q.field}:" if q.field else ""
    parts = []
    if words and q.phrase:
        parts.append(scope + '"' + " ".join(words) + '"')
    elif words:
        quoted = [w if _PLAIN_WORD.fullmatch(w) else f'"{w}"' for w in words]
        parts.append(scope + (quoted[0] if len(quoted) == 1 else "(" + " ".join(quoted) + ")"))
    if q.prefix:
        parts.append(f"{scope}{q.prefix.lower()}*")
    return " AND ".join(parts)


def schema() -> Schema:
    """Return the schema of the Whoosh tutorial style, for news articles."""
    return Schema(
        id=ID(stored=True, unique=True),
        headline=TEXT(stored=True, analyzer=StemmingAnalyzer()),
        body=TEXT(stored=True, analyzer=StemmingAnalyzer()),
        author=KEYWORD(stored=True, commas=True),
        topic=KEYWORD(stored=True, commas=True),
        source=ID(stored=True),
        date=DATETIME(stored=True, sortable=True),
    )


def document(article: CorpusArticle) -> dict[str, Any]:
    """Return the add_document keyword arguments of an article."""
    doc: dict[str, Any] = {"id": article.id, "headline": article.headline, "body": article.body}
    if article.author:
        doc["author"] = ",".join(article.author)
    if article.topic:
        doc["topic"] = ",".join(article.topic)
    if article.source:
        doc["source"] = article.source
    if article.date is not None:
        doc["date"] = article.date
    return doc


class WhooshPeer:
    """Plain Whoosh (the library newsarchive is built on, without our analysis, batching or numpy facets)."""

    name = "whoosh"

    def __init__(self) -> None:
        self._ix: Any = None
        self._searcher: Any = None
        self._parsers: dict[bool, Any] = {}

    def build(self, corpus: Path, folder: Path, procs: int) -> None:
        """Create the index and add every article with one default writer and one commit."""
        folder.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(folder), schema())
        self._write(ix, corpus, "add_document")

    def rerun(self, corpus: Path, folder: Path, procs: int) -> None:
        """Update every article again (the docs' incremental-indexing recipe, with no change detection)."""
        self._write(index.open_dir(str(folder)), corpus, "update_document")

    def add(self, extra: Path, folder: Path, procs: int) -> None:
        """Add the new articles."""
        self._write(index.open_dir(str(folder)), extra, "add_document")

    @staticmethod
    def _write(ix: Any, corpus: Path, method: str) -> None:
        writer = ix.writer()
        try:
            write = getattr(writer, method)
            for article in read_corpus(corpus):
                write(**document(article))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def open(self, folder: Path) -> None:
        """Open the index and a searcher."""
        self._ix = index.open_dir(str(folder))
        self._searcher = self._ix.searcher()
        fields = ["headline", "body"]
        self._parsers = {
            False: MultifieldParser(fields, self._ix.schema),
            True: MultifieldParser(fields, self._ix.schema, group=OrGroup),
        }

    def close(self) -> None:
        """Close the searcher."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def run(self, q: BenchQuery) -> Outcome:
        """Run one search, or a more-like-this lookup."""
        searcher = self._searcher
        if q.related_to is not None:
            docnum = searcher.document_number(id=q.related_to)
            ids = [hit["id"] for hit in searcher.more_like(docnum, "body", top=RELATED_LIMIT)]
            return Outcome(total=len(ids), ids=ids)
        text = query_text(q)
        parsed = self._parsers[q.any_words].parse(text) if text else query.Every()
        options: dict[str, Any] = {"filter": _filter(q)}
        if q.sort == "newest" or not text:  # no words to rank by: newest first, as newsarchive does
            options.update(sortedby="date", reverse=True)
        facets = _facets(q)
        if facets:
            options.update(groupedby=facets, maptype=sorting.Count)
        start = (q.page - 1) * q.per_page
        results = searcher.search(parsed, limit=start + q.per_page, **options)
        hits = results[start:start + q.per_page]
        outcome = Outcome(total=len(results), ids=[hit["id"] for hit in hits])
        if q.facets:
            outcome.facets = {name: _groups(results, name) for name in ("topic", "author", "source", "year")}
        if q.timeline:
            outcome.timeline = _groups(results, "month")
        if q.snippets:
            outcome.snippets = [hit.highlights("body") for hit in hits]
        return outcome


def _filter(q: BenchQuery) -> Any:
    """Return the date range and topic filter as one query, or None."""
    parts: list[Any] = []
    if q.date_from is not None or q.date_to is not None:
        start = datetime.combine(q.date_from, time.min) if q.date_from else None
        end = datetime.combine(q.date_to, time.max) if q.date_to else None
        parts.append(query.DateRange("date", start, end))
    if q.topics:
        parts.append(query.Or([query.Term("topic", topic) for topic in q.topics]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def _date_key(pattern: str) -> Callable[[int], str]:
    def translate(raw: int) -> str:
        return "" if raw == _MISSING_DATE else long_to_datetime(raw).strftime(pattern)

    return translate


def _facets(q: BenchQuery) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    if q.facets:
        facets["topic"] = sorting.FieldFacet("topic", allow_overlap=True)
        facets["author"] = sorting.FieldFacet("author", allow_overlap=True)
        facets["source"] = sorting.FieldFacet("source")
        facets["year"] = sorting.TranslateFacet(_date_key("%Y"), sorting.FieldFacet("date"))
    if q.timeline:
        facets["month"] = sorting.TranslateFacet(_date_key("%Y-%m"), sorting.FieldFacet("date"))
    return facets


def _groups(results: Any, name: str) -> dict[str, int]:
    counts = {str(key): int(count) for key, count in results.groups(name).items() if key not in ("", None)}
    return top_counts(counts, FACET_LIMIT) if name in ("topic", "author", "source") else dict(sorted(counts.items()))

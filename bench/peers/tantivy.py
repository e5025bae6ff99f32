"""Tantivy through its official Python bindings (`tantivy`, pinned in the `bench` extra).

Choices, each what a tantivy user following its docs would do:
- schema: headline and body with the built-in `en_stem` tokenizer (words, lowercase, Snowball English stems; no
  stop words); id, author, topic and source as `raw` text (one term per value), the facets among them `fast`;
  date as an indexed, fast date. Tantivy's aggregations have no calendar months, so `year` and `month` are
  written as raw fast text at indexing, as newsarchive's schema does.
- build: one `index.writer(num_threads=procs)`, `add_document` per article, one commit, then
  `wait_merging_threads()` so the build's time includes the merges it starts (and queries do not race them).
- rerun: tantivy has no update: `delete_documents_by_term("id", ...)` then `add_document` for every article, one
  commit (no change detection). add: `add_document` of the new articles.
- queries: `index.parse_query` over headline and body with `field_boosts={"headline": 2.0}` (like ours and the
  FTS5 peer), every word quoted (so "and", "or", "not" stay words), `conjunction_by_default` for AND; the
  prefix as a `regex_query` `pre.*` on the stemmed terms (the query parser has no single-word wildcard, and
  `phrase_prefix_query` expands to at most 50 terms); the date range and topics as boolean Must clauses with a
  constant score of 0; facets and the timeline as one `terms` aggregation request over the whole result set;
  snippets from a `SnippetGenerator` on the body.
- related: `more_like_this_query` of the article, 20 terms like ours, every term eligible (the defaults keep only
  words found in 5 articles or more and twice in the article, which leaves little in a small corpus), the
  article itself left out.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from typing import Any

import tantivy

from . import FACET_LIMIT, RELATED_LIMIT, BenchQuery, CorpusArticle, Outcome, read_corpus

HEADLINE_BOOST = 2.0
RELATED_TERMS = 20
ALL_VALUES = 100_000  # aggregation size for year and month: every value


def schema() -> tantivy.Schema:
    """Return the index schema."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("headline", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    for name in ("author", "topic", "source"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    for name in ("year", "month"):
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    builder.add_date_field("date", stored=True, indexed=True, fast=True)
    return builder.build()


def document(article: CorpusArticle) -> tantivy.Document:
    """Return the tantivy document of an article."""
    doc = tantivy.Document()
    for name in ("id", "headline", "body"):
        doc.add_text(name, getattr(article, name))
    if article.source:
        doc.add_text("source", article.source)
    for name in ("author", "topic"):
        for value in getattr(article, name):
            doc.add_text(name, value)
    if article.date is not None:
        doc.add_date("date", article.date)
        doc.add_text("year", f"{article.date:%Y}")
        doc.add_text("month", f"{article.date:%Y-%m}")
    return doc


class TantivyPeer:
    """Tantivy (Rust) with its BM25 ranking and aggregations."""

    name = "tantivy"

    def __init__(self) -> None:
        self._ix: tantivy.Index | None = None
        self._searcher: tantivy.Searcher | None = None

    def build(self, corpus: Path, folder: Path, procs: int) -> None:
        """Create the index and add every article in one commit."""
        folder.mkdir(parents=True, exist_ok=True)
        self._write(tantivy.Index(schema(), path=str(folder), reuse=False), corpus, procs, replace=False)

    def rerun(self, corpus: Path, folder: Path, procs: int) -> None:
        """Delete and add every article again, in one commit."""
        self._write(tantivy.Index.open(str(folder)), corpus, procs, replace=True)

    def add(self, extra: Path, folder: Path, procs: int) -> None:
        """Add the new articles in one commit."""
        self._write(tantivy.Index.open(str(folder)), extra, procs, replace=False)

    @staticmethod
    def _write(ix: tantivy.Index, corpus: Path, procs: int, replace: bool) -> None:
        writer = ix.writer(num_threads=procs)
        try:
            for article in read_corpus(corpus):
                if replace:
                    writer.delete_documents_by_term("id", article.id)
                writer.add_document(document(article))
        except BaseException:
            writer.rollback()
            raise
        writer.commit()
        writer.wait_merging_threads()

    def open(self, folder: Path) -> None:
        """Open the index and a searcher."""
        self._ix = tantivy.Index.open(str(folder))
        self._searcher = self._ix.searcher()

    def close(self) -> None:
        """Drop the searcher (the bindings close files when the objects go)."""
        self._ix = self._searcher = None

    def run(self, q: BenchQuery) -> Outcome:
        """Run one search, or a more-like-this lookup."""
        ix, searcher = self._ix, self._searcher
        if ix is None or searcher is None:
            raise RuntimeError("open() the peer before running queries")
        if q.related_to is not None:
            return _related(ix, searcher, q.related_to)
        full = _query(ix, q)
        options: dict[str, Any] = {}
        if q.sort == "newest" or not (q.words or q.prefix):  # no words to rank by: newest first, as ours
            options.update(order_by_field="date", order=tantivy.Order.Desc)
        found = searcher.search(full, limit=q.per_page, offset=(q.page - 1) * q.per_page, **options)
        docs = [searcher.doc(address) for _, address in found.hits]
        outcome = Outcome(total=found.count, ids=[doc["id"][0] for doc in docs])  # type: ignore[attr-defined]
        if q.facets or q.timeline:
            _aggregate(searcher, full, q, outcome)
        if q.snippets:
            generator = tantivy.SnippetGenerator.create(searcher, full, ix.schema, "body")
            outcome.snippets = [generator.snippet_from_doc(doc).to_html() for doc in docs]
        return outcome


def _query(ix: tantivy.Index, q: BenchQuery) -> tantivy.Query:
    """Return the whole query: the words, the prefix, and the filters."""
    fields = [q.field] if q.field else ["headline", "body"]
    must: list[tantivy.Query] = []
    words = [w.lower().replace('"', " ").strip() for w in q.words]
    words = [w for w in words if w]
    if words:
        text = '"' + " ".join(words) + '"' if q.phrase else " ".join(f'"{w}"' for w in words)
        if q.field:
            text = f"{q.field}:({text})"
        must.append(ix.parse_query(text, ["headline", "body"], field_boosts={"headline": HEADLINE_BOOST},
                                    conjunction_by_default=not q.any_words))
    if q.prefix:
        pattern = re.escape(q.prefix.lower()) + ".*"
        regexes = [tantivy.Query.regex_query(ix.schema, name, pattern) for name in fields]
        must.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, r) for r in regexes]))
    for condition in _filters(ix, q):
        must.append(tantivy.Query.const_score_query(condition, 0.0))
    if not must:
        return tantivy.Query.all_query()
    return must[0] if len(must) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Must, m) for m in must])


def _filters(ix: tantivy.Index, q: BenchQuery) -> list[tantivy.Query]:
    filters = []
    if q.date_from is not None or q.date_to is not None:
        start = datetime.combine(q.date_from, time.min) if q.date_from else tantivy.MIN_DATETIME
        end = datetime.combine(q.date_to, time.max) if q.date_to else tantivy.MAX_DATETIME
        filters.append(tantivy.Query.range_query(ix.schema, "date", tantivy.FieldType.Date, start, end))
    if q.topics:
        filters.append(tantivy.Query.term_set_query(ix.schema, "topic", list(q.topics)))
    return filters


def _aggregate(searcher: tantivy.Searcher, full: tantivy.Query, q: BenchQuery, outcome: Outcome) -> None:
    """Count facets and months over the whole result set, in one aggregation request."""
    sizes: dict[str, int] = {}
    if q.facets:
        sizes.update(topic=FACET_LIMIT, author=FACET_LIMIT, source=FACET_LIMIT, year=ALL_VALUES)
    if q.timeline:
        sizes["month"] = ALL_VALUES
    request = {name: {"terms": {"field": name, "size": size}} for name, size in sizes.items()}
    answer = searcher.aggregate(full, request)
    counts = {name: {str(b["key"]): int(b["doc_count"]) for b in answer[name]["buckets"]} for name in sizes}
    for name in ("year", "month"):
        if name in counts:
            counts[name] = dict(sorted(counts[name].items()))
    if q.facets:
        outcome.facets = {name: counts[name] for name in ("topic", "author", "source", "year")}
    if q.timeline:
        outcome.timeline = counts["month"]


def _related(ix: tantivy.Index, searcher: tantivy.Searcher, article_id: str) -> Outcome:
    found = searcher.search(tantivy.Query.term_query(ix.schema, "id", article_id), limit=1)
    if not found.hits:
        raise KeyError(article_id)
    address = found.hits[0][1]
    like = tantivy.Query.more_like_this_query(
        address, min_doc_frequency=1, min_term_frequency=1, max_query_terms=RELATED_TERMS
    )
    hits = searcher.search(like, limit=RELATED_LIMIT + 1).hits
    ids = [searcher.doc(a)["id"][0] for _, a in hits]
    ids = [i for i in ids if i != article_id][:RELATED_LIMIT]
    return Outcome(total=len(ids), ids=ids)

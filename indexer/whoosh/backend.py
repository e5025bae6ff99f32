"""The Whoosh backend: newsarchive's SearchBackend (indexer/backend.py) on an embedded Whoosh index.

Queries, filters, facets, snippets, suggestions, related articles and lookups by id, and the writes of indexing
runs. It speaks only our own dataclasses, so the CLI and the web app never see a Whoosh type.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.index import LockError
from whoosh.util.times import long_to_datetime

from ..aliases import configured_aliases
from ..backend import FIRST_PAGE, Batch
from ..display import display_headline
from ..errors import ArticleNotFoundError, IndexLockedError
from ..facetpages import FacetRequest, check_facet_request, facet_page
from ..languages import ENGLISH
from ..records import Article
from ..request import FACETS, STATS_FACETS, Paging, Search, check_paging, check_search
from ..results import (
    SUGGEST_BELOW,
    CheckReport,
    FacetPage,
    FacetValue,
    IndexFingerprint,
    IndexStats,
    Related,
    RelatedArticle,
    SearchPage,
    facet_values,
)
from ..settings import SYNONYMS, read_settings
from ..spans import Span
from ..suggest import DEFAULT_SUGGESTIONS, Suggestions, Typed, check_suggest
from .analysis import ANALYZER_VERSION, language_aware
from .bulk import PARALLEL_MIN_DOCS, Builders, adding
from .check import check_index
from .facets import IndexView, SegmentCache
from .generation import Generation, Matches, facet_counts, highlight_terms
from .grouping import story_count
from .highlight import mark_all, query_spans
from .hits import hit_of
from .keywords import key_words
from .languages import per_language
from .limits import DEFAULT_TIME_LIMIT, Deadline
from .merging import bulk_segments_to_merge, merge_all, tiered_merge
from .query import parse_query_once
from .schema import (
    LANGUAGE_FIELD,
    SCHEMA_VERSION,
    SEARCH_FIELDS,
    STORY_FIELD,
    StoredArticles,
    article_to_document,
    build_schema,
    document_to_article,
    name_fields,
)
from .scoring import DEFAULT_RANKING, Ranking, evaluate, top
from .spelling import suggest_query
from .storage import commit_state, open_index, segment_count
from .storage import writer as index_writer
from .suggest import complete
from .suggest import suggest as suggestions
from .synonyms import QuerySynonyms
from .words import WordStore, document_terms

# Searchers replaced by a newer generation are closed this long after, when no request can still be using them.
RETIRE_AFTER_SECONDS = 120.0


class WhooshBackend:
    """Search one Whoosh index folder; safe to share between threads, and sees new commits without a restart."""

    name = "whoosh"
    merges_itself = False
    schema_version = str(SCHEMA_VERSION)

    def __init__(self, folder: Path, time_limit: float | None = DEFAULT_TIME_LIMIT,
                 ranking: Ranking = DEFAULT_RANKING) -> None:
        self.folder = folder
        self.time_limit = time_limit  # seconds a search may take (None: no limit); see limits.py
        self.ranking = ranking  # BM25F parameters; see scoring.py
        self._ix: Any = None  # opened on first use, so a backend can be made before its index exists
        self._cache = SegmentCache()
        self._words = WordStore(folder)  # autocomplete's words (words.py)
        self._builders = Builders()  # the processes that write an indexing run's segments (bulk.py)
        self._lock = threading.Lock()
        self._using = threading.RLock()
        self._current: Generation | None = None
        self._retired: list[tuple[float, Any]] = []
        self._synonyms = QuerySynonyms(read_settings((SYNONYMS,))["SYNONYMS"])

    def close(self) -> None:
        """Close every open searcher, and stop the indexing run's processes."""
        with self._lock:
            for _, searcher in self._retired:
                searcher.close()
            if self._current is not None:
                self._current.searcher.close()
            self._retired, self._current = [], None
        self._words.close()
        self._builders.close()

    def _index(self) -> Any:
        """Return the open Whoosh index, opening it (IndexNotFoundError until there is one)."""
        if self._ix is None:
            self._ix = open_index(self.folder)
        return self._ix

    def clear_caches(self) -> None:
        """Forget decoded postings (kept for popular terms; see postings.py) and terms' statistics; the arrays of
        segments stay."""
        self._cache.clear()

    @contextmanager
    def _generation(self) -> Iterator[Generation]:
        """Yield the newest committed state of the index."""
        with self._lock:
            current = self._current
            if current is None or not current.searcher.up_to_date():
                # A new searcher, not searcher.refresh(): refresh() shares segment readers with the old searcher,
                # so closing the retired one would close readers the new one still uses.
                searcher = self._index().searcher()
                if current is not None:
                    self._retired.append((time.monotonic(), current.searcher))
                current = Generation.of(searcher, self._cache)
                self._current = current
            self._close_retired()
        # Whoosh's readers share one file object per segment file, and a read is a seek then a read: threads using
        # one searcher at once read at each other's positions. So one thread at a time (the work is Python, which
        # holds the GIL anyway); exports read with searchers of their own.
        with self._using:
            yield current

    def _close_retired(self) -> None:
        now = time.monotonic()
        for entry in [e for e in self._retired if now - e[0] > RETIRE_AFTER_SECONDS]:
            entry[1].close()
            self._retired.remove(entry)

    def search(self, search: Search, paging: Paging = FIRST_PAGE) -> SearchPage:
        """Run a search: one page of hits, the total, facet counts and maybe a suggestion."""
        started = time.perf_counter()
        check_search(search)
        check_paging(paging)
        with self._generation() as gen:
            match = Matches.of(gen, search, self.ranking, Deadline(self.time_limit), self._synonyms)
            start, stop = paging.start, paging.start + paging.per_page
            terms = per_language(match.analysed, lambda q: highlight_terms(gen, q))
            grouped = search.group == "story"
            ranked = match.stories.ranked(gen.view, search.sort, start, stop) if grouped else (
                match.ranked(gen, start, stop))
            hits = [hit_of(gen, self._cache, d, score, terms, grouped) for d, score in ranked]
            facets = {name: self._facet(gen.view, search, paging, name, match.base, match.chosen) for name in FACETS}
            total = int(match.final.sum())
            suggestion = self._suggest(gen, search, match.user_query, total)
            counted = match.final if search.count == "articles" else (
                match.stories.representative_mask(gen.view.size))
            days = tuple(gen.view.day_counts(counted))
            stories = story_count(gen.view, match.final)
        took = (time.perf_counter() - started) * 1000
        return SearchPage(search, paging, total, tuple(hits), facets, suggestion, took, days, stories=stories,
                          also_searched=match.also_searched)

    def facet_page(self, wanted: FacetRequest) -> FacetPage:
        """Return a page of one facet's values for a search: every value counted over the matches, as search() counts
        the facet, then searched and paged (indexer/facetpages.py)."""
        check_facet_request(wanted)
        with self._generation() as gen:
            match = Matches.of(gen, wanted.search, self.ranking, Deadline(self.time_limit))
            counts = facet_counts(gen.view, wanted.search, wanted.name, match.base, match.chosen)
        return facet_page(wanted, counts)

    def iter_matches(self, search: Search, limit: int) -> Iterator[Article]:
        """Return an iterator over every article a search matches, in its order, up to limit (for exports).

        The matching runs now, so a bad request raises QueryError here; the articles are read as the iterator is
        consumed, from a searcher of its own that stays open until it finishes or is closed.
        """
        check_search(search)
        with self._lock:
            searcher = self._index().searcher()
        try:
            gen = Generation.of(searcher, self._cache)
            match = Matches.of(gen, search, self.ranking, Deadline(self.time_limit), self._synonyms)
            ranked = match.stories.ranked(gen.view, search.sort, 0, limit) if search.group == "story" else (
                match.ranked(gen, 0, limit))
            docnums = [d for d, _ in ranked]
        except BaseException:
            searcher.close()
            raise
        return StoredArticles(searcher, docnums)

    def _facet(self, view: IndexView, search: Search, paging: Paging, name: str, base: np.ndarray,
               chosen: dict[str, np.ndarray]) -> tuple[FacetValue, ...]:
        counts = facet_counts(view, search, name, base, chosen)
        return facet_values(name, counts, getattr(search, name), paging.facet_limit)

    def _suggest(self, gen: Generation, search: Search, user_query: Any, total: int) -> str | None:
        if user_query is None or total > SUGGEST_BELOW:
            return None
        suggestion = suggest_query(gen.searcher.reader(), search.query, gen.corrections)
        if suggestion is None:
            return None
        # Counted as a search for it would count (as the Solr backend does): by our matching, not Whoosh's matchers
        # (tens of milliseconds per suggestion on Reuters).
        corrected = Matches.of(gen, Search(query=suggestion, match=search.match), self.ranking,
                               Deadline(self.time_limit))
        return suggestion if int(corrected.final.sum()) > total else None

    def suggest(self, prefix: str, limit: int = DEFAULT_SUGGESTIONS) -> Suggestions:
        """Return completions of the last word typed, most frequent first, and a few headlines holding the words."""
        check_suggest(prefix, limit)
        typed = Typed.of(prefix)
        found = complete(self._words, typed, limit)
        with self._generation() as gen:
            analyzers = {language: gen.analyzer(language) for language in gen.languages_of(())} or {
                "": gen.analyzer("")}
            return suggestions(typed, found, gen.searcher, gen.view, analyzers)

    def article(self, article_id: str) -> Article:
        """Return an article by id, or raise ArticleNotFoundError."""
        with self._generation() as gen:
            return self._article(gen, article_id)[1]

    def _article(self, gen: Generation, article_id: str) -> tuple[int, Article]:
        docnum = gen.searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(f"no article with id {article_id!r}")
        return docnum, document_to_article(gen.searcher.stored_fields(docnum))

    def highlight_article(self, article: Article, query_text: str, synonyms: bool = True) -> str:
        """Return the article body as HTML with the words matching a query in <mark> (escaped otherwise)."""
        return mark_all(article, self.match_spans(article, query_text, synonyms))

    def match_spans(self, article: Article, query_text: str, synonyms: bool = True) -> tuple[Span, ...]:
        """Return every occurrence of a query's words and phrases in an article (see highlight.query_spans)."""
        with self._generation() as gen:
            language = article.language if gen.languages and article.language != ENGLISH else ""
            user_query = parse_query_once(gen.parsers.parser("any", language or ENGLISH), query_text)
            analyzer = gen.analyzer(language)
        if synonyms:
            user_query, _ = self._synonyms.expand(user_query, analyzer)
        return query_spans(user_query, article, analyzer)

    def related(self, article_id: str, limit: int = 10) -> Related:
        """Return the articles most like one article: its key words, searched and ranked as any other query."""
        with self._generation() as gen:
            docnum, article = self._article(gen, article_id)
            words = key_words(gen.searcher, gen.view, article, gen.languages)
            if not words:
                return Related(article_id, [])
            # Unweighted, as Lucene's more-like-this by default: BM25F's idf already weighs the words.
            like = wq.Or([wq.Term(field, word) for word in words for field in SEARCH_FIELDS])
            found = evaluate(like, gen.searcher, gen.view, self.ranking, Deadline(self.time_limit))
            found.mask[docnum] = False
            related = []
            for other_docnum, score in top(found.scores, found.mask, 0, limit):
                other = document_to_article(gen.searcher.stored_fields(other_docnum))
                related.append(RelatedArticle(other.id, display_headline(other), other.date, other.source, score))
            return Related(article_id, related)

    def stats(self, top: int = 10) -> IndexStats:
        """Return what the index holds."""
        with self._generation() as gen:
            view = gen.view
            bounds = view.date_bounds(view.live)
            first, last = (long_to_datetime(b) for b in bounds) if bounds else (None, None)
            tops = {name: tuple(FacetValue(v, c) for v, c in view.counts(name, view.live)[:top])
                    for name in STATS_FACETS}
            segments = len(gen.view.leaves)
            return IndexStats(int(view.live.sum()), first, last, tops, segments)

    def fingerprint(self) -> IndexFingerprint:
        """Return the fingerprint of the latest commit: its table of contents' generation, segments and time."""
        with self._lock:
            state = commit_state(self._index())
        return IndexFingerprint.of(self.name, state.articles, state.committed, self.schema_version, ANALYZER_VERSION,
                                   state.marker)

    def check(self, thorough: bool = False) -> CheckReport:
        """Verify the index folder: segments, counts, schema version, manifest (see check.py)."""
        return check_index(self.folder, thorough=thorough)

    # The write side (indexer/build.py calls these under the folder's run lock).

    def prepare(self, rebuild: bool = False) -> None:
        """Create the index if the folder has none (rebuild: start it afresh, whatever its version)."""
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            if rebuild or not whoosh_index.exists_in(str(self.folder)):
                self._ix = whoosh_index.create_in(str(self.folder), build_schema())
            else:  # made before stories or languages: the fields are added, nothing rewritten
                wanted = {"story": STORY_FIELD, "language": LANGUAGE_FIELD, **name_fields()}
                missing = {name: made for name, made in wanted.items() if name not in self._index().schema}
                if missing:
                    writer = index_writer(self._ix)
                    for name, made in missing.items():
                        writer.add_field(name, made)
                    writer.commit()
            ix = self._index()
        self._words.catch_up(ix)

    def article_count(self) -> int:
        """Return how many articles the index holds (from its table of contents: no segment is opened)."""
        with self._lock:
            return int(self._index().doc_count())

    def segment_count(self) -> int:
        """Return how many segments the index has (0 when empty)."""
        with self._lock:
            return segment_count(self._index())

    def expect(self, articles: int, procs: int = 1) -> None:
        """Start the writing processes in the background once a batch is large enough to be spread over them."""
        if procs > 1 and articles >= PARALLEL_MIN_DOCS:
            self._builders.start(procs)

    def commit(self, batch: Batch, procs: int = 1) -> None:
        """Write one batch in one commit: all of it lands, or none of it does."""
        with self._lock:
            ix = self._index()
        marks = language_aware(ix.schema["body"].analyzer)  # an index built before languages: English throughout
        aliases = configured_aliases()  # the variants the query fields of names search
        try:
            writer = index_writer(ix)
        except LockError as err:
            raise IndexLockedError("the index is locked by another writer; try again when it finishes") from err
        try:
            for article_id in batch.deletes:
                writer.delete_by_term("id", article_id)
            articles = []
            for article, update in batch.articles.values():
                if update:
                    writer.delete_by_term("id", article.id)
                articles.append(article)
            # A bulk commit: ten of the load's earlier segments merged in one process while the others write it.
            bulk = procs > 1 and len(articles) >= PARALLEL_MIN_DOCS
            sources = bulk_segments_to_merge(writer.segments) if bulk else []
            merging = self._builders.merge(ix, sources, procs) if sources else None
            make = partial(article_to_document, languages=marks, aliases=aliases)  # in the writing processes
            segments, added = self._builders.write(ix, articles, procs, document_terms, make)
            merged = None if merging is None else merging.result()
            # autocomplete's words of what is written (counted as it was) and of what it replaces
            words = self._words.before(ix, batch, added)
            writer.commit(mergetype=adding(segments, tiered_merge, merged, sources))
        except BaseException:
            writer.cancel()
            raise
        self._words.after(ix, words, self._builders.call)

    def optimize(self) -> None:
        """Merge every segment into one, dropping deleted articles, unless it is one already (see merging.py)."""
        with self._lock:
            ix = self._index()
        if segment_count(ix) <= 1 and ix.doc_count_all() == ix.doc_count():
            return
        words = self._words.before(ix, Batch())
        try:
            writer = index_writer(ix)
        except LockError as err:
            raise IndexLockedError("the index is locked by another writer; try again when it finishes") from err
        try:
            writer.commit(mergetype=merge_all)
        except BaseException:
            writer.cancel()
            raise
        self._words.after(ix, words)  # the same articles: the counts stand for the new generation

"""The Solr backend: newsarchive's SearchBackend (indexer/backend.py) on a SolrCloud collection.

Queries are parsed and analysed as on the Whoosh backend and translated to Solr's JSON Query DSL (query.py);
filters are tagged so that each facet is counted without its own selection (JSON Facet API, excludeTags), as on
Whoosh; the timeline counts days; snippets are made here from the stored text with the same highlighter and
analyzer as Whoosh's, so they are escaped and marked exactly the same. Exports page with cursorMark (any depth).
Related articles are Lucene's more-like-this done here: the article's key words by tf-idf from the collection's
document frequencies (the pre-analysed fields leave Solr no analyzer to re-read the text with), searched as any
query. Searches ask for shards.tolerant: a page missing a shard says it is partial (its facets unrefined:
Solr cannot refine them with a shard missing). Writes are batches committed hard before they are reported.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..aliases import configured_aliases
from ..backend import FIRST_PAGE, Batch
from ..display import display_headline
from ..errors import (
    ArticleNotFoundError,
    BackendUnavailableError,
    IndexNotFoundError,
    QueryError,
)
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
from ..settings import SOLR_SETTINGS, SYNONYMS, read_settings
from ..spans import Span
from ..suggest import DEFAULT_SUGGESTIONS, Suggestions, check_suggest
from ..whoosh.analysis import ANALYZER_VERSION, language_analyzer
from ..whoosh.highlight import mark_all, query_spans
from ..whoosh.languages import LanguageParsers, LanguageQuery, analysed_query, searched_languages
from ..whoosh.query import parse_query, parse_query_once
from ..whoosh.schema import SEARCH_FIELDS, build_schema
from ..whoosh.spelling import edit_distance
from ..whoosh.synonyms import QuerySynonyms
from .assembly import PARAMS, fuzzy_expanded, make_hit, near_pattern, search_request
from .check import check_collection, segment_count
from .client import SolrAccessError, SolrClient, SolrError, client_of, term_counts
from .documents import article_to_solr, solr_to_article, story_id
from .grouping import (
    STORY_TAG,
    buckets,
    facet_of,
    facet_request,
    representatives,
    stories_of,
    story_days,
)
from .keywords import key_words
from .provision import SOLR_SCHEMA_VERSION, init_collection
from .query import values_filter
from .suggest import suggest as suggest_words

# Stored fields a hit or an article needs.
FIELDS = "id,headline,body,author,topic,source,date,url,related_headlines,story,language,people,orgs,places"
# Cursor pages of an export.
EXPORT_BATCH = 500


class SolrBackend:
    """Search one SolrCloud collection; the index folder keeps the manifest and run lock of indexing runs."""

    name = "solr"
    merges_itself = True  # its merge policy; `optimize` (forceMerge) is rarely worth it
    schema_version = f"solr-{SOLR_SCHEMA_VERSION}"

    def __init__(self, folder: Path, client: SolrClient | None = None, shards: int = 1, replicas: int = 1) -> None:
        self.folder = folder
        self.client = client or client_of(read_settings(SOLR_SETTINGS))
        # The shape of the collection the first indexing run creates when there is none (`solr init` chooses).
        self.shards, self.replicas = shards, replicas
        # The query language's parsers and analysis, the same as Whoosh's (each article's text in its language).
        self._parsers = LanguageParsers(build_schema())
        self._synonyms = QuerySynonyms(read_settings((SYNONYMS,))["SYNONYMS"])

    def close(self) -> None:
        """Nothing is held open between requests."""

    # Reading

    def search(self, search: Search, paging: Paging = FIRST_PAGE) -> SearchPage:
        """Run a search: one page of hits, the total, facet counts, the timeline and maybe a suggestion."""
        started = time.perf_counter()
        check_search(search)
        check_paging(paging)
        analysed = self._parsed(search)
        user_query = analysed.query
        grouped, by_stories = search.group == "story", search.count == "stories"
        request = self._request(search, user_query)
        request.update(offset=paging.start, limit=paging.per_page, fields=FIELDS + ",score")
        request["facet"] = {name: facet_request(name, grouped, by_stories) for name in FACETS}
        request["facet"]["day"] = facet_of("day", (), grouped, False, sort="index asc")
        request["facet"]["stories"] = "unique(story)"
        request["facet"]["articles"] = {"type": "query", "q": "*:*", "domain": {"excludeTags": STORY_TAG}}
        answer = self._select(request)
        docs = representatives(answer) if grouped else answer["response"]["docs"]
        named = [story for doc in docs if (story := story_id(doc.get("story")))]
        refs = stories_of(self._select, dict(PARAMS), named, grouped)
        hits = tuple(make_hit(doc, analysed, refs, grouped) for doc in docs)
        total = int(answer.get("facets", {}).get("articles", {}).get("count", 0))
        facets = {name: facet_values(name, buckets(answer, name, by_stories), getattr(search, name),
                                     paging.facet_limit) for name in FACETS}
        counted = story_days(self._select, request) if by_stories else answer
        # In date order, as on Whoosh (_buckets lists largest first).
        days = tuple(sorted((date.fromisoformat(value), count) for value, count in buckets(counted, "day")))
        suggestion = self._suggest(search, user_query, total)
        took = (time.perf_counter() - started) * 1000
        stories = int(answer.get("facets", {}).get("stories", 0))
        return SearchPage(search, paging, total, hits, facets, suggestion, took, days,
                          partial=_partial(answer) or _partial(counted), stories=stories,
                          also_searched=analysed.also_searched)

    def facet_page(self, wanted: FacetRequest) -> FacetPage:
        """Return a page of one facet's values for a search: every value counted (limit -1, as search() counts the
        facet: exact over shards), then searched and paged here, as on Whoosh (indexer/facetpages.py)."""
        check_facet_request(wanted)
        search = wanted.search
        request = self._request(search, self._parsed(search).query)
        by_stories = search.count == "stories"
        request.update(limit=0, facet={wanted.name: facet_request(wanted.name, search.group == "story", by_stories)})
        answer = self._select(request)
        return facet_page(wanted, buckets(answer, wanted.name, by_stories), _partial(answer))

    def iter_matches(self, search: Search, limit: int) -> Iterator[Article]:
        """Return every article a search matches, in its order, up to limit: cursor pages, no depth cap."""
        check_search(search)
        request = self._request(search, self._parsed(search).query)
        request.update(limit=min(EXPORT_BATCH, max(limit, 1)), fields=FIELDS)
        request["params"]["cursorMark"] = "*"
        first = self._whole(self._select(request))  # a bad request or a shard down fails here, before the first
        return self._cursor(request, first, limit, search.group == "story")

    def _cursor(self, request: dict[str, Any], answer: dict[str, Any], limit: int,
                grouped: bool) -> Iterator[Article]:
        given = 0
        while True:
            for doc in representatives(answer) if grouped else answer["response"]["docs"]:
                if given >= limit:
                    return
                yield solr_to_article(doc)
                given += 1
            following = answer.get("nextCursorMark")
            if not answer["response"]["docs"] or following == request["params"]["cursorMark"] or given >= limit:
                return
            request["params"]["cursorMark"] = following
            answer = self._whole(self._select(request))

    def _whole(self, answer: dict[str, Any]) -> dict[str, Any]:
        """Return an export's page, or raise BackendUnavailableError when a shard did not answer: an export is
        complete or it is not made (a page of results can say partial; a file cannot)."""
        if _partial(answer):
            raise BackendUnavailableError(
                "a part of the archive (a Solr shard) did not answer, so an export would miss its articles: start "
                "the node that holds it (`newsarchive check` says which shard), then export again")
        return answer

    def article(self, article_id: str) -> Article:
        """Return an article by id, or ArticleNotFoundError (BackendUnavailableError when a shard that may hold it
        did not answer).

        A search by id over every shard, not a real-time get: the collection is routed by story, so the id alone
        does not say which shard holds it. Batches are committed hard before they are reported, so it is seen then.
        """
        answer = self._select({"query": values_filter("id", (article_id,)), "limit": 1, "fields": FIELDS,
                               "params": dict(PARAMS)})
        docs = answer["response"]["docs"]
        if docs:
            return solr_to_article(docs[0])
        if _partial(answer):
            raise BackendUnavailableError(
                f"the Solr shard that may hold article {article_id!r} did not answer: start the node that holds it "
                "(`newsarchive check` says which shard)")
        raise ArticleNotFoundError(f"no article with id {article_id!r}")

    def highlight_article(self, article: Article, query_text: str, synonyms: bool = True) -> str:
        """Return the article body as HTML with the words matching a query in <mark> (escaped otherwise)."""
        return mark_all(article, self.match_spans(article, query_text, synonyms))

    def suggest(self, prefix: str, limit: int = DEFAULT_SUGGESTIONS) -> Suggestions:
        """Return completions of the last word typed, most frequent first, and a few headlines holding the words
        (suggest.py: the terms component over the `words` field, and one search)."""
        check_suggest(prefix, limit)
        return suggest_words(self, prefix, limit)

    def match_spans(self, article: Article, query_text: str, synonyms: bool = True) -> tuple[Span, ...]:
        """Return every occurrence of a query's words and phrases in an article: the Whoosh backend's function
        over the same analysis (the collection holds text pre-analysed by it)."""
        language = article.language or ENGLISH
        analyzer = language_analyzer(language)
        user_query = parse_query_once(self._parsers.parser("any", language), query_text)
        if synonyms:
            user_query, _ = self._synonyms.expand(user_query, analyzer)
        return query_spans(user_query, article, analyzer)

    def related(self, article_id: str, limit: int = 10) -> Related:
        """Return the articles most like one article: its key words (tf-idf), searched as any other query."""
        article = self.article(article_id)
        words = key_words(article, self.article_count(), self._get)
        if not words:
            return Related(article_id, [])
        like = {"bool": {"should": [{"term": {"f": field, "query": word}}
                                    for word in words for field in SEARCH_FIELDS],
                         "must_not": [{"term": {"f": "id", "query": article.id}}]}}
        answer = self._select({"query": like, "limit": limit, "fields": "id,headline,body,date,source,score",
                               "sort": "score desc,id asc", "params": dict(PARAMS)})
        related = []
        for doc in answer["response"]["docs"]:
            other = solr_to_article(doc)
            related.append(RelatedArticle(other.id, display_headline(other), other.date, other.source,
                                          float(doc.get("score", 0.0))))
        return Related(article_id, related, _partial(answer))

    def stats(self, top: int = 10) -> IndexStats:
        """Return what the collection holds."""
        facet: dict[str, Any] = {name: facet_request(name) for name in STATS_FACETS}
        facet["first"] = "min(date)"
        facet["last"] = "max(date)"
        answer = self._select({"query": {"lucene": {"query": "*:*"}}, "limit": 0, "facet": facet,
                               "params": {**dict(PARAMS), "shards.info": "true"}})
        facets = answer.get("facets", {})
        tops = {name: tuple(FacetValue(v, c) for v, c in buckets(answer, name)[:top]) for name in STATS_FACETS}
        first, last = (_naive(facets.get(key)) for key in ("first", "last"))
        documents = int(answer["response"]["numFound"])
        try:
            shards = self._cluster_status().get("shards", {})
            segments, count = segment_count(self.client, shards), len(shards)
        except SolrAccessError:  # a user with read rights only: what the search itself says
            segments, count = None, max(1, len(answer.get("shards.info", {})))
        return IndexStats(documents, first, last, tops, segments, count, _partial(answer))

    def fingerprint(self) -> IndexFingerprint:
        """Return the fingerprint of the collection: its count and newest version, in one search a reader may run.

        Solr's version numbers grow with every update, and their high bits are its time in ms (`version >> 20`);
        Solr 9 computes max() of a long field as a long, exact. A delete alone changes the count, not the newest.
        """
        answer = self._select({"query": {"lucene": {"query": "*:*"}}, "limit": 0,
                               "facet": {"newest": "max(_version_)"}, "params": dict(PARAMS)})
        newest = answer.get("facets", {}).get("newest")
        when = datetime.fromtimestamp((int(newest) >> 20) // 1000, UTC) if newest is not None else None
        # A shard that did not answer: the figures are partial, and say so by a digest no whole answer has.
        state = f"{self.client.collection}:{newest}:{'partial' if _partial(answer) else 'whole'}"
        return IndexFingerprint.of(self.name, int(answer["response"]["numFound"]), when, self.schema_version,
                                   ANALYZER_VERSION, state)

    def check(self, thorough: bool = False) -> CheckReport:
        """Verify the collection: it exists with this schema version, every shard has an active leader."""
        return check_collection(self.folder, self.client, self._cluster_status, self.article_count)

    # Writing (indexer/build.py calls these under the folder's run lock)

    def prepare(self, rebuild: bool = False) -> None:
        """Create the collection if there is none (as `solr init` would), or check its schema version; rebuild:
        delete every article in it."""
        init_collection(self.client.urls, self.client.collection, self.shards, self.replicas, client=self.client)
        self.folder.mkdir(parents=True, exist_ok=True)
        if rebuild:
            self._update('{"delete":{"query":"*:*"}}')

    def article_count(self) -> int:
        """Return how many articles the collection holds."""
        answer = self._select({"query": {"lucene": {"query": "*:*"}}, "limit": 0, "params": dict(PARAMS)})
        return int(answer["response"]["numFound"])

    def segment_count(self) -> int:
        """Return how many Lucene segments the shards' leaders hold (Solr merges them itself: merges_itself)."""
        return segment_count(self.client, self._cluster_status().get("shards", {}))

    def expect(self, articles: int, procs: int = 1) -> None:
        """Nothing to start: Solr's nodes are running."""

    def commit(self, batch: Batch, procs: int = 1) -> None:
        """Send one batch (deletes first, then the articles, each replacing any of its id) and commit it hard.

        The collection is routed by story, and an article's story may change: deletes and replaced articles go by
        query, to every shard, before the articles are added.
        """
        gone = [*batch.deletes, *(article.id for article, update in batch.articles.values() if update)]
        commands = ['"delete":' + json.dumps({"query": query}) for query in _id_queries(gone)]
        aliases = configured_aliases()  # the variants the query fields of names search
        commands += ['"add":{"doc":' + json.dumps(article_to_solr(article, aliases), ensure_ascii=False) + "}"
                     for article, _ in batch.articles.values()]
        if commands:
            self._update("{" + ",".join(commands) + "}")

    def optimize(self) -> None:
        """Merge each shard's segments into one (Solr's forceMerge): rarely worth it on Solr."""
        self.client.request("POST", self.client.collection_path("update"),
                            {"optimize": "true", "maxSegments": 1, "waitSearcher": "true"}, b"", "application/json",
                            timeout=3600)

    # Helpers

    def _parsed(self, search: Search) -> LanguageQuery:
        """Return a search's query analysed in each language searched, with the synonyms of its words unless
        switched off (see indexer/whoosh/languages.py)."""
        languages = searched_languages(self._languages(), search.language)
        return analysed_query(self._parsers, search.query, search.match, languages,
                              None if search.synonyms == "off" else self._synonyms)

    def _languages(self) -> list[str]:
        """Return the languages of the collection's articles (a facet over all of them: a few values)."""
        answer = self._select({"query": "*:*", "limit": 0, "params": dict(PARAMS),
                               "facet": {"language": {"type": "terms", "field": "language", "limit": -1}}})
        return [value for value, _ in buckets(answer, "language")]

    def _request(self, search: Search, user_query: Any) -> dict[str, Any]:
        """Return the JSON request of a search (assembly.search_request), its fuzzy words expanded from the
        collection's own words."""
        return search_request(search, fuzzy_expanded(user_query, self._words_near))

    def _words_near(self, field: str, word: str, maxdist: int) -> list[str]:
        """Return the field's indexed words within maxdist edits of a word (the terms component, then checked)."""
        answer = self._get("terms", {"terms.fl": field, "terms.regex": near_pattern(word, maxdist),
                                     "terms.limit": -1, "terms.sort": "index"})
        return [other for other in term_counts(answer, field) if edit_distance(word, other) <= maxdist]

    def _select(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.client.post_json(self.client.collection_path("select"), request)
        except SolrError as err:
            if err.status == 404:
                raise self._missing() from err
            if err.status >= 500:
                raise BackendUnavailableError(f"the Solr cluster could not answer this search ({_said(err)}): "
                                              "check its nodes (`newsarchive check`)") from err
            raise QueryError(f"the Solr backend refused this search: {err}") from err

    def _get(self, handler: str, params: dict[str, Any]) -> dict[str, Any]:
        if handler == "terms":  # spelling and related articles: what the shards that answer hold
            params = {**params, **PARAMS}
        try:
            return self.client.get(self.client.collection_path(handler), params)
        except SolrError as err:
            if err.status == 404:
                raise self._missing() from err
            raise

    def _update(self, body: str) -> None:
        try:
            self.client.request("POST", self.client.collection_path("update"), {"commit": "true"}, body.encode(),
                                "application/json")
        except SolrError as err:
            if err.status == 404:
                raise self._missing() from err
            if err.status >= 500:  # a shard's leader did not answer ("N Async exceptions during distributed update")
                raise BackendUnavailableError(
                    f"the Solr cluster could not write this batch ({_said(err)}): a node holding a shard is down; the "
                    "batch is not reported indexed: start the node and run again") from err
            raise

    def _cluster_status(self) -> dict[str, Any]:
        answer = self.client.get("/admin/collections", {"action": "CLUSTERSTATUS",
                                                         "collection": self.client.collection})
        found = answer.get("cluster", {}).get("collections", {}).get(self.client.collection)
        if found is None:
            raise self._missing()
        return dict(found)

    def _missing(self) -> IndexNotFoundError:
        return IndexNotFoundError(f"no collection {self.client.collection!r} on the Solr cluster: create it with "
                                  "`newsarchive solr init`, then `newsarchive index PATH`")

    def _suggest(self, search: Search, user_query: Any, total: int) -> str | None:
        """Return a correction of a query that finds little (from the collection's own words), if it finds more."""
        if user_query is None or total > SUGGEST_BELOW:
            return None
        from .spelling import suggest

        suggestion = suggest(self, search.query)
        if suggestion is None:
            return None
        found = self._select({**self._request(Search(query=suggestion, match=search.match),
                                              parse_query(self._parsers.parser(search.match), suggestion)),
                             "limit": 0})
        return suggestion if int(found["response"]["numFound"]) > total else None


def _id_queries(ids: list[str], chunk: int = 500) -> list[str]:
    """Return delete-by-query queries of these ids, a few hundred each, by the terms parser with a separator that
    none of them holds (the collection is routed by story: a delete by id would not know its shard)."""
    queries = []
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        separator = next((c for c in "|^`~\u00a6\u00a7\u00b6" if not any(c in i for i in part)), None)
        if separator is None:
            queries += [f'id:"{_lucene_quoted(i)}"' for i in part]
        else:
            queries.append(f"{{!terms f=id separator='{separator}'}}" + separator.join(part))
    return queries


def _lucene_quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _said(err: SolrError) -> str:
    return str(err).rstrip(": ")


def _partial(answer: dict[str, Any]) -> bool:
    return bool(answer.get("responseHeader", {}).get("partialResults"))


def _naive(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, (int, float)):
        return None
    return datetime.fromisoformat(str(value).rstrip("Z")).replace(tzinfo=None)

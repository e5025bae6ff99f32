"""A search as the Solr backend asks it (the JSON Query DSL request: query, filters, order) and its answer's
documents as hits, snippets made here with Whoosh's highlighter (backend.py sends and pages them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh import query as wq

from ..display import display_headline
from ..request import Search, date_range
from ..results import MAX_COPIES, Hit, StoryRef
from ..whoosh.analysis import language_analyzer
from ..whoosh.highlight import snippet
from ..whoosh.languages import LanguageQuery
from ..whoosh.schema import FACET_FIELDS
from .documents import solr_to_article
from .grouping import EARLIEST, STORY_TAG, earliest_key, story_copy
from .query import date_filter, leaves_matcher, to_dsl, values_filter

# What every request asks: a page from the shards that answer (SearchPage.partial says when one did not).
PARAMS: dict[str, Any] = {"shards.tolerant": "true"}


def search_request(search: Search, user_query: Any) -> dict[str, Any]:
    """Return the JSON request of what a search matches, in its order (limit, fields, facets left to add)."""
    query = {"lucene": {"query": "*:*"}} if user_query is None else to_dsl(user_query)
    filters: list[Any] = []
    start, end = date_range(search.date_from, search.date_to)
    if start is not None or end is not None:
        filters.append(date_filter(start, end))
    for name, values in search.selections().items():
        filters.append({f"#{name}": values_filter(FACET_FIELDS[name], values)})
    if search.story:
        filters.append(values_filter("story", search.story))
    params = dict(PARAMS)
    if search.group == "story":
        # One article a story: its best-scoring match when ranked by relevance (the earliest is found by
        # expand, _representatives), else its earliest match, so stories sort by their earliest version.
        by_score = user_query is not None and search.sort == "relevance"
        head = "" if by_score else f" sort='{EARLIEST}'"
        filters.append(f"{{!collapse tag={STORY_TAG} field=story{head}}}")
        if by_score:
            params.update({"expand": "true", "expand.rows": 1, "expand.sort": EARLIEST})
    return {"query": query, "filter": filters, "sort": _sort(search, user_query), "params": params}


def fuzzy_expanded(user_query: Any, words_near: Callable[[str, str, int], list[str]]) -> Any:
    """Return the query with each fuzzy word replaced by the indexed words it matches, as Whoosh expands it
    (Levenshtein distance; Lucene's fuzzy query would count a transposition as one edit, and match more)."""

    def expand(query: Any) -> Any:
        if not isinstance(query, wq.FuzzyTerm):
            return query
        text, prefix = str(query.text), int(query.prefixlength)
        near = words_near(query.fieldname, text, int(query.maxdist))
        words = {text, *(w for w in near if w[:prefix] == text[:prefix])}
        return wq.Or([wq.Term(query.fieldname, word) for word in sorted(words)])

    return None if user_query is None else user_query.accept(expand)


def make_hit(doc: dict[str, Any], analysed: LanguageQuery,
         stories: dict[str, tuple[StoryRef, list[dict[str, Any]]]], grouped: bool) -> Hit:
    article = solr_to_article(doc)
    text = article.body or article.headline
    # Marked by its own language's query, in its language's analysis.
    analyzer, matches = language_analyzer(article.language), leaves_matcher(analysed.of(article.language))
    terms = frozenset(t.text for t in analyzer(text) if matches(t.text))
    ref, members = stories.get(article.story, (None, []))
    copies = None
    if grouped:
        others = sorted((m for m in members if m["id"] != article.id), key=earliest_key)[:MAX_COPIES]
        copies = tuple(story_copy(solr_to_article(m)) for m in others)
    return Hit(id=article.id, headline=display_headline(article), author=article.author, date=article.date,
               topic=article.topic, source=article.source, url=article.url,
               snippet=snippet(text, terms, analyzer),
               score=None if analysed.query is None else float(doc["score"]), story=ref, copies=copies,
               language=article.language, people=article.people, orgs=article.orgs, places=article.places)


def near_pattern(word: str, maxdist: int) -> str:
    """Return a Java regular expression that every word within maxdist edits of `word` matches (a superset)."""
    if maxdist != 1:
        return f".{{{max(1, len(word) - maxdist)},{len(word) + maxdist}}}"
    letters = [c if c.isalnum() else "\\" + c for c in word]
    options = {"".join(letters[:i] + [replacement] + letters[i + 1:]) for i in range(len(letters))
               for replacement in ("", ".")}  # a letter deleted or replaced
    options |= {"".join(letters[:i] + ["."] + letters[i:]) for i in range(len(letters) + 1)}  # one inserted
    return "|".join(sorted(options))


def _sort(search: Search, user_query: Any) -> str:
    if user_query is not None and search.sort == "relevance":
        return "score desc,date desc,id asc"
    return "date asc,id asc" if search.sort == "oldest" else "date desc,id asc"

"""Stories on Solr: one article a story (collapse, and expand for the earliest), each story's size and outlets, its
first copies, and day counts of stories; the facets of a search, counted in articles or stories.

The collection is routed by story, so a story's articles are on one shard, as collapse, expand and unique() need.
Grouped, a story is shown by its earliest matching article; ranked by relevance, by its best score (as on Whoosh:
indexer/whoosh/grouping.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..display import display_headline
from ..records import Article
from ..results import MAX_COPIES, StoryCopy, StoryRef
from ..whoosh.schema import FACET_FIELDS
from .query import values_filter

STORY_TAG = "stories"  # the tag of the collapse filter, which facets and totals exclude to count articles
EARLIEST = "date asc,id asc"  # a story's representative: its earliest article (undated last: sortMissingLast)

Select = Callable[[dict[str, Any]], dict[str, Any]]  # a JSON request to the collection's select handler -> its answer


def representatives(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Return each story's earliest matching article in place of its best match (grouped by relevance): the
    expanded article when it is earlier, with the best match's score."""
    expanded = answer.get("expanded", {})
    docs = []
    for doc in answer["response"]["docs"]:
        earlier = expanded.get(doc.get("story"), {}).get("docs", [])
        if earlier and earliest_key(earlier[0]) < earliest_key(doc):
            doc = {**earlier[0], "score": doc.get("score")}
        docs.append(doc)
    return docs


def stories_of(select: Select, params: dict[str, Any], stories: list[str],
               grouped: bool) -> dict[str, tuple[StoryRef, list[dict[str, Any]]]]:
    """Return each story's size and outlets, and (grouped) its first MAX_COPIES articles by date."""
    if not stories:
        return {}
    request: dict[str, Any] = {
        "query": values_filter("story", tuple(dict.fromkeys(stories))), "limit": len(stories) if grouped else 0,
        "fields": "id,headline,date,source,story", "params": dict(params),
        "facet": {"sizes": {"type": "terms", "field": "story", "limit": -1, "domain": {"excludeTags": STORY_TAG},
                            "facet": {"outlets": "unique(source_exact)"}}},
    }
    if grouped:
        request["filter"] = [f"{{!collapse tag={STORY_TAG} field=story sort='{EARLIEST}'}}"]
        request["params"].update({"expand": "true", "expand.rows": MAX_COPIES, "expand.sort": EARLIEST})
    answer = select(request)
    expanded = answer.get("expanded", {})
    found = {}
    for bucket in answer.get("facets", {}).get("sizes", {}).get("buckets", []):
        story = str(bucket["val"])
        ref = StoryRef(story, int(bucket["count"]), int(bucket.get("outlets", 0)))
        heads = [doc for doc in answer["response"]["docs"] if doc.get("story") == story]
        found[story] = (ref, heads + expanded.get(story, {}).get("docs", []))
    return found


def story_days(select: Select, request: dict[str, Any]) -> dict[str, Any]:
    """Return the day counts of a search's stories: each story once, on the day of its earliest match."""
    filters = [f for f in request["filter"] if not (isinstance(f, str) and f.startswith("{!collapse"))]
    filters.append(f"{{!collapse field=story sort='{EARLIEST}'}}")
    params = {k: v for k, v in request["params"].items() if not k.startswith("expand")}
    return select({"query": request["query"], "filter": filters, "limit": 0, "params": params,
                   "facet": {"day": {"type": "terms", "field": "day", "limit": -1}}})


def facet_request(name: str, grouped: bool = False, by_stories: bool = False) -> dict[str, Any]:
    """Return the JSON facet of one facet: counted without its own selection, as on Whoosh."""
    # Every value, cut to the page's top N here (facet_values): a distributed top N (each shard's top N, merged)
    # misses values whose count is spread over the shards and lists lower ones (tests/test_solr_equal.py).
    return facet_of(FACET_FIELDS[name], (name,), grouped, by_stories)


def facet_of(field: str, excluded: tuple[str, ...], grouped: bool, by_stories: bool,
             sort: str | None = None) -> dict[str, Any]:
    """Return a terms facet of every value, over every match (not one a story when grouped); by_stories: with each
    value's number of stories (exact: a story's articles are on one shard)."""
    made: dict[str, Any] = {"type": "terms", "field": field, "limit": -1, "mincount": 1}
    tags = [*excluded, *([STORY_TAG] if grouped else [])]
    if tags:
        made["domain"] = {"excludeTags": ",".join(tags)}
    if by_stories:
        made["facet"] = {"stories": "unique(story)"}
    if sort:
        made["sort"] = sort
    return made


def buckets(answer: dict[str, Any], name: str, by_stories: bool = False) -> list[tuple[str, int]]:
    """Return a facet's (value, count) pairs, largest first, ties by value (as the Whoosh backend lists them);
    by_stories: each value's number of stories."""
    found = answer.get("facets", {}).get(name, {}).get("buckets", [])
    pairs = [(str(b["val"]), int(b["stories"] if by_stories else b["count"])) for b in found]
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))


def earliest_key(doc: dict[str, Any]) -> tuple[bool, str, str]:
    """Sort key of a story's articles, earliest first, undated last, then by id (as EARLIEST sorts them)."""
    return (doc.get("date") is None, str(doc.get("date") or ""), str(doc["id"]))


def story_copy(article: Article) -> StoryCopy:
    """Return how a grouped hit lists one of its story's other articles."""
    return StoryCopy(article.id, display_headline(article), article.date, article.source)

"""What an HTML page says about its article: JSON-LD, Open Graph and article:* tags, plain meta tags and <time>.

Each kind of markup is read on its own into a PageMeta; html.py merges them field by field, in the order of how
carefully publishers keep them: JSON-LD (what search engines read), then Open Graph and article:* (what social
sites read), then the plain tags (<meta name="author">, <time datetime>, <link rel="canonical">).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..entities import KINDS, kind_of_schema_type
from ..records import clean_values
from .mapping import authors_of, text_of, topics_of

ARTICLE = "article"
# JSON-LD types of pages that list articles rather than being one (section fronts, tag pages, author pages).
LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"})
# Where an article sits inside a JSON-LD document; ItemList entries are not looked into (they are other stories).
_CONTAINER_KEYS = ("@graph", "mainEntity")
_MAX_DEPTH = 4
# Names read from one JSON-LD list (about, mentions): a page listing more is not telling what it is about.
_MAX_ITEMS = 200
_URL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
# CMSs wrap JSON-LD in HTML comments or CDATA, and some end it with a semicolon.
_WRAPPING = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>|;)\s*$")


@dataclass(frozen=True)
class PageMeta:
    """The article fields one kind of markup gives ("" or () where it says nothing)."""

    headline: str = ""
    author: tuple[str, ...] = ()
    date: str = ""  # as written; parsed where the layers are merged
    topic: tuple[str, ...] = ()
    publisher: str = ""
    url: str = ""
    kind: str = ""  # "article"; another type the page declares ("website", "CollectionPage"); "" when untyped
    language: str = ""  # as written ("fr-FR"); normalised where the layers are merged
    people: tuple[str, ...] = ()  # JSON-LD about and mentions of type Person
    orgs: tuple[str, ...] = ()  # ... of type Organization (or a subtype)
    places: tuple[str, ...] = ()  # ... of type Place (or a subtype), and contentLocation


def read_meta(tree: Any) -> list[PageMeta]:
    """Read a parsed page's JSON-LD, Open Graph and plain tags, in that order of priority."""
    tags = _meta_tags(tree)
    return [_json_ld(tree), _open_graph(tags), _plain(tree, tags)]


def _json_ld(tree: Any) -> PageMeta:
    nodes: list[Mapping[str, Any]] = []
    for script in tree.xpath("//script[contains(translate(@type, 'JSONLD', 'jsonld'), 'ld+json')]"):
        try:
            nodes.extend(_nodes(json.loads(_WRAPPING.sub("", script.text or "")), _MAX_DEPTH))
        except (ValueError, RecursionError):
            continue  # a broken block is common and costs only this layer: the other markup still counts
    article = next((node for node in nodes if any(_is_article(t) for t in _types(node))), None)
    if article is None:
        listing = next((t for node in nodes for t in _types(node) if t in LISTING_TYPES), "")
        return PageMeta(kind=listing)
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    authors = article.get("author") or article.get("creator")
    return PageMeta(
        headline=text_of(article.get("headline") or article.get("name")),
        author=_names(_resolve(authors, by_id)),
        date=text_of(article.get("datePublished") or article.get("dateCreated")),
        topic=topics_of(article.get("articleSection")) + topics_of(article.get("keywords")),
        publisher=text_of(_resolve(article.get("publisher"), by_id)),
        url=_url_of(article.get("url")) or _url_of(article.get("mainEntityOfPage")),
        kind=ARTICLE,
        language=text_of(article.get("inLanguage")),
        **_named(article, by_id),
    )


def _named(article: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    """The people, organisations and places an article node is about or mentions (by their schema.org types; an
    untyped item says nothing of its kind and is left out), and where it is set (contentLocation: places)."""
    found: dict[str, list[str]] = {kind.attribute: [] for kind in KINDS}
    for key in ("about", "mentions"):
        for item in _items(_resolve(article.get(key), by_id)):
            kind = next((k for k in map(kind_of_schema_type, _types(item)) if k), None)
            if kind is not None:
                found[kind.attribute].append(text_of(item.get("name")))
    located = _resolve(article.get("contentLocation"), by_id)
    for place in (located if isinstance(located, list) else [located])[:_MAX_ITEMS]:
        if isinstance(place, str):  # "contentLocation": "Geneva"
            found["places"].append(place)
        elif isinstance(place, Mapping):
            found["places"].append(text_of(place.get("name")) or text_of(place.get("address")))
    return {name: tuple(n for n in clean_values(names) if not _URL.match(n)) for name, names in found.items()}


def _items(value: object) -> list[Mapping[str, Any]]:
    """The objects of a value that is an object or a list of them (other items left out)."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items[:_MAX_ITEMS] if isinstance(item, Mapping)]


def _nodes(data: object, depth: int) -> Iterator[Mapping[str, Any]]:
    """The objects of a JSON-LD document: top-level ones and those under @graph or mainEntity."""
    if depth <= 0:
        return
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item, depth - 1)
    elif isinstance(data, Mapping):
        yield data
        for key in _CONTAINER_KEYS:
            yield from _nodes(data.get(key), depth - 1)


def _types(node: Mapping[str, Any]) -> list[str]:
    """A node's types without their vocabulary prefix ("schema:NewsArticle", "http://schema.org/NewsArticle")."""
    value = node.get("@type")
    types = value if isinstance(value, list) else [value]
    return [re.split(r"[/:#]", t)[-1] for t in types if isinstance(t, str)]


def _is_article(type_name: str) -> bool:
    # Article, NewsArticle, ReportageNewsArticle, OpinionNewsArticle, ..., BlogPosting, LiveBlogPosting.
    return type_name.endswith(("Article", "BlogPosting"))


def _resolve(value: object, by_id: Mapping[str, Mapping[str, Any]], depth: int = _MAX_DEPTH) -> object:
    """Replace references ({"@id": ...}, as Yoast and others write authors and publishers) by their nodes."""
    if isinstance(value, list):
        return [_resolve(item, by_id, depth - 1) for item in value] if depth > 0 else []
    if isinstance(value, Mapping) and "name" not in value and isinstance(value.get("@id"), str):
        return by_id.get(value["@id"], value)
    return value


def _url_of(value: object) -> str:
    """A URL given as text or as an object ({"@type": "WebPage", "@id": "https://..."})."""
    if isinstance(value, Mapping):
        value = value.get("@id") or value.get("url")
    return value.strip() if isinstance(value, str) else ""


def _names(value: object) -> tuple[str, ...]:
    # Profile links ("https://social.example/jdoe") stand in for names in some author fields: not names.
    return tuple(name for name in authors_of(value) if not _URL.match(name))


def _meta_tags(tree: Any) -> dict[str, list[str]]:
    """The page's <meta> values by lower-cased property or name ("og:title", "author"), in page order."""
    tags: dict[str, list[str]] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        value = " ".join(meta.get("content").split())
        if key and value:
            tags.setdefault(key, []).append(value)
    return tags


def _open_graph(tags: Mapping[str, list[str]]) -> PageMeta:
    def first(key: str) -> str:
        return tags.get(key, [""])[0]

    og_type = first("og:type").lower()
    published = first("article:published_time")
    return PageMeta(
        headline=first("og:title"),
        author=_names(tags.get("article:author", [])),
        date=published,
        topic=topics_of(tags.get("article:section", []) + tags.get("article:tag", [])),
        publisher=first("og:site_name"),
        url=first("og:url"),
        kind=ARTICLE if og_type == ARTICLE or published else og_type,
        language=first("og:locale"),
    )


def _plain(tree: Any, tags: Mapping[str, list[str]]) -> PageMeta:
    # A <time> inside the <article> is the story's; elsewhere it may be a sidebar's or a comment's.
    times = tree.xpath("//article//time/@datetime") or tree.xpath("//time/@datetime")
    canonical = tree.xpath("//link[translate(@rel, 'CANONIAL', 'canonial')='canonical']/@href")
    # <html lang>, else the older <meta http-equiv="content-language">.
    lang = tree.xpath("/html/@lang | /html/@xml:lang") or tags.get("content-language", [])
    return PageMeta(
        author=_names(tags.get("author", [])),
        date=str(times[0]) if times else "",
        url=str(canonical[0]).strip() if canonical else "",
        language=str(lang[0]) if lang else "",
    )

"""What the search page shows, built from a SearchPage: facet groups, chips, pages and the timeline chart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import g, url_for

from indexer.entities import KINDS, names_of
from indexer.languages import language_name
from indexer.records import Article
from indexer.request import COUNTS, EVERYTHING, GROUPS, MATCHES, SORTS, Search, build_params
from indexer.results import CHRONOLOGICAL, FacetValue, SearchPage

from .params import article_key

# How the page names each sort and word matching of indexer.request (a KeyError at once if one is added there).
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first"}
MATCH_LABELS = {"all": "All the words", "any": "Any of the words"}
GROUP_LABELS = {"story": "One per story", "none": "Every copy"}
COUNT_LABELS = {"articles": "Articles", "stories": "Stories"}
FACET_TITLES = {"topic": "Topic", "author": "Author", "source": "Source", "year": "Year", "month": "Month",
                "language": "Language", **{kind.facet: kind.title for kind in KINDS}}
FACET_PLURALS = {"topic": "topics", "author": "authors", "source": "sources", "year": "years", "month": "months",
                 "language": "languages", **{kind.facet: kind.plural for kind in KINDS}}
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
# Labels under the timeline at most (half as many where it is narrow); counts printed above bars up to COUNTED_BARS.
AXIS_LABELS = 12
COUNTED_BARS = 12
PAGE_WINDOW = 2
# What Werkzeug's url_for leaves unescaped in a query string (werkzeug.urls._urlencode): see with_query.
_QUERY_SAFE = "!$'()*,/:;?@"


# Values of a facet shown at once; the rest sit behind a visible "more" (no scroll box hidden in the sidebar).
FACET_SHOWN = 8


@dataclass(frozen=True)
class FacetGroup:
    """One facet of the sidebar: the values shown at once (the selected ones among them) and the rest."""

    name: str
    title: str
    values: tuple[FacetValue, ...]
    cut: bool = False  # the search page lists only its top values: more may be reached through the facet's page

    @property
    def searchable(self) -> bool:
        """Return whether the facet gets a search box and a page of every value (years and months are all listed)."""
        return self.name not in CHRONOLOGICAL

    @property
    def plural(self) -> str:
        """Return what the facet's values are called ("authors")."""
        return FACET_PLURALS[self.name]

    @property
    def shown(self) -> tuple[FacetValue, ...]:
        """Return the first FACET_SHOWN values, and any selected value beyond them."""
        return tuple(v for i, v in enumerate(self.values) if i < FACET_SHOWN or v.selected)

    @property
    def more(self) -> tuple[FacetValue, ...]:
        """Return the values behind "more"."""
        return tuple(v for i, v in enumerate(self.values) if i >= FACET_SHOWN and not v.selected)


@dataclass(frozen=True)
class Chip:
    """A selection the user made, with the link that removes it."""

    label: str
    remove_url: str


@dataclass(frozen=True)
class Bar:
    """One period of the timeline: a link to its matches unless it has none."""

    label: str  # in full: "Mar 1987", "Mon 2 Mar 1987"
    tick: str | None  # the label under the bar, on the bars that carry one
    minor: bool  # a tick left out where the chart is narrow
    count: int
    url: str | None
    height: float  # percent of the axis
    start: str  # ISO date


@dataclass(frozen=True)
class Chart:
    """The timeline: bars of one unit, the axis' ticks (top first), and the way out of a drill-down."""

    unit: str
    bars: tuple[Bar, ...]
    ticks: tuple[int, ...]
    counted: bool  # few enough bars to print each count above its bar
    zoom_out_url: str | None


@dataclass(frozen=True)
class Trail:
    """Where an article stands in the search it was opened from: the way back, and to its neighbours."""

    back_url: str
    position: int
    total: int
    previous_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class NameLinks:
    """An article's names of one kind, each with the link to the articles naming it (its facet value chosen)."""

    kind: str  # the facet name: person, org, place
    label: str  # "People"
    links: tuple[tuple[str, str], ...]  # (name, URL)


def article_names(article: Article) -> list[NameLinks]:
    """Return the people, organisations and places an article names, as links to the search page's facet."""
    return [NameLinks(kind.facet, kind.plural.capitalize(),
                      tuple((name, _facet_url(kind.facet, name)) for name in names_of(article, kind)))
            for kind in KINDS if names_of(article, kind)]


def _facet_url(facet: str, value: str) -> str:
    """Return the search page's URL of every article with a facet value."""
    return with_query(endpoint_path("views.search"), {facet: value})


def article_url(search: Search, article_id: str, position: int) -> str:
    """Return the URL of an article opened from a search: the search rides along, with the hit's position n."""
    return with_query(url_for("views.article", key=article_key(article_id)),
                      {**build_params(search, page=None), "n": position})


def trail(search: Search, per_page: int, position: int, total: int, neighbours: dict[int, str]) -> Trail:
    """Return the trail of an article at a position of a search (neighbours: position -> article id)."""
    back_page = (position - 1) // per_page + 1
    links = {n: article_url(search, article_id, n) for n, article_id in neighbours.items()}
    return Trail(search_url(search, page=back_page if back_page > 1 else None), position, total,
                 links.get(position - 1), links.get(position + 1))


@dataclass(frozen=True)
class Choice:
    """One of a set of mutually exclusive settings (sort order, word matching), as a link."""

    label: str
    url: str
    current: bool


def sort_choices(search: Search) -> list[Choice]:
    """Return the sort orders a search offers: without a query there is no relevance, and the default is newest."""
    if search.query.strip() in EVERYTHING:
        newest = search.sort != "oldest"
        return [Choice("Newest first", search_url(search, sort=None), newest),
                Choice("Oldest first", search_url(search, sort="oldest"), not newest)]
    return [Choice(SORT_LABELS[value], search_url(search, sort=value if value != "relevance" else None),
                   search.sort == value) for value in SORTS]


def match_choices(search: Search) -> list[Choice]:
    """Return the ways the words of a query can be matched: all of them, or any."""
    return [Choice(MATCH_LABELS[value], search_url(search, match=value if value != "all" else None),
                   search.match == value) for value in MATCHES]


def group_choices(search: Search) -> list[Choice]:
    """Return the ways to list copies of a story: one result per story (the page's default), or every copy."""
    return [Choice(GROUP_LABELS[value], search_url(search, group=value), search.group == value) for value in GROUPS]


def count_choices(search: Search) -> list[Choice]:
    """Return what facets and the timeline can count: articles, or stories (each story once)."""
    return [Choice(COUNT_LABELS[value], search_url(search, count=value if value != "articles" else None),
                   search.count == value) for value in COUNTS]


def every_copy_url(search: Search, story: str) -> str:
    """Return the search listing every article of a story, oldest first."""
    return search_url(Search(), story=[story], group="none", sort="oldest")


def search_url(search: Search, /, **changes: Any) -> str:
    """Return the URL of the search with changes applied (page resets unless given; endpoint= picks the route)."""
    endpoint = changes.pop("endpoint", "views.search")
    changes.setdefault("page", None)
    return with_query(endpoint_path(endpoint), build_params(search, **changes))


def endpoint_path(endpoint: str) -> str:
    """Return url_for(endpoint) (a route without variables), built once per request."""
    paths = g.setdefault("endpoint_paths", {})
    if endpoint not in paths:
        paths[endpoint] = url_for(endpoint)
    return str(paths[endpoint])


def with_query(path: str, params: dict[str, Any]) -> str:
    """Return a path with query parameters, written as url_for writes them (a list: one pair per value; None left
    out). A search page links to dozens of searches, and url_for's route building was a third of its rendering."""
    pairs = [(name, value) for name, given in params.items()
             for value in (given if isinstance(given, (list, tuple, set)) else (given,)) if value is not None]
    return f"{path}?{urlencode(pairs, safe=_QUERY_SAFE)}" if pairs else path


def facet_groups(page: SearchPage) -> list[FacetGroup]:
    """Return the sidebar facets; months only of the selected years (or of the only year)."""
    groups = []
    years = {v.value for v in page.facets.get("year", ())}
    chosen_years = set(page.search.year) or (years if len(years) == 1 else set())
    for name, values in page.facets.items():
        if name == "month":
            values = tuple(v for v in values if v.value[:4] in chosen_years or v.selected)
        if values:
            groups.append(FacetGroup(name, FACET_TITLES[name], values, len(values) >= page.paging.facet_limit))
    return groups


def hidden_fields(search: Search, /, **changes: Any) -> list[tuple[str, str]]:
    """Return a search's parameters (less defaults, with changes) as the name-value pairs of a form's hidden
    fields: a form that carries the search to another page (the facet pages)."""
    params = build_params(search, **{"page": None, **changes})
    return [(name, str(value)) for name, given in params.items()
            for value in (given if isinstance(given, list) else [given])]


def facet_label(value: str, facet: str) -> str:
    """Return how a facet value reads: a month as the timeline writes it ("Mar 1987"), a language by its name
    ("French"), others as they are."""
    if facet == "month" and _MONTH.fullmatch(value):
        return date(int(value[:4]), int(value[5:7]), 1).strftime("%b %Y")
    if facet == "language":
        return language_name(value)
    return value


def chips(search: Search) -> list[Chip]:
    """Return the removable selections: facet values and the date range."""
    found = []
    for name, values in search.selections().items():
        for value in values:
            rest = [v for v in values if v != value] or None
            found.append(Chip(f"{FACET_TITLES[name]}: {facet_label(value, name)}", search_url(search, **{name: rest})))
    if search.date_from:
        found.append(Chip(f"From {search.date_from.isoformat()}", search_url(search, **{"from": None})))
    if search.date_to:
        found.append(Chip(f"To {search.date_to.isoformat()}", search_url(search, to=None)))
    for story in search.story:
        rest = [s for s in search.story if s != story] or None
        found.append(Chip(f"Story {story}", search_url(search, story=rest)))
    return found


def page_numbers(current: int, last: int) -> list[int | None]:
    """Return page numbers to link, with None where a run of pages is left out."""
    shown = {1, last, *range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)}
    numbers: list[int | None] = []
    for number in sorted(shown):
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def timeline(page: SearchPage) -> Chart | None:
    """Return the timeline chart of a page: bars first to last, the axis, and the way back out of a drill-down."""
    found = page.timeline
    if found is None:
        return None
    top = _nice_ceiling(found.tallest)
    step = -(-len(found.periods) // AXIS_LABELS)  # label every step-th bar; every other one of those when narrow
    bars = tuple(
        Bar(p.label, p.short_label if i % step == 0 else None, i % (2 * step) != 0, p.count,
            _period_url(page.search, p.start, p.end) if p.count else None, 100 * p.count / top,
            p.start.isoformat())
        for i, p in enumerate(found.periods)
    )
    ticks = (top, top // 2, 0) if top % 2 == 0 else (top, 0)
    return Chart(found.unit, bars, ticks, len(bars) <= COUNTED_BARS, _zoom_out_url(page.search))


def _nice_ceiling(n: int) -> int:
    """Return the smallest of 1, 2, 5, 10, 20, 50, ... at least n: the top of the axis."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= n:
                return step * scale
        scale *= 10


def _zoom_out_url(search: Search) -> str | None:
    """Return the search a level up from its date range: a month's days go to its year; else to all dates."""
    low, high = search.date_from, search.date_to
    if low is None and high is None:
        return None
    if low is not None and high is not None and low.year == high.year and (high - low).days < 31:
        return _period_url(search, date(low.year, 1, 1), date(low.year, 12, 31))
    return search_url(search, **{"from": None, "to": None})


def _period_url(search: Search, start: date, end: date) -> str:
    return search_url(search, **{"from": start.isoformat(), "to": end.isoformat(), "month": None, "year": None})

"""What the search page shows, built from a SearchPage: facet groups, chips, pages and the timeline bars."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for

from indexer.dates import parse_bound
from indexer.results import FacetValue, SearchPage, SearchRequest

from .params import article_key, request_params

FACET_TITLES = {"topic": "Topic", "author": "Author", "source": "Source", "year": "Year", "month": "Month"}
# Beyond this many months the timeline counts years.
MAX_MONTH_BARS = 48
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"[0-9]{4}")
PAGE_WINDOW = 2


# Values of a facet shown at once; the rest sit behind a visible "more" (no scroll box hidden in the sidebar).
FACET_SHOWN = 8


@dataclass(frozen=True)
class FacetGroup:
    """One facet of the sidebar: the values shown at once (the selected ones among them) and the rest."""

    name: str
    title: str
    values: tuple[FacetValue, ...]

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
    """One period of the timeline."""

    label: str
    count: int
    url: str
    x: float
    height: float


@dataclass(frozen=True)
class Trail:
    """Where an article stands in the search it was opened from: the way back, and to its neighbours."""

    back_url: str
    position: int
    total: int
    previous_url: str | None
    next_url: str | None


def article_url(request: SearchRequest, article_id: str, position: int) -> str:
    """Return the URL of an article opened from a search: the search rides along, with the hit's position n."""
    return url_for("views.article", key=article_key(article_id), **request_params(request, page=None), n=position)


def trail(request: SearchRequest, position: int, total: int, neighbours: dict[int, str]) -> Trail:
    """Return the trail of an article at a position of a search (neighbours: position -> article id)."""
    back_page = (position - 1) // request.per_page + 1
    links = {n: article_url(request, article_id, n) for n, article_id in neighbours.items()}
    return Trail(search_url(request, page=back_page if back_page > 1 else None), position, total,
                 links.get(position - 1), links.get(position + 1))


def search_url(request: SearchRequest, /, **changes: Any) -> str:
    """Return the URL of the request with changes applied (page resets unless given; endpoint= picks the route)."""
    endpoint = changes.pop("endpoint", "views.search")
    changes.setdefault("page", None)
    return url_for(endpoint, **request_params(request, **changes))


def facet_groups(page: SearchPage) -> list[FacetGroup]:
    """Return the sidebar facets; months only of the selected years (or of the only year)."""
    groups = []
    years = {v.value for v in page.facets.get("year", ())}
    chosen_years = set(page.request.year) or (years if len(years) == 1 else set())
    for name, values in page.facets.items():
        if name == "month":
            values = tuple(v for v in values if v.value[:4] in chosen_years or v.selected)
        if values:
            groups.append(FacetGroup(name, FACET_TITLES[name], values))
    return groups


def facet_label(value: str, facet: str) -> str:
    """Return how a facet value reads: a month as the timeline writes it ("Mar 1987"), others as they are."""
    return _label(value) if facet == "month" and _MONTH.fullmatch(value) else value


def chips(request: SearchRequest) -> list[Chip]:
    """Return the removable selections: facet values and the date range."""
    found = []
    for name, values in request.selections().items():
        for value in values:
            rest = [v for v in values if v != value] or None
            found.append(Chip(f"{FACET_TITLES[name]}: {facet_label(value, name)}", search_url(request, **{name: rest})))
    if request.date_from:
        found.append(Chip(f"From {request.date_from.isoformat()}", search_url(request, **{"from": None})))
    if request.date_to:
        found.append(Chip(f"To {request.date_to.isoformat()}", search_url(request, to=None)))
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


def timeline(page: SearchPage, width: float = 600.0, height: float = 80.0) -> list[Bar]:
    """Return a bar per month (or per year, for long spans) from the first to the last matching period."""
    months = _matching_periods(page, "month", _MONTH)
    if not months:
        return []
    periods = _month_range(min(months), max(months))
    if len(periods) > MAX_MONTH_BARS:
        years = _matching_periods(page, "year", _YEAR)
        if not years:
            return []  # only a month the index lacks is selected: nothing matches
        periods = [str(y) for y in range(int(min(years)), int(max(years)) + 1)]
        counts = [years.get(p, 0) for p in periods]
    else:
        counts = [months.get(p, 0) for p in periods]
    tallest = max(counts) or 1
    step = width / len(periods)
    return [
        Bar(_label(p), n, _period_url(page.request, p), i * step, max(1.0, height * n / tallest) if n else 0.0)
        for i, (p, n) in enumerate(zip(periods, counts, strict=True))
    ]


def _matching_periods(page: SearchPage, name: str, shape: re.Pattern[str]) -> dict[str, int]:
    """Return the periods of a facet that hold matches, with their counts.

    A selected value the index lacks is listed with count 0, and it is whatever was typed into the URL ("z",
    "9999-13"): it must not set the timeline's range, which it once stretched without end (or failed to parse).
    """
    return {v.value: v.count for v in page.facets.get(name, ()) if v.count and shape.fullmatch(v.value)}


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    periods = []
    while f"{year:04d}-{month:02d}" <= last:
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def _label(period: str) -> str:
    if len(period) == 4:
        return period
    return date(int(period[:4]), int(period[5:7]), 1).strftime("%b %Y")


def _period_url(request: SearchRequest, period: str) -> str:
    start, end = parse_bound(period), parse_bound(period, end=True)
    return search_url(request, **{"from": start.isoformat(), "to": end.isoformat(), "month": None, "year": None})

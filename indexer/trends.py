"""Coverage over time: how much of the archive each of several queries finds, per day, week, month or year.

Every number comes from `SearchBackend.search(...).days` (matches per day; stories, each on its earliest matching
day, with count=stories), so this works on any engine. Per period: the archive's own total under the shared filters
(every article, or story, they match without a query: the denominator), and per query its count and its share of
that total. A period where the archive holds too little to draw a share is *low* (the rule: `is_low`, below); a
chart marks it and breaks the share line there instead of drawing a drop to nothing.

The parameters of a comparison are declared once, here (`TREND_PARAMS`; the shared filters are the search
parameters of indexer.request named in `SHARED`): the web app parses query strings with `parse_trend_params`, the
OpenAPI document and docs/web.md describe the same names and limits.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from .backend import SearchBackend
from .errors import QueryError
from .request import Paging, Search, build_params, check_search, parse_params
from .timeline import UNITS, Period, choose_unit, period_bounds, period_count, start_of

MAX_QUERIES = 8
MEASURES = ("share", "count")  # what a chart draws; the API and CSV carry both
# More periods than a chart can draw or a reader read (about three years of days): a 400 that says what to change.
MAX_TREND_PERIODS = 1000
# A period is low when the archive holds fewer articles (or stories) in it than LOW_MINIMUM, or than LOW_FRACTION of
# the median period's (the median of the periods that hold any): a share of a handful is noise (one article of three
# is "33 %"), and a gap in the archive is not a gap in coverage.
LOW_MINIMUM = 5
LOW_FRACTION = 0.1
SHARE_DIGITS = 6  # shares are rounded alike in the API and the CSV
# The search parameters every query of a comparison shares (the filters, how words match, what is counted); sort,
# grouping and paging mean nothing here and are ignored.
SHARED = ("topic", "author", "source", "year", "month", "from", "to", "match", "count", "story")
# One match a page is enough: only the day counts are read.
_DAYS_ONLY = Paging(per_page=1, facet_limit=1)


@dataclass(frozen=True)
class TrendParam:
    """A parameter of a comparison beyond the shared filters: its name, what it means, its choices and limits."""

    name: str
    help: str
    choices: tuple[str, ...] = ()
    default: str = ""
    maximum: int | None = None  # how many times it may be given


TREND_PARAMS = (
    TrendParam("q", f"A query to chart, in newsarchive's query language (docs/search.md); repeat it to compare up to "
                    f"{MAX_QUERIES} (empty ones are ignored; each may scope itself, e.g. oil source:reuters).",
               maximum=MAX_QUERIES),
    TrendParam("unit", "The period counted: day, week, month or year. Left out: chosen from the span as the search "
                       "page's timeline does (days within a month, weeks within 26, months within four years, else "
                       "years), then a longer one while more than half the periods that hold any article would be "
                       "low.", choices=UNITS),
    TrendParam("measure", "What the chart draws: each query's share of the archive's articles (or stories) in a "
                          "period, or its count. The API and the CSV carry both.", choices=MEASURES,
               default="share"),
)
_BY_NAME = {param.name: param for param in TREND_PARAMS}


@dataclass(frozen=True)
class TrendRequest:
    """A comparison: the queries, the filters they share (a Search without a query), the unit and the measure."""

    queries: tuple[str, ...]
    filters: Search = Search()
    unit: str | None = None  # None: chosen from the span
    measure: str = "share"

    def to_params(self) -> dict[str, Any]:
        """Return its query-string parameters, less defaults (for links: the CSV, the API, the page)."""
        params: dict[str, Any] = {"q": list(self.queries)}
        params.update(build_params(self.filters, for_page=False))
        params.update(unit=self.unit, measure=None if self.measure == "share" else self.measure)
        params.pop("page", None)
        return {name: value for name, value in params.items() if value not in (None, [], "")}


def parse_trend_params(getlist: Callable[[str], list[str]]) -> TrendRequest:
    """Return the comparison that query-string parameters ask for, or raise QueryError naming the bad one."""
    sent = getlist("q")
    if len(sent) > MAX_QUERIES:  # as sent, before blanks and duplicates, as facets count theirs
        raise QueryError(f"too many queries ({len(sent)}): compare at most {MAX_QUERIES} at once")
    queries = tuple(dict.fromkeys(q.strip() for q in sent if q.strip()))
    filters, _ = parse_params(lambda name: getlist(name) if name in SHARED else [])
    check_search(filters)
    unit = _choice(getlist, _BY_NAME["unit"])
    return TrendRequest(queries, filters, unit or None, _choice(getlist, _BY_NAME["measure"]))


def _choice(getlist: Callable[[str], list[str]], param: TrendParam) -> str:
    values = getlist(param.name)
    if len(values) > 1:
        raise QueryError(f"{param.name} was given {len(values)} times: give it once")
    value = values[0].strip() if values else ""
    if not value:
        return param.default
    if value not in param.choices:
        raise QueryError(f"unknown {param.name} {value[:40]!r}: choose one of {', '.join(param.choices)}")
    return value


@dataclass(frozen=True)
class Series:
    """One query of a comparison: how many articles (and stories) it matches in all, and a spelling suggestion."""

    query: str
    total: int
    stories: int
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this series."""
        return {"query": self.query, "total": self.total, "stories": self.stories, "suggestion": self.suggestion}


@dataclass(frozen=True)
class TrendPeriod:
    """One period: the archive's total in it (`period.count`), each query's count, and whether it is low."""

    period: Period
    counts: tuple[int, ...]
    low: bool

    @property
    def total(self) -> int:
        """Return the archive's articles (or stories) in the period, under the shared filters."""
        return self.period.count

    @property
    def shares(self) -> tuple[float | None, ...]:
        """Return each query's share of the total (None when the archive holds nothing in the period)."""
        return tuple(round(n / self.total, SHARE_DIGITS) if self.total else None for n in self.counts)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this period."""
        return {"start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
                "label": self.period.label, "total": self.total, "low": self.low, "counts": list(self.counts),
                "shares": list(self.shares)}


@dataclass(frozen=True)
class Trends:
    """A comparison's numbers: its series, its periods first to last, and the total below which a period is low."""

    request: TrendRequest
    unit: str | None  # None when no dated article matches the filters (no periods)
    periods: tuple[TrendPeriod, ...]
    series: tuple[Series, ...]
    low_below: float
    partial: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of the comparison (the API's answer)."""
        filters = {name: value for name, value in build_params(self.request.filters, for_page=False).items()
                   if name != "count"}
        return {"queries": list(self.request.queries), "filters": filters, "count": self.request.filters.count,
                "measure": self.request.measure, "unit": self.unit, "low_below": self.low_below,
                "series": [s.to_dict() for s in self.series], "periods": [p.to_dict() for p in self.periods],
                **({"partial": True} if self.partial else {})}


def compute_trends(backend: SearchBackend, request: TrendRequest) -> Trends:
    """Return the numbers of a comparison: one search for the archive's totals and one per query (QueryError naming
    the query that cannot be run)."""
    if not request.queries:
        raise QueryError(f"give at least one query to chart: q=... (repeat q to compare up to {MAX_QUERIES})")
    archive = backend.search(request.filters, _DAYS_ONLY)
    pages = []
    for n, query in enumerate(request.queries, 1):
        try:
            pages.append(backend.search(replace(request.filters, query=query), _DAYS_ONLY))
        except QueryError as err:
            shown = query if len(query) <= 60 else query[:60] + "…"
            raise type(err)(f"query {n} ({shown}): {err}") from err
    series = tuple(Series(q, p.total, p.stories, p.suggestion) for q, p in zip(request.queries, pages, strict=True))
    trends = build_trends(request, archive.days, [p.days for p in pages], series)
    return replace(trends, partial=archive.partial or any(p.partial for p in pages))


def build_trends(request: TrendRequest, totals: Sequence[tuple[date, int]],
                 counts: Sequence[Sequence[tuple[date, int]]], series: tuple[Series, ...]) -> Trends:
    """Return a comparison's periods from day counts: the archive's (totals) and each query's (counts).

    The periods run from the first dated match to the last, or over the filters' from/to where given. Without a unit
    asked for, the timeline's for that span (timeline.choose_unit), then a longer one while more than half the periods
    that hold anything are low: a chart of thin periods draws nothing. QueryError when that is more than
    MAX_TREND_PERIODS periods.
    """
    days = {day for day, n in totals if n} | {day for each in counts for day, n in each if n}
    if not days:
        return Trends(request, request.unit, (), series, low_threshold([]))
    first = request.filters.date_from or min(days)
    last = request.filters.date_to or max(days)
    unit = request.unit or choose_unit(first, last)
    periods, low_below = _periods(unit, first, last, totals, counts)
    while request.unit is None and unit != UNITS[-1] and _mostly_thin(periods):
        unit = UNITS[UNITS.index(unit) + 1]
        periods, low_below = _periods(unit, first, last, totals, counts)
    return Trends(request, unit, periods, series, low_below)


def _mostly_thin(periods: Sequence[TrendPeriod]) -> bool:
    """Return whether more than half the periods that hold anything are low: a longer unit would show more.

    Empty periods are left out: they are gaps in the archive, which no longer unit fills (Reuters-21578 has none
    from May to September 1987, and its months are the unit to show it in).
    """
    held = [p for p in periods if p.total]
    return 2 * sum(p.low for p in held) > len(held)


def _periods(unit: str, first: date, last: date, totals: Sequence[tuple[date, int]],
             counts: Sequence[Sequence[tuple[date, int]]]) -> tuple[tuple[TrendPeriod, ...], float]:
    """Return the periods of a unit from first to last with their totals and counts, and the low threshold."""
    wanted = period_count(unit, first, last)
    if wanted > MAX_TREND_PERIODS:
        raise QueryError(f"{first.isoformat()} to {last.isoformat()} is {wanted:,} {unit}s, more than a chart shows "
                         f"(at most {MAX_TREND_PERIODS:,}): choose a longer unit or a shorter date range (from, to)")
    bounds = period_bounds(unit, first, last)
    total_of = _per_period(unit, totals)
    count_of = [_per_period(unit, each) for each in counts]
    low_below = low_threshold([total_of.get(start, 0) for start, _ in bounds])
    return tuple(
        TrendPeriod(Period(unit, start, end, total_of.get(start, 0)), tuple(c.get(start, 0) for c in count_of),
                    is_low(total_of.get(start, 0), low_below))
        for start, end in bounds), low_below


def _per_period(unit: str, days: Sequence[tuple[date, int]]) -> dict[date, int]:
    found: dict[date, int] = {}
    for day, n in days:
        start = start_of(unit, day)
        found[start] = found.get(start, 0) + n
    return found


def low_threshold(totals: Sequence[int]) -> float:
    """Return the total below which a period is low: LOW_MINIMUM, or LOW_FRACTION of the median of the periods that
    hold anything when that is more."""
    held = [n for n in totals if n > 0]
    # Whole: "fewer than 48" says the same of whole counts as "fewer than 47.2", and reads better.
    return float(max(LOW_MINIMUM, math.ceil(LOW_FRACTION * statistics.median(held)) if held else 0))


def is_low(total: int, low_below: float) -> bool:
    """Return whether the archive holds too little in a period to draw a share (nothing, or below the threshold)."""
    return total == 0 or total < low_below

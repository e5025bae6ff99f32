"""Coverage over time: the /trends page, its frame /embed/trends, /api/trends and /trends.csv, over indexer.trends.

The page and the frame draw the chart on the server (an SVG: no script needed); the API and the CSV carry the same
numbers. Every state is a URL: the queries (`q`, repeated), the filters they share, the unit, the measure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.request import PARAMS, Search, build_params, default_search
from indexer.results import FINGERPRINT_KEY
from indexer.sheets import csv_chunks
from indexer.timeline import UNITS
from indexer.trends import (
    LOW_MINIMUM,
    MAX_QUERIES,
    SHARED,
    TREND_PARAMS,
    TrendRequest,
    Trends,
    compute_trends,
    parse_trend_params,
)

from . import clock
from .downloads import DownloadName, query_slug, set_attachment
from .exports import CSV_TYPE
from .presenters import FACET_TITLES, MATCH_LABELS, Choice, facet_label, search_url
from .provenance import consistent, set_headers
from .responses import EMBED_TRENDS_ENDPOINT, wants_json
from .security import rate_limited
from .service import search_backend
from .trendchart import build_chart, format_value

bp = Blueprint("trends", __name__)
PAGE_ENDPOINT = "trends.page"
EMBED_ENDPOINT = EMBED_TRENDS_ENDPOINT
# Boxes on a page without queries: two, for a comparison. With queries, one more empty box than there are queries
# (up to MAX_QUERIES): how a query is added without a script.
FIRST_BOXES = 2
PAGE_GROUP = default_search(page=True).group  # a query's link to the search page lists it as that page does
UNIT_LABELS = {"day": "Day", "week": "Week", "month": "Month", "year": "Year"}
MEASURE_LABELS = {"share": "Share", "count": "Count"}
COUNT_LABELS = {"articles": "Articles", "stories": "Stories"}
# A parameter left at its default (or empty) says nothing: a URL holding one redirects to the URL without it.
_DEFAULTS = {**{p.name: str(p.default) for p in PARAMS if p.name in SHARED and p.kind == "choice"},
             **{p.name: p.default for p in TREND_PARAMS if p.default}}


def _requested() -> TrendRequest:
    return parse_trend_params(request.args.getlist)


@bp.get("/api/trends")
@rate_limited("search", "RATE_LIMIT")
def api() -> Response:
    """A comparison's numbers as JSON: per period the archive's total and each query's count and share; the index
    fingerprint they were counted on."""
    wanted = _requested()
    found, index = consistent(lambda: compute_trends(search_backend(), wanted))
    return jsonify({**found.to_dict(), "index": index.to_dict()})


@bp.get("/trends.csv")
@rate_limited("search", "RATE_LIMIT")
def download() -> Response:
    """A comparison's numbers as CSV (the API's), named after its queries, with the index fingerprint."""
    wanted = _requested()
    found, index = consistent(lambda: compute_trends(search_backend(), wanted))
    response = Response(_csv(found, index.digest), content_type=CSV_TYPE)
    slug = "trends-" + query_slug(" vs ".join(found.request.queries))
    set_attachment(response.headers, DownloadName(slug, clock.today(), "csv"))
    set_headers(response.headers, index)
    return response


@bp.get("/trends")
@rate_limited("search", "RATE_LIMIT")
def page() -> ResponseReturnValue:
    """The comparison page: the queries' form, the chart with its legend, the numbers as a table."""
    return _render("trends/page.html", PAGE_ENDPOINT)


@bp.get("/embed/trends")
@rate_limited("search", "RATE_LIMIT")
def embed() -> ResponseReturnValue:
    """The chart for an <iframe>: no site chrome, its switches in the frame, the archive's page in a new tab."""
    return _render("trends/embed.html", EMBED_ENDPOINT)


def _render(template: str, endpoint: str) -> ResponseReturnValue:
    """Redirect a URL holding empty or default parameters to the one without; else compare and render (a bad request:
    the page again, with the message and the queries as typed, answered 400)."""
    shorter = _without_blanks(request.args)
    if shorter is not None:
        return redirect(f"{url_for(endpoint)}?{urlencode(shorter)}" if shorter else url_for(endpoint))
    try:
        wanted = _requested()
        found = compute_trends(search_backend(), wanted) if wanted.queries else None
    except QueryError as err:
        if wants_json():
            raise
        typed = tuple(q for q in request.args.getlist("q")[:MAX_QUERIES] if q.strip())
        return render_template(template, **_context(TrendRequest(typed), None, endpoint, error=str(err))), 400
    return render_template(template, **_context(wanted, found, endpoint))


def _without_blanks(args: MultiDict[str, str]) -> list[tuple[str, str]] | None:
    """Return the parameters less the empty and default ones, or None when there are none to leave out."""
    given = list(args.items(multi=True))
    kept = [(name, value) for name, value in given if value.strip() and _DEFAULTS.get(name) != value.strip()]
    return kept if len(kept) < len(given) else None


def trend_url(wanted: TrendRequest, endpoint: str = PAGE_ENDPOINT, **changes: Any) -> str:
    """Return the URL of a comparison with changes applied (None removes a parameter)."""
    params = {**wanted.to_params(), **changes}
    return url_for(endpoint, **{name: value for name, value in params.items() if value not in (None, [], "")})


@bp.app_template_global("search_trend_url")
def search_trend_url(search: Search) -> str:
    """Return the comparison page charting a search's query under its filters (the search page's "Trend" link)."""
    params = {name: value for name, value in build_params(search, for_page=False).items() if name in SHARED}
    return url_for(PAGE_ENDPOINT, q=search.query, **params)


@dataclass(frozen=True)
class Box:
    """A query box of the form: its number, the query in it, and the link that drops it from the comparison."""

    number: int
    value: str
    remove_url: str | None


def _context(wanted: TrendRequest, found: Trends | None, endpoint: str, error: str | None = None) -> dict[str, Any]:
    """Return what the trends templates show."""
    def url(**changes: Any) -> str:
        return trend_url(wanted, endpoint, **changes)

    return {
        "wanted": wanted,
        "trends": found,
        "chart": build_chart(found) if found and found.periods else None,
        "error": error,
        "boxes": _boxes(wanted, None if error else url),
        "kept": [] if error else _kept(wanted),
        "filters": [] if error else _filter_labels(wanted.filters),
        "clear_filters_url": url(**{name: None for name in SHARED if name not in ("from", "to", "count")}),
        "units": [Choice(UNIT_LABELS[u], url(unit=u), wanted.unit == u) for u in UNITS],
        "auto_unit": Choice("Automatic", url(unit=None), wanted.unit is None),
        "measures": [Choice(MEASURE_LABELS[m], url(measure=m if m != "share" else None), wanted.measure == m)
                     for m in MEASURE_LABELS],
        "counts": [Choice(COUNT_LABELS[c], url(count=c if c != "articles" else None), wanted.filters.count == c)
                   for c in COUNT_LABELS],
        "page_url": trend_url(wanted),
        "embed_url": trend_url(wanted, EMBED_ENDPOINT),
        "csv_url": trend_url(wanted, "trends.download"),
        "api_url": trend_url(wanted, "trends.api"),
        "search_url": lambda query: search_url(replace(wanted.filters, query=query, group=PAGE_GROUP)),
        "replace_url": lambda old, new: url(q=[new if q == old else q for q in wanted.queries]),
        "value": format_value,
        "max_queries": MAX_QUERIES,
        "low_minimum": LOW_MINIMUM,
        "date_from": _date_field("from", wanted.filters.date_from, error),
        "date_to": _date_field("to", wanted.filters.date_to, error),
    }


def _date_field(name: str, value: date | None, error: str | None) -> str:
    """Return a date box's value: the date asked for, or after an error the text as sent (the box drops a non-date)."""
    if error:
        return request.args.get(name, "").strip()[:10]
    return value.isoformat() if value else ""


def _boxes(wanted: TrendRequest, url: Callable[..., str] | None) -> list[Box]:
    """Return the query boxes: each query with its remove link, then empty ones (FIRST_BOXES, or one more)."""
    queries = wanted.queries
    boxes = [Box(n, q, url(q=[o for o in queries if o != q]) if url else None) for n, q in enumerate(queries, 1)]
    wanted_boxes = min(MAX_QUERIES, max(FIRST_BOXES, len(queries) + 1))
    return boxes + [Box(n, "", None) for n in range(len(boxes) + 1, wanted_boxes + 1)]


def _kept(wanted: TrendRequest) -> list[tuple[str, str]]:
    """Return the parameters the form carries along unseen: every one but the queries and dates it shows."""
    found: list[tuple[str, str]] = []
    for name, value in wanted.to_params().items():
        if name not in ("q", "from", "to"):
            found.extend((name, v) for v in (value if isinstance(value, list) else [value]))
    return found


def _filter_labels(filters: Search) -> list[str]:
    """Return the shared filters beyond the dates, as the page names them ("Topic: economy")."""
    labels = [f"{FACET_TITLES[name]}: {facet_label(v, name)}" for name, vs in filters.selections().items() for v in vs]
    labels += [f"Story {story}" for story in filters.story]
    if filters.match != "all":
        labels.append(MATCH_LABELS[filters.match])
    return labels


def _csv(found: Trends, digest: str) -> str:
    """Return the comparison as CSV: a row a period, the archive's total, each query's count and share, and the
    index fingerprint's digest (as every export's rows carry it)."""
    what = found.request.filters.count
    header = ["start", "end", "period", f"all {what}", "low"]
    for series in found.series:
        header += [f"{series.query}: {what}", f"{series.query}: share"]
    header.append(FINGERPRINT_KEY)
    rows = []
    for period in found.periods:
        row: list[object] = [period.period.start.isoformat(), period.period.end.isoformat(), period.period.label,
                             period.total, "yes" if period.low else "no"]
        for count, share in zip(period.counts, period.shares, strict=True):
            row += [count, "" if share is None else share]
        rows.append([*(str(cell) for cell in row), digest])
    return "".join(csv_chunks(header, rows))

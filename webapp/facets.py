"""Every value of a facet for a search, searchable: `/api/facets/<name>` (JSON) and `/facets/<name>` (a page that
works without JavaScript; ticking values applies them to the search). The search page's facets link to the page
and, with JavaScript, show the API's values in place (static/app.js)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from werkzeug.exceptions import NotFound

from indexer.facetpages import DEFAULT_FACET_PER_PAGE, MAX_CONTAINING_LENGTH, FacetRequest, parse_facet_params
from indexer.request import FACETS, build_params, canonical_search
from indexer.results import FacetPage

from . import presenters
from .provenance import consistent
from .security import rate_limited
from .service import search_backend

bp = Blueprint("facets", __name__)


def _requested(name: str, page: bool) -> FacetRequest:
    """Return the facet page the request asks for: 404 for a facet that does not exist, QueryError for the rest."""
    if name not in FACETS:
        raise NotFound(f"there is no facet {name[:40]!r}: the facets are {', '.join(FACETS)}")
    return parse_facet_params(name, request.args.getlist, page=page)


@bp.get("/api/facets/<name>")
@rate_limited("search", "RATE_LIMIT")
def api(name: str) -> Response:
    """A page of a facet's values for a search (those containing the text asked for), with the index counted on."""
    wanted = _requested(name, page=False)
    found, index = consistent(lambda: search_backend().facet_page(wanted))
    return jsonify({**found.to_dict(), "search": canonical_search(wanted.search), "index": index.to_dict()})


@bp.get("/facets/<name>")
@rate_limited("search", "RATE_LIMIT")
def page(name: str) -> str:
    """Every value of a facet for a search, a page at a time, with a box to search them; ticked ones apply."""
    found = search_backend().facet_page(_requested(name, page=True))
    return render_template("facets/page.html", **facet_context(found))


def facet_context(found: FacetPage) -> dict[str, Any]:
    """Return what the facet page shows: the values, the way back, and the fields its two forms carry."""
    search, name = found.search, found.name
    on_page = {v.value for v in found.values}
    per_page = found.per_page if found.per_page != DEFAULT_FACET_PER_PAGE else None
    cleared: dict[str, Any] = {name: ()}  # the search without this facet's selections, to say its other filters
    return {
        "found": found,
        "title": presenters.FACET_TITLES[name],
        "plural": presenters.FACET_PLURALS[name],
        "back_url": presenters.search_url(search),
        "filters": [chip.label for chip in presenters.chips(replace(search, **cleared))],
        "max_containing": MAX_CONTAINING_LENGTH,
        # The search box keeps the search (its own selections too); the list keeps every other filter, and this
        # facet's chosen values that are on other pages of it (the ticked boxes send the rest).
        "search_fields": presenters.hidden_fields(search, per_page=per_page),
        "apply_fields": presenters.hidden_fields(search, **{name: [v for v in getattr(search, name)
                                                                     if v not in on_page] or None}),
        "pages": presenters.page_numbers(found.page, found.pages) if found.page <= found.pages else [],
        "page_url": lambda number: url_for("facets.page", name=name, **build_params(
            search, page=number if number > 1 else None, containing=found.containing or None, per_page=per_page)),
    }

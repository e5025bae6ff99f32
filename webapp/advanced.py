"""The advanced search form at /advanced, and /api/advanced: the ordinary search a form's fields build
(indexer/advanced.py), shown so that users learn the query language, and run on the ordinary results page.

Without a script: the form is sent to /advanced, which answers with a 303 to the results page (the query in its box),
or with the form again showing the query it builds ("Show the query"), or with the form and what to change (400).
With one (static/advanced.js), the query is shown as the fields are filled in, from /api/advanced.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from indexer.advanced import FORM_FIELDS, SCOPES, EmptyFormError, Words, built_search, form_of, read_form, submitted
from indexer.errors import QueryError
from indexer.request import (
    DEFAULT_NEAR_DISTANCE,
    GROUPS,
    MAX_NEAR_DISTANCE,
    MAX_QUERY_LENGTH,
    SORTS,
    STATS_FACETS,
    Paging,
    Search,
    build_params,
    default_search,
)

from .params import search_request
from .presenters import COUNT_LABELS, FACET_TITLES, GROUP_LABELS, SORT_LABELS, chips, search_url
from .security import rate_limited
from .service import search_backend
from .urls import absolute_url

bp = Blueprint("advanced", __name__)
FORM_ENDPOINT = "advanced.form"
# The "Show the query" button: the form again, with the query it builds, instead of the results.
PREVIEW = "preview"
SCOPE_LABELS = {"any": "The headline or the text", "headline": "The headline", "body": "The text",
                "author": "The author's name", "topic": "The topic", "source": "The source",
                "person": "A person it names", "org": "An organisation it names", "place": "A place it names"}
assert set(SCOPE_LABELS) == set(SCOPES)  # a scope added in indexer.advanced needs its label here
# Facets the form asks for by value, suggesting the archive's most frequent (those `stats` lists); the other search
# parameters a search sent to the form has (year, month, language, story, count, synonyms) it carries along unseen.
FACETS = STATS_FACETS
CARRIED = ("year", "month", "language", "story", "count", "synonyms")
PAGE_DEFAULTS = default_search(page=True)


@bp.get("/advanced")
@rate_limited("search", "RATE_LIMIT")
def form() -> ResponseReturnValue:
    """The form, filled in from a search (the results page's link); sent, the results page, or the query it builds."""
    if not submitted(request.args.__contains__):
        search, _ = search_request(request.args, current_app.config["PER_PAGE"], page=True)
        words = form_of(search)
        note = search.match == "any" and bool(words.query)  # a query of any words the boxes could not say
        return _render(_filled(words, search), back=search_url(search), any_note=note)
    try:
        search = built_search(*read_form(request.args.getlist))
    except QueryError as err:  # what to change, beside the fields as typed (an empty form among them)
        return _render(request.args, message=str(err)), 400
    if request.args.get(PREVIEW):
        return _render(request.args, built=search)
    return redirect(search_url(search), code=303)


@bp.get("/api/advanced")
def api() -> Response:
    """The search a form's fields build: its query text, its filters in words, and the results page's URL; or, for a
    form that cannot be run yet (nothing asked, one word to be near), the problem, answered 200 (a form being filled
    in is not a bad request). Fields that no form sends (within=0, an unknown field) are a 400."""
    words, filters = read_form(request.args.getlist)
    try:
        search = built_search(words, filters)
    except QueryError as err:
        code = "empty_form" if isinstance(err, EmptyFormError) else "cannot_run"
        return jsonify({"problem": {"code": code, "message": str(err)}})
    return jsonify(described(search))


def described(search: Search) -> dict[str, Any]:
    """Return a built search as /api/advanced answers it (and the page shows it)."""
    return {"query": search.query, "filters": filter_labels(search), "params": build_params(search),
            "url": absolute_url("views.search", **build_params(search))}


def filter_labels(search: Search) -> list[str]:
    """Return what a search asks for beyond its query, in words ("Topic: economy", "Newest first")."""
    labels = [chip.label for chip in chips(search)]
    if search.sort != PAGE_DEFAULTS.sort:
        labels.append(SORT_LABELS[search.sort])
    if search.group != PAGE_DEFAULTS.group:
        labels.append(GROUP_LABELS[search.group])
    if search.count != PAGE_DEFAULTS.count:
        labels.append(f"Count: {COUNT_LABELS[search.count]}")
    if search.synonyms != PAGE_DEFAULTS.synonyms:
        labels.append("Synonyms off")
    return labels


@bp.app_template_global("advanced_url")
def advanced_url(search: Search) -> str:
    """Return the advanced form filled in with a search (the results page's "Advanced search" link)."""
    return url_for(FORM_ENDPOINT, **build_params(search))


def _filled(words: Words, search: Search) -> MultiDict[str, str]:
    """Return the form's values for words and a search: its boxes, and the search's parameters by their names."""
    values: MultiDict[str, str] = MultiDict([(f.name, str(getattr(words, f.attribute))) for f in FORM_FIELDS])
    for name, value in build_params(replace(search, query=words.query, match="all")).items():
        for item in value if isinstance(value, list) else [value]:
            values.add(name, str(item))
    return values


def _render(values: MultiDict[str, str], back: str | None = None, built: Search | None = None,
            message: str | None = None, any_note: bool = False) -> str:
    """Return the form page: the fields with these values, the query built (if any), a message (if any)."""
    top = search_backend().stats(top=Paging().facet_limit).top
    return render_template(
        "advanced/form.html", values=values, fields={f.name: f for f in FORM_FIELDS}, scopes=SCOPE_LABELS,
        facets=[(name, FACET_TITLES[name], [v.value for v in top.get(name, ())]) for name in FACETS],
        carried=CARRIED,
        sorts=[(s, SORT_LABELS[s]) for s in SORTS], groups=[(g, GROUP_LABELS[g]) for g in GROUPS],
        defaults=PAGE_DEFAULTS, default_within=DEFAULT_NEAR_DISTANCE, max_within=MAX_NEAR_DISTANCE,
        max_length=MAX_QUERY_LENGTH, back=back or url_for("views.search"), built=built,
        built_filters=filter_labels(built) if built else [], built_url=search_url(built) if built else None,
        message=message, any_note=any_note, preview=PREVIEW)

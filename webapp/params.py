"""Request parameters -> SearchRequest, the same for the page, the API, feeds and exports; and article keys."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from indexer.dates import parse_bound
from indexer.errors import QueryError
from indexer.results import FACETS, SearchRequest

# Parameters of a search; everything else in a query string is ignored.
SEARCH_PARAMS = ("q", *FACETS, "from", "to", "sort", "match", "page", "per_page")
MAX_VALUES_PER_FACET = 50
_PLAIN_ID = re.compile(r"^[\w.:@-]+$")
_ENCODED_PREFIX = "~"


def search_request(args: MultiDict[str, str], per_page: int) -> SearchRequest:
    """Build a SearchRequest from query-string parameters, or raise QueryError naming the bad parameter."""
    return SearchRequest(
        query=args.get("q", ""),
        topic=_values(args, "topic"),
        author=_values(args, "author"),
        source=_values(args, "source"),
        year=_values(args, "year"),
        month=_values(args, "month"),
        date_from=_bound(args, "from", end=False),
        date_to=_bound(args, "to", end=True),
        sort=args.get("sort") or "relevance",
        match=args.get("match") or "all",
        page=_number(args, "page", 1),
        per_page=_number(args, "per_page", per_page),
    )


def _values(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(v.strip() for v in args.getlist(name) if v.strip()))
    if len(values) > MAX_VALUES_PER_FACET:
        raise QueryError(f"too many {name} values (at most {MAX_VALUES_PER_FACET})")
    return values


def _bound(args: Mapping[str, str], name: str, end: bool) -> date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        return parse_bound(text, end=end)
    except ValueError as err:
        raise QueryError(f"{name}: {err}") from err


def _number(args: Mapping[str, str], name: str, default: int) -> int:
    text = (args.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit() or len(text) > 9:
        raise QueryError(f"{name} must be a whole number, not {text[:40]!r}")
    return int(text)


def request_params(request: SearchRequest, **changes: Any) -> dict[str, Any]:
    """Return the query-string parameters of a request, with changes (None removes a parameter)."""
    params: dict[str, Any] = {"q": request.query or None}
    for name in FACETS:
        params[name] = list(getattr(request, name)) or None
    params["from"] = request.date_from.isoformat() if request.date_from else None
    params["to"] = request.date_to.isoformat() if request.date_to else None
    params["sort"] = request.sort if request.sort != "relevance" else None
    params["match"] = request.match if request.match != "all" else None
    params["page"] = request.page if request.page != 1 else None
    params.update(changes)
    return {k: v for k, v in params.items() if v not in (None, [], "")}


def article_key(article_id: str) -> str:
    """Return the URL path segment of an article id (ids holding '/' or other URL characters are encoded)."""
    if _PLAIN_ID.match(article_id) and not article_id.startswith(_ENCODED_PREFIX):
        return article_id
    encoded = base64.urlsafe_b64encode(article_id.encode("utf-8")).decode("ascii").rstrip("=")
    return _ENCODED_PREFIX + encoded


def article_id(key: str) -> str:
    """Return the article id of a URL path segment made by article_key(), or raise QueryError."""
    if not key.startswith(_ENCODED_PREFIX):
        return key
    data = key[1:] + "=" * (-len(key[1:]) % 4)
    try:
        return base64.urlsafe_b64decode(data.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as err:
        raise QueryError(f"not an article key: {key[:60]!r}") from err

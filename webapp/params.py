"""Request parameters -> SearchRequest, the same for the page, the API, feeds and exports; and article keys."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from indexer.dates import parse_bound
from indexer.errors import QueryError
from indexer.request import FACETS, MAX_RESULT_DEPTH, SearchRequest

# Parameters of a search; everything else in a query string is ignored.
SEARCH_PARAMS = ("q", *FACETS, "from", "to", "sort", "match", "page", "per_page")
MAX_VALUES_PER_FACET = 50
DEFAULT_RELATED = 10
MAX_RELATED = 50
# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_PLAIN_ID = re.compile(r"^[\w.:@-]+$")
_ENCODED_PREFIX = "~"


def search_request(args: MultiDict[str, str], per_page: int) -> SearchRequest:
    """Build a SearchRequest from query-string parameters, or raise QueryError naming the bad parameter."""
    return SearchRequest(
        query=_single(args, "q"),
        topic=_values(args, "topic"),
        author=_values(args, "author"),
        source=_values(args, "source"),
        year=_values(args, "year"),
        month=_values(args, "month"),
        date_from=_bound(args, "from", end=False),
        date_to=_bound(args, "to", end=True),
        sort=_single(args, "sort") or "relevance",
        match=_single(args, "match") or "all",
        page=_number(args, "page", 1),
        per_page=_number(args, "per_page", per_page),
    )


def result_position(args: MultiDict[str, str]) -> int | None:
    """Return the position (1-based) of the hit an article page was opened from, or None (or raise QueryError)."""
    if "n" not in args:
        return None
    position = _number(args, "n", 1)
    if not 1 <= position <= MAX_RESULT_DEPTH:
        raise QueryError(f"n must be a whole number from 1 to {MAX_RESULT_DEPTH:,}")
    return position


# Values a search parameter has when it is left out: a URL holding them (or empty ones) says nothing more.
_DEFAULTS = {"sort": SearchRequest().sort, "match": SearchRequest().match, "page": str(SearchRequest().page)}


def without_defaults(args: MultiDict[str, str]) -> list[tuple[str, str]] | None:
    """Return the parameters less the empty and default ones (sort=relevance, from=), or None when there are none."""
    given = list(args.items(multi=True))
    kept = [(name, value) for name, value in given if value.strip() and _DEFAULTS.get(name) != value.strip()]
    return kept if len(kept) < len(given) else None


def related_limit(args: MultiDict[str, str]) -> int:
    """Return how many related articles a request asks for, or raise QueryError."""
    limit = _number(args, "limit", DEFAULT_RELATED)
    if not 1 <= limit <= MAX_RELATED:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_RELATED}")
    return limit


def _values(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    given = args.getlist(name)
    if len(given) > MAX_VALUES_PER_FACET:  # counted as sent, before duplicates and blanks are dropped
        raise QueryError(f"too many {name} values (at most {MAX_VALUES_PER_FACET})")
    return tuple(dict.fromkeys(v.strip() for v in given if v.strip()))


def _single(args: MultiDict[str, str], name: str) -> str:
    """Return a parameter given at most once ("" when left out), or raise QueryError."""
    values = args.getlist(name)
    if len(values) > 1:
        raise QueryError(f"{name} was given {len(values)} times: give it once")
    return values[0] if values else ""


def _bound(args: MultiDict[str, str], name: str, end: bool) -> date | None:
    text = _single(args, name).strip()
    if not text:
        return None
    try:
        return parse_bound(text, end=end)
    except ValueError as err:
        raise QueryError(f"{name}: {err}") from err


def _number(args: MultiDict[str, str], name: str, default: int) -> int:
    text = _single(args, name).strip()
    if not text:
        return default
    if not _WHOLE_NUMBER.fullmatch(text):
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

"""Query strings -> Search and Paging (as declared in indexer.request.PARAMS), for every route; article keys."""

from __future__ import annotations

import base64
import binascii
import re

from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.request import MAX_RESULT_DEPTH, PARAMS, Paging, Search, parse_params, whole_number

DEFAULT_RELATED = 10
MAX_RELATED = 50
_PLAIN_ID = re.compile(r"^[\w.:@-]+$")
_ENCODED_PREFIX = "~"


def search_request(args: MultiDict[str, str], per_page: int, page: bool = False) -> tuple[Search, Paging]:
    """Return the search and page that query-string parameters ask for (indexer.request.PARAMS), or QueryError.

    page: for the search page (and the embed), whose defaults differ (it groups copies of a story).
    """
    return parse_params(args.getlist, per_page, page)


def result_position(args: MultiDict[str, str]) -> int | None:
    """Return the position (1-based) of the hit an article page was opened from, or None (or raise QueryError)."""
    if "n" not in args:
        return None
    position = _number(args, "n", 1)
    if not 1 <= position <= MAX_RESULT_DEPTH:
        raise QueryError(f"n must be a whole number from 1 to {MAX_RESULT_DEPTH:,}")
    return position


# Values a search parameter has when it is left out: a URL holding them (or empty ones) says nothing more.
_DEFAULTS = {param.name: str(param.default_for(page=True)) for param in PARAMS
             if param.kind == "choice" or param.name == "page"}


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


def _number(args: MultiDict[str, str], name: str, default: int) -> int:
    values = args.getlist(name)
    if len(values) > 1:
        raise QueryError(f"{name} was given {len(values)} times: give it once")
    text = values[0].strip() if values else ""
    return whole_number(name, text) if text else default

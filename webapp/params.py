"""Query strings -> Search and Paging (as declared in indexer.request.PARAMS), for every route; article keys."""

from __future__ import annotations

import base64
import binascii
import re

from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.request import MAX_PER_PAGE, MAX_RESULT_DEPTH, PARAMS, Paging, Search, parse_params, whole_number
from indexer.results import DIGEST_LENGTH
from indexer.suggest import DEFAULT_SUGGESTIONS, check_suggest

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


def suggest_request(args: MultiDict[str, str]) -> tuple[str, int]:
    """Return the prefix (required) and limit an autocomplete request asks for, or raise QueryError."""
    prefixes = args.getlist("prefix")
    if len(prefixes) != 1:
        raise QueryError("give the text typed so far as prefix=, once" if prefixes else "prefix is required: the text "
                         "typed so far")
    limit = _number(args, "limit", DEFAULT_SUGGESTIONS)
    check_suggest(prefixes[0], limit)
    return prefixes[0], limit


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


# Articles one citation request may name with id= (a page of results at most); a whole search is an export.
MAX_SELECTED = MAX_PER_PAGE
# The flag the results page's "Cite selected" form sends, so that ticking nothing is told apart from a search.
SELECTED_FLAG = "selected"
_DIGEST = re.compile(f"[0-9a-f]{{{DIGEST_LENGTH}}}")


def selected_ids(args: MultiDict[str, str]) -> tuple[str, ...] | None:
    """Return the article ids a citation request names (id=, repeatable), None when it cites a search instead, or
    raise QueryError: none ticked, too many, or search parameters beside them."""
    if "id" not in args and SELECTED_FLAG not in args:
        return None
    ids = tuple(dict.fromkeys(i.strip() for i in args.getlist("id") if i.strip()))
    if not ids:
        raise QueryError("no article is selected: tick the articles to cite, or cite the whole search")
    if len(ids) > MAX_SELECTED:
        raise QueryError(f"too many articles selected ({len(ids)}; at most {MAX_SELECTED}): cite the whole search "
                         "instead")
    searched = sorted(p.name for p in PARAMS if not p.paging and any(v.strip() for v in args.getlist(p.name)))
    if searched:
        raise QueryError(f"give either id= (articles) or search parameters, not both (given: {', '.join(searched)})")
    return ids


def cited_digest(args: MultiDict[str, str]) -> str | None:
    """Return the index fingerprint digest a /cite link carries (fp=), if any, or raise QueryError."""
    values = [v.strip() for v in args.getlist("fp") if v.strip()]
    if not values:
        return None
    if len(values) > 1 or not _DIGEST.fullmatch(values[0].lower()):
        raise QueryError(f"fp must be one index fingerprint digest: {DIGEST_LENGTH} hexadecimal digits")
    return values[0].lower()


def _number(args: MultiDict[str, str], name: str, default: int) -> int:
    values = args.getlist(name)
    if len(values) > 1:
        raise QueryError(f"{name} was given {len(values)} times: give it once")
    text = values[0].strip() if values else ""
    return whole_number(name, text) if text else default

"""Every value of a facet, a page at a time, and a search within them: what `/api/facets/<name>` and the facet
pages ask of a backend (`SearchBackend.facet_page`).

An engine counts every value of one facet for a search (each facet without its own selection, as the search
page's facets are) and hands the counts to `facet_page`, which keeps those containing the text asked for, lists
them as the page does (`in_facet_order`, as `facet_values`: by count, ties by value; years and months in date
order; the selected values flagged) and cuts the page. Matching folds case and accents on both sides (`fold`:
"siob" and "HAN" find "Siobhán"), the same on every engine. The parameters are declared once, here
(`FACET_PAGE_PARAMS`, beside the search parameters of indexer.request): the web app parses them with
`parse_facet_params`; the OpenAPI document and docs/web.md say the same names and limits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from .errors import QueryError
from .request import FACETS, Search, check_search, parse_params, whole_number
from .results import FacetPage, FacetValue, in_facet_order

DEFAULT_FACET_PER_PAGE = 50
MAX_FACET_PER_PAGE = 100
MAX_CONTAINING_LENGTH = 200
MAX_FACET_PAGE = 1_000_000  # a page number beyond any archive's values (100 million at most per page)


@dataclass(frozen=True)
class FacetParam:
    """A parameter of a facet page beyond the search's own: its name, what it means, and its limits."""

    name: str
    help: str
    minimum: int | None = None
    maximum: int | None = None  # a number's largest value, a text's length
    default: int | None = None


FACET_PAGE_PARAMS = (
    FacetParam("containing", "Only the values containing this text, anywhere (its start or within), case and "
                             "accents aside: siob and HAN both find Siobhán.", maximum=MAX_CONTAINING_LENGTH),
    FacetParam("page", "Page number of the values. A page past the last is empty.", minimum=1,
               maximum=MAX_FACET_PAGE),
    FacetParam("per_page", "Values per page.", minimum=1, maximum=MAX_FACET_PER_PAGE,
               default=DEFAULT_FACET_PER_PAGE),
)


@dataclass(frozen=True)
class FacetRequest:
    """A facet page: the search whose matches are counted, the facet, the text its values must contain, the page."""

    search: Search
    name: str
    containing: str = ""
    page: int = 1
    per_page: int = DEFAULT_FACET_PER_PAGE


def fold(text: str) -> str:
    """Return text as facet searches compare it: compatibility forms and accents gone, case folded, spaces as one."""
    return _folded(text)


@lru_cache(maxsize=200_000)  # the same values are folded on every request
def _folded(text: str) -> str:
    if text.isascii():  # most values: no accents, no compatibility forms
        return " ".join(text.lower().split())
    # Case folding can make combining marks ("İ" becomes "i" and a dot above), so marks are dropped after it too.
    text = _without_marks(_without_marks(text).casefold())
    return " ".join(text.split())


def _without_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def check_facet_request(wanted: FacetRequest) -> None:
    """Raise QueryError for a facet, text or page no engine could serve, saying what to write instead."""
    check_search(wanted.search)
    if wanted.name not in FACETS:
        raise QueryError(f"unknown facet {wanted.name[:40]!r}: the facets are {', '.join(FACETS)}")
    if len(wanted.containing) > MAX_CONTAINING_LENGTH:
        raise QueryError(f"containing is too long ({len(wanted.containing)} characters; the limit is "
                         f"{MAX_CONTAINING_LENGTH})")
    if not 1 <= wanted.page <= MAX_FACET_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_FACET_PAGE:,}")
    if not 1 <= wanted.per_page <= MAX_FACET_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_FACET_PER_PAGE}")


def facet_page(wanted: FacetRequest, counts: list[tuple[str, int]], partial: bool = False) -> FacetPage:
    """Return the page asked for of a facet's (value, count) pairs: every value the search's matches have, listed as
    the search page lists them (facet_values: its selected values too, last with 0 when the matches have none), less
    those that do not contain the text asked for."""
    chosen = getattr(wanted.search, wanted.name)
    text = fold(wanted.containing)
    # Searched, ordered and cut before any FacetValue is made: a facet may hold a hundred thousand values.
    matching = [pair for pair in counts if text in fold(pair[0])] if text else counts
    ordered = in_facet_order(wanted.name, matching)
    listed = {value for value, _ in counts}
    ordered += [(value, 0) for value in sorted(set(chosen) - listed) if text in fold(value)]
    start = (wanted.page - 1) * wanted.per_page
    values = tuple(FacetValue(v, c, v in chosen) for v, c in ordered[start:start + wanted.per_page])
    return FacetPage(wanted.search, wanted.name, wanted.containing, values, len(ordered), wanted.page,
                     wanted.per_page, partial)


def parse_facet_params(name: str, getlist: Callable[[str], list[str]], page: bool = False) -> FacetRequest:
    """Return the facet page that query-string parameters ask for, or raise QueryError naming the bad one.

    The search parameters (indexer.request.PARAMS) say which matches are counted; `page` and `per_page` page the
    facet's values, not the search's hits. page: for the facet's web page (the search page's defaults).
    """
    search, _ = parse_params(lambda param: [] if param in ("page", "per_page") else getlist(param), page=page)
    number, per_page = (_given(getlist, p).strip() for p in ("page", "per_page"))
    wanted = FacetRequest(search, name, _given(getlist, "containing"), whole_number("page", number) if number else 1,
                          whole_number("per_page", per_page) if per_page else DEFAULT_FACET_PER_PAGE)
    check_facet_request(wanted)  # the text's length as sent, spaces and all (a form's maxlength counts them too)
    return replace(wanted, containing=wanted.containing.strip())


def _given(getlist: Callable[[str], list[str]], name: str) -> str:
    values = getlist(name)
    if len(values) > 1:
        raise QueryError(f"{name} was given {len(values)} times: give it once")
    return values[0] if values else ""

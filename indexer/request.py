"""What a search asks for, declared once, and the checks every backend applies to it before searching.

`Search` is what matches (the query text in newsarchive's query language, see docs/search.md; facet selections,
dates, word matching, sort) and `Paging` which page of it. Both are engine-neutral. Their parameters are declared
once, as data (`PARAMS`, below): query strings are parsed and built from it (the web app), the CLI's options and
the OpenAPI document are derived from it. `check_search`, `check_paging` and `checked_query_text` reject what no
engine could run, with a message saying what to write instead; an engine parses the text that passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from .dates import parse_bound
from .entities import KINDS
from .errors import QueryError

SORTS = ("relevance", "newest", "oldest")
MATCHES = ("all", "any")  # the words of a query: all required (AND), or any of them (OR, more matches rank higher)
# person, org and place: the names of people, organisations and places (indexer/entities.py), canonical.
FACETS = ("topic", "author", "source", "year", "month", "language", *(kind.facet for kind in KINDS))
# The facets whose most frequent values describe an index (`newsarchive stats`, /api/stats, the advanced form).
STATS_FACETS = ("topic", "author", "source", *(kind.facet for kind in KINDS))
# Copies of one wire story (indexer/stories.py): a result per story (its earliest matching version, with the others
# as its copies) or one per article; and whether facets and the timeline count articles or stories.
GROUPS = ("story", "none")
COUNTS = ("articles", "stories")
# Whether a query also searches the synonyms of its words (NEWSARCHIVE_SYNONYMS: indexer/synonyms.py).
SWITCH = ("on", "off")
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
# Deep pages cost as much as collecting every hit before them; a complete listing is what exports are for.
MAX_RESULT_DEPTH = 10_000


@dataclass(frozen=True)
class Search:
    """What a search matches, and in which order: query text, facet selections (several values each), a date
    range, how the words match, and the sort."""

    query: str = ""
    topic: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    month: tuple[str, ...] = ()
    language: tuple[str, ...] = ()  # ISO 639-1 codes (indexer/languages.py): the query is analysed in these
    person: tuple[str, ...] = ()  # canonical names of people, organisations, places (indexer/entities.py)
    org: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    match: str = "all"
    group: str = "none"
    count: str = "articles"
    story: tuple[str, ...] = ()  # only the articles of these stories (story ids)
    synonyms: str = "on"

    def selections(self) -> dict[str, tuple[str, ...]]:
        """Return the facet selections that are set, by facet name."""
        chosen = {name: getattr(self, name) for name in FACETS}
        return {name: values for name, values in chosen.items() if values}


@dataclass(frozen=True)
class Paging:
    """Which page of a search's results: its number and size, and how many values of each facet to count."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    facet_limit: int = 20

    @property
    def start(self) -> int:
        """Return the position (0-based) of the page's first hit."""
        return (self.page - 1) * self.per_page


# Fields the query language may name; the rest (exact facet fields, stored data) are internal.
QUERY_FIELDS = ("headline", "body", "author", "topic", "source", "person", "org", "place", "date", "year", "month",
                "language", "url", "id")
FIELD_ALIASES = {
    "headline": ["title", "hed"],
    "author": ["by", "byline"],
    "topic": ["section", "category", "tag", "topics"],
    "body": ["text", "content"],
    "person": ["people"],
    "org": ["orgs", "organisation", "organization"],
    "place": ["places", "location"],
}
MAX_QUERY_LENGTH = 1000
# `a NEAR b` is `a NEAR/10 b` (SQLite FTS5's default, "within ten words"); NEAR/n takes n from 1 to the maximum.
DEFAULT_NEAR_DISTANCE = 10
MAX_NEAR_DISTANCE = 1000
_FIELD_PREFIX = re.compile(r"(?<![\w.])(\w+):")
_QUOTED = re.compile(r'"[^"]*"')
# A date: scope's value: a range in brackets or braces, else up to a space or a bracket ("(date:1987 OR date:1988)").
_DATE_SCOPE = re.compile(r"(?<![\w.])date:(\[[^\]]*\]?|\{[^}]*\}?|[^\s()]*)")
_DATE_VALUE = re.compile(r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$")
_RANGE = re.compile(r"^[\[{]\s*(\S*?)\s*\bTO\b\s*(\S*?)\s*[\]}]$")
DATE_HELP = "write date:1987, date:1987-03, date:1987-03-15 or date:[1987-03-01 TO 1987-03-15]"
_LAST_OPERATOR = re.compile(r"(?:^|\s)(AND|OR|NOT|NEAR(?:/\d+)?|-)$")
_FIRST_OPERATOR = re.compile(r"^(AND|OR|NEAR(?:/\d+)?)(?:\s|$)")
# A lone surrogate (a JSON "\ud800" escape) is no character: Whoosh fails to encode it when it expands a wildcard.
_SURROGATE = re.compile("[\ud800-\udfff]")


# Queries that mean "every article": the empty query, and a lone "*" (what people type for "anything"; Whoosh
# would expand it to every word of the vocabulary and hit the time limit).
EVERYTHING = ("", "*")

def checked_query_text(text: str) -> str | None:
    """Return query text ready to parse (None: every article), or raise QueryError saying what to change."""
    text = _SURROGATE.sub("\ufffd", text).strip()
    if text in EVERYTHING:
        return None
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is too long ({len(text)} characters; the limit is {MAX_QUERY_LENGTH})")
    _check_fields(text)
    _check_dates(text)
    _check_operators(text)
    return text


def _check_fields(text: str) -> None:
    """Raise QueryError for a `name:` scope that is not a searchable field (text in quotes is left alone)."""
    allowed = set(QUERY_FIELDS) | {alias for names in FIELD_ALIASES.values() for alias in names}
    for name in _FIELD_PREFIX.findall(_DATE_SCOPE.sub(" ", _QUOTED.sub(" ", text))):
        if name not in allowed:
            raise QueryError(
                f"unknown field {name!r}: the fields are {', '.join(QUERY_FIELDS)} "
                "(to search for text with a colon, put it in quotes)"
            )


def _check_dates(text: str) -> None:
    """Raise QueryError, with the accepted forms, for a date: scope that is not a date or a date range."""
    for value in _DATE_SCOPE.findall(_QUOTED.sub(" ", text)):
        ranged = _RANGE.match(value)
        bounds = [b for b in ranged.groups() if b] if ranged else [value]
        if not bounds or not all(_DATE_VALUE.match(b) for b in bounds):
            raise QueryError(f"date:{value} is not a date or a date range: {DATE_HELP}")
        if ranged and all(ranged.groups()):
            start, end = ranged.groups()
            try:
                empty = parse_bound(start) > parse_bound(end, end=True)
            except ValueError as err:
                raise QueryError(f"date:{value} is not a date range: {err}") from err
            if empty:
                raise QueryError(f"the date range date:{value} is empty: {start} is after {end}. "
                                 f"Write date:[{end} TO {start}]")


def _check_operators(text: str) -> None:
    """Raise QueryError, saying what to write, for an operator with nothing on one side ("coffee NOT")."""
    bare = _QUOTED.sub(" x ", text).strip()
    last = _LAST_OPERATOR.search(bare)
    if last:
        op = last.group(1)
        raise QueryError({
            "NOT": "NOT at the end leaves nothing out: put the word to exclude after it (coffee NOT tea)",
            "-": "- at the end leaves nothing out: put it before the word to exclude (coffee -tea)",
        }.get(op, f"{op} at the end joins nothing: put a word after it (coffee {op} tea), or leave it out"))
    first = _FIRST_OPERATOR.search(bare)
    if first:
        raise QueryError(f"{first.group(1)} at the start joins nothing: put a word before it (coffee "
                         f"{first.group(1)} tea), or leave it out")


def date_range(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """Return the inclusive date range as datetimes (None: open), or raise QueryError for an empty range."""
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"the date range is empty: from {date_from.isoformat()} is after to {date_to.isoformat()}")
    start = datetime.combine(date_from, time.min) if date_from else None
    end = datetime.combine(date_to, time.max) if date_to else None
    return start, end


def check_search(search: Search) -> None:
    """Raise QueryError for a sort or word matching no engine knows."""
    if search.sort not in SORTS:
        raise QueryError(f"unknown sort {search.sort!r}: choose one of {', '.join(SORTS)}")
    if search.match not in MATCHES:
        raise QueryError(f"unknown match {search.match!r}: choose all (every word) or any (any word)")
    if search.group not in GROUPS:
        raise QueryError(f"unknown group {search.group!r}: choose story (one result per story) or none (every "
                         "article)")
    if search.synonyms not in SWITCH:
        raise QueryError(f"unknown synonyms {search.synonyms!r}: choose on (also search the synonyms of the words) "
                         "or off")
    if search.count not in COUNTS:
        raise QueryError(f"unknown count {search.count!r}: choose articles or stories (what facets and the timeline "
                         "count)")


def check_paging(paging: Paging) -> None:
    """Raise QueryError for a page or page size out of range, or a page deeper than results are browsable."""
    if not 1 <= paging.per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if paging.page < 1:
        raise QueryError("page must be 1 or more")
    if paging.page * paging.per_page > MAX_RESULT_DEPTH:
        raise QueryError(
            f"results are browsable to a depth of {MAX_RESULT_DEPTH:,}; narrow the search or use an export for all "
            "of them"
        )


# The search parameters, declared once. Query strings (the page, the API, feeds, exports) are parsed and built from
# these; `newsarchive search` has one option each (`q` is its argument); the OpenAPI document lists them.
MAX_VALUES_PER_FACET = 50
# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Param:
    """One search parameter: its name in query strings, the Search or Paging field it sets, and its rules."""

    name: str  # in query strings and the API; the CLI's option is --name (with - for _)
    field: str  # the attribute of Search or Paging
    kind: str  # "text", "values" (repeatable), "choice", "date" or "number"
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None  # a number's largest value, a text's length, a repeatable's count
    period_end: bool = False  # a date that ends a range: 1987-03 means up to the end of March
    # Its value when left out on the search page and in the CLI, where that differs from the API's (`default`).
    page_default: str | None = None

    @property
    def paging(self) -> bool:
        """Return whether it says which page (Paging) rather than what matches (Search)."""
        return self.field in _PAGING_FIELDS

    @property
    def default(self) -> Any:
        """Return its value when left out (the dataclass field's default)."""
        return getattr(_DEFAULT_PAGING if self.paging else _DEFAULT_SEARCH, self.field)

    def default_for(self, page: bool) -> Any:
        """Return its value when left out: on the page and in the CLI (page=True), or in the API, feeds, exports."""
        return self.page_default if page and self.page_default is not None else self.default

    @property
    def repeatable(self) -> bool:
        """Return whether it may be given several times (any of the values matches)."""
        return self.kind == "values"


_PAGING_FIELDS = {f.name for f in fields(Paging)}
_DEFAULT_SEARCH, _DEFAULT_PAGING = Search(), Paging()  # both frozen: each field's default, made once
_FACET_HELP = {"language": "Only articles in any of these languages (ISO 639-1 codes: en, fr, de); the query is "
                           "analysed (stemmed) in them.",
               **{kind.facet: f"Only articles naming any of these {kind.plural} (as the {kind.facet} facet lists "
                              "them: canonical names, docs/entities.md)." for kind in KINDS}}

PARAMS = (
    Param("q", "query", "text", "Query in newsarchive's query language (docs/search.md); empty lists everything, "
                                "newest first.", maximum=MAX_QUERY_LENGTH),
    *(Param(name, name, "values", _FACET_HELP.get(name, f"Only articles with any of these {name} values."),
            maximum=MAX_VALUES_PER_FACET) for name in FACETS),
    Param("from", "date_from", "date", "From this date: YYYY, YYYY-MM or YYYY-MM-DD."),
    Param("to", "date_to", "date", "To this date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD.", period_end=True),
    Param("sort", "sort", "choice", "Order of the hits (without a query, relevance is newest first).", choices=SORTS),
    Param("match", "match", "choice", "Require all the words, or any of them (more matching words rank higher).",
          choices=MATCHES),
    Param("group", "group", "choice", "story: one result per story (its earliest matching version; the other "
                                      "copies with it); none: every article. The search page and the CLI group by "
                                      "story unless told otherwise; the API, feeds and exports do not.",
          choices=GROUPS, page_default="story"),
    Param("count", "count", "choice", "What facets and the timeline count: articles, or stories (each story once).",
          choices=COUNTS),
    Param("story", "story", "values", "Only the articles of these stories (story ids: every copy of a story).",
          maximum=MAX_VALUES_PER_FACET),
    Param("synonyms", "synonyms", "choice", "on: a word or name also finds its synonyms and variant names (the "
                                            "archive's synonyms file, NEWSARCHIVE_SYNONYMS); off: only as typed.",
          choices=SWITCH),
    Param("page", "page", "number", f"Page number; pages reach {MAX_RESULT_DEPTH:,} results deep (page × per_page).",
          minimum=1, maximum=MAX_RESULT_DEPTH),
    Param("per_page", "per_page", "number", "Hits per page.", minimum=1, maximum=MAX_PER_PAGE),
)


def default_search(page: bool = False) -> Search:
    """Return the search of a URL without parameters: on the search page (page=True), or in the API."""
    return Search(**{p.field: p.default_for(page) for p in PARAMS if not p.paging})


def parse_params(getlist: Callable[[str], list[str]], per_page: int = DEFAULT_PER_PAGE,
                 page: bool = False) -> tuple[Search, Paging]:
    """Return the search and page that query-string parameters ask for, or raise QueryError naming the bad one.

    getlist(name) returns every value given for a parameter; per_page is the page size when none is given; page:
    for the search page (its defaults, Param.page_default). Other parameters are ignored.
    """
    found: dict[str, Any] = {}
    for param in PARAMS:
        values = getlist(param.name)
        if param.repeatable:
            if param.maximum is not None and len(values) > param.maximum:  # as sent, before blanks and duplicates
                raise QueryError(f"too many {param.name} values (at most {param.maximum})")
            found[param.field] = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
            continue
        if len(values) > 1:
            raise QueryError(f"{param.name} was given {len(values)} times: give it once")
        text = values[0] if values else ""
        if param.kind == "text":
            found[param.field] = text
        elif not text.strip():
            found[param.field] = per_page if param.field == "per_page" else param.default_for(page)
        else:
            found[param.field] = _parsed(param, text.strip())
    return (Search(**{k: v for k, v in found.items() if k not in _PAGING_FIELDS}),
            Paging(**{k: v for k, v in found.items() if k in _PAGING_FIELDS}))


def _parsed(param: Param, text: str) -> Any:
    if param.kind == "date":
        try:
            return parse_bound(text, end=param.period_end)
        except ValueError as err:
            raise QueryError(f"{param.name}: {err}") from err
    if param.kind == "number":
        return whole_number(param.name, text)
    return text  # a choice: an unknown one is refused, with the choices, by check_search


def whole_number(name: str, text: str) -> int:
    """Return a parameter's whole number, or raise QueryError naming it."""
    if not _WHOLE_NUMBER.fullmatch(text):
        raise QueryError(f"{name} must be a whole number, not {text[:40]!r}")
    return int(text)


def build_params(search: Search, page: int | None = None, *, for_page: bool = True, **changes: Any) -> dict[str, Any]:
    """Return the query-string parameters of a search, less defaults, and of a page number if given; with changes
    (None removes a parameter).

    for_page: a link to the search page (its defaults left out), else to the API, a feed or an export. The page
    size is left out: a link keeps the page size of the place it is shown.
    """
    params = {name: list(value) if isinstance(value, tuple) else value
              for name, value in _search_params(search, for_page)}
    params["page"] = page
    params.update(changes)
    return {k: v for k, v in params.items() if v not in (None, [], "")}


@lru_cache(maxsize=256)
def _search_params(search: Search, for_page: bool) -> tuple[tuple[str, Any], ...]:
    """Return a search's parameters that are not defaults (a page builds dozens of links from one search)."""
    params: list[tuple[str, Any]] = []
    for param in PARAMS:
        if param.paging:
            continue
        value = getattr(search, param.field)
        if value == param.default_for(for_page):
            continue
        if param.repeatable:
            params.append((param.name, tuple(value)))
        elif param.kind == "date":
            params.append((param.name, value.isoformat()))
        else:
            params.append((param.name, value))
    return tuple(params)


def canonical_search(search: Search) -> str:
    """Return the search as one query string, the same for the same search: its parameters (as build_params makes
    them for the API, its defaults left out) sorted by name and value, percent-encoded (spaces as %20); "" for every
    article.

    The query is stripped and `*` written as nothing, as both mean the same; the order of a facet's values does not
    matter (any of them matches), so they are sorted too.
    """
    query = search.query.strip()
    params = build_params(replace(search, query="" if query in EVERYTHING else query), for_page=False)
    pairs = sorted((name, str(value)) for name, given in params.items()
                   for value in (given if isinstance(given, list) else [given]))
    return urlencode(pairs, quote_via=quote)

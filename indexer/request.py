"""What a search asks for, and the checks every backend applies to it before searching.

`SearchRequest` is engine-neutral: the query text (in newsarchive's query language, see docs/search.md),
facet selections, dates, sort and page. `check_request` and `checked_query_text` reject what no engine could
run, with a message saying what to write instead; an engine parses the text that passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from .dates import parse_bound
from .errors import QueryError

SORTS = ("relevance", "newest", "oldest")
MATCHES = ("all", "any")  # the words of a query: all required (AND), or any of them (OR, more matches rank higher)
FACETS = ("topic", "author", "source", "year", "month")
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
# Deep pages cost as much as collecting every hit before them; a complete listing is what exports are for.
MAX_RESULT_DEPTH = 10_000


@dataclass(frozen=True)
class SearchRequest:
    """A search: query text, facet selections (several values each), a date range, sort and page."""

    query: str = ""
    topic: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    month: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    match: str = "all"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    facet_limit: int = 20

    def selections(self) -> dict[str, tuple[str, ...]]:
        """Return the facet selections that are set, by facet name."""
        chosen = {name: getattr(self, name) for name in FACETS}
        return {name: values for name, values in chosen.items() if values}


# Fields the query language may name; the rest (exact facet fields, stored data) are internal.
QUERY_FIELDS = ("headline", "body", "author", "topic", "source", "date", "year", "month", "url", "id")
FIELD_ALIASES = {
    "headline": ["title", "hed"],
    "author": ["by", "byline"],
    "topic": ["section", "category", "tag", "topics"],
    "body": ["text", "content"],
}
MAX_QUERY_LENGTH = 1000
_FIELD_PREFIX = re.compile(r"(?<![\w.])(\w+):")
_QUOTED = re.compile(r'"[^"]*"')
_DATE_SCOPE = re.compile(r"(?<![\w.])date:(\[[^\]]*\]?|\{[^}]*\}?|\S*)")
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


def check_request(request: SearchRequest, max_per_page: int, max_depth: int) -> None:
    """Raise QueryError for a sort, page or page size out of range."""
    if request.sort not in SORTS:
        raise QueryError(f"unknown sort {request.sort!r}: choose one of {', '.join(SORTS)}")
    if request.match not in MATCHES:
        raise QueryError(f"unknown match {request.match!r}: choose all (every word) or any (any word)")
    if not 1 <= request.per_page <= max_per_page:
        raise QueryError(f"per_page must be between 1 and {max_per_page}")
    if request.page < 1:
        raise QueryError("page must be 1 or more")
    if request.page * request.per_page > max_depth:
        raise QueryError(
            f"results are browsable to a depth of {max_depth:,}; narrow the search or use an export for all of them"
        )

"""From query text and filters to Whoosh queries, with clear QueryErrors for what cannot be understood."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from whoosh import qparser, query

from .dates import parse_bound
from .errors import QueryError
from .proximity import NearTagger
from .results import MATCHES, SORTS, SearchRequest
from .schema import SEARCH_FIELDS

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
# "NOT x" and "-x" both exclude; a hyphen inside a word ("anti-ISIS") stays part of it.
_NOT_PATTERN = r"(^|(?<=(\s|[()])))(NOT(?=\s)|-(?=[\w\"(]))"
_LAST_OPERATOR = re.compile(r"(?:^|\s)(AND|OR|NOT|NEAR(?:/\d+)?|-)$")
_FIRST_OPERATOR = re.compile(r"^(AND|OR|NEAR(?:/\d+)?)(?:\s|$)")
# A lone surrogate (a JSON "\ud800" escape) is no character: Whoosh fails to encode it when it expands a wildcard.
_SURROGATE = re.compile("[\ud800-\udfff]")


def make_parser(schema: Any, match: str = "all") -> Any:
    """Return the query parser: AND (or OR: match="any") between words, phrases, OR/NOT/-, fields, wildcards..."""
    # A plain OR, without a coordination bonus for matching more words: BM25's sum over the words already rewards
    # that, and a bonus over-rewards long queries' common words (Lucene dropped coord with BM25 for this reason).
    group = qparser.OrGroup if match == "any" else qparser.AndGroup
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), schema, group=group)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    # NEAR first: it binds tighter than AND, OR and NOT (see proximity.py).
    parser.replace_plugin(qparser.OperatorsPlugin(ops=[(NearTagger(), 0)], Not=_NOT_PATTERN))
    return parser


# Queries that mean "every article": the empty query, and a lone "*" (what people type for "anything"; Whoosh
# would expand it to every word of the vocabulary and hit the time limit).
EVERYTHING = ("", "*")


def parse_query(parser: Any, text: str) -> Any | None:
    """Parse query text; return None for a query of every article (browse everything) or raise QueryError."""
    text = _SURROGATE.sub("\ufffd", text).strip()
    if text in EVERYTHING:
        return None
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is too long ({len(text)} characters; the limit is {MAX_QUERY_LENGTH})")
    _check_fields(text)
    _check_dates(text)
    _check_operators(text)
    try:
        parsed = parser.parse(text, normalize=False)
    except Exception as err:  # Whoosh raises bare Exceptions for unparseable ranges
        raise QueryError(f"cannot understand the query {text!r}: {err}") from err
    problem = _first_error(parsed)
    if problem:
        raise QueryError(f"cannot understand the query {text!r}: {problem}")
    normalized = parsed.normalize()
    if normalized is query.NullQuery or isinstance(normalized, type(query.NullQuery)):
        raise QueryError(
            f"the query {text!r} has no searchable words (very common words such as 'the' are not indexed)"
        )
    return normalized


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


def _first_error(q: Any) -> str | None:
    error = getattr(q, "error", None)
    if error:
        return str(error)
    for child in q.children():
        found = _first_error(child)
        if found:
            return found
    return None


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

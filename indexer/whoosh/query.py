"""From query text to Whoosh queries (after the neutral checks of indexer/request.py), with clear QueryErrors."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from whoosh import qparser, query

from ..errors import QueryError
from ..request import FIELD_ALIASES, checked_query_text
from .proximity import NearTagger
from .schema import SEARCH_FIELDS

# Query text of plain words (see _plain_query), and the words that are operators wherever they stand.
_PLAIN = re.compile(r"\s*[A-Za-z]+(?:\s+[A-Za-z]+)*\s*")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "NEAR", "TO"})
_GROUPS = {qparser.AndGroup: query.And, qparser.OrGroup: query.Or}
# "NOT x" and "-x" both exclude; a hyphen inside a word ("anti-ISIS") stays part of it.
_NOT_PATTERN = r"(^|(?<=(\s|[()])))(NOT(?=\s)|-(?=[\w\"(]))"


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


def parse_query(parser: Any, text: str) -> Any | None:
    """Parse query text; return None for a query of every article (browse everything) or raise QueryError."""
    checked = checked_query_text(text)
    if checked is None:
        return None
    text = checked
    plain = _plain_query(parser, text)
    if plain is not None:
        return plain
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


def _plain_query(parser: Any, text: str) -> Any | None:
    """Return the query of words alone (letters and spaces, no operator) as the parser makes it, without the parser
    (a millisecond a query, a tenth of a search's time), or None for the parser to parse: each word analysed by
    each field searched, the fields' terms ORed, the words grouped by the parser's group; tests/test_query_parsing.py
    compares the two over many queries."""
    words = text.split()
    if not _PLAIN.fullmatch(text) or not _OPERATOR_WORDS.isdisjoint(words):
        return None
    group = _GROUPS.get(parser.group)
    fields = next((plugin for plugin in parser.plugins if isinstance(plugin, qparser.MultifieldPlugin)), None)
    if (group is None or fields is None or fields.boosts or fields.group is not qparser.OrGroup
            or parser.termclass is not query.Term):
        return None
    schema = parser.schema
    alternatives = []
    for word in words:
        terms = []
        for name in fields.fieldnames:
            if schema[name].self_parsing():
                return None
            texts = list(schema[name].process_text(word, mode="query", tokenize=True, removestops=True))
            if len(texts) > 1:
                return None  # the parser would join them (a phrase)
            if texts:  # none: a stop word
                terms.append(query.Term(name, texts[0]))
        alternatives.append(query.Or(terms))
    normalized = group(alternatives).normalize()
    return None if normalized is query.NullQuery else normalized  # no word left: the parser's message


@lru_cache(maxsize=64)
def parse_query_once(parser: Any, text: str) -> Any | None:
    """Return parse_query's query, parsed once for many uses (the spans of every article of an export); read only."""
    return parse_query(parser, text)


def _first_error(q: Any) -> str | None:
    error = getattr(q, "error", None)
    if error:
        return str(error)
    for child in q.children():
        found = _first_error(child)
        if found:
            return found
    return None



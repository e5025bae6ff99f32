"""The NEAR operator, as newsroom and library search tools spell it: `oil NEAR prices`, `oil NEAR/3 prices`.

Both sides within N words of each other, in either order, in the same field: NEAR/1 is next to each other,
NEAR/3 allows up to two words between; plain NEAR is NEAR/10 (SQLite FTS5's default, "within ten words").
Words not indexed (the stop words) do not count, as in phrases. A side may be a word, a "quoted phrase" or
another NEAR (`a NEAR b NEAR c`: c near the span of a and b). NEAR binds tighter than AND, OR and NOT.
An ordered, exact-distance form already exists: `"oil prices"~5` (the words in order, at most 5 apart).

It is a Whoosh query-parser operator (OperatorsPlugin's documented extension point) whose group builds, for
each field both sides can match in, Whoosh's SpanNear2(ordered=False) of the sides' spans.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from whoosh import query as wq
from whoosh.qparser import OperatorsPlugin, syntax
from whoosh.query import spans

from ..errors import QueryError
from ..request import DEFAULT_NEAR_DISTANCE, MAX_NEAR_DISTANCE

NEAR = "NEAR"
NEAR_PATTERN = rf"(?<=\s){NEAR}(?:/(?P<distance>\d+))?(?=\s)"


def near_query(subqueries: list[Any], boost: float = 1.0, distance: int = DEFAULT_NEAR_DISTANCE) -> Any:
    """Return the Whoosh query of `a NEAR/distance b`: the sides within `distance` words, in any field both share."""
    if not 1 <= distance <= MAX_NEAR_DISTANCE:
        raise QueryError(f"NEAR/{distance}: the distance must be between 1 and {MAX_NEAR_DISTANCE:,} words")
    sides = [_by_field(q) for q in subqueries]
    fields = [field for field in sides[0] if all(field in side for side in sides[1:])]
    if not fields:
        raise QueryError("the two sides of NEAR must be searchable in the same field")
    found = [_span([side[field] for side in sides], distance, ordered=False) for field in fields]
    result = found[0] if len(found) == 1 else wq.Or(found)
    result.boost = boost
    return result


def _by_field(query: Any) -> dict[str, Any]:
    """Return one side of NEAR as a span query for each field it searches."""
    if _is_empty(query):
        raise QueryError("each side of NEAR needs a searchable word (very common words such as 'the' are not indexed)")
    if isinstance(query, wq.Term):
        return {query.fieldname: query}
    if isinstance(query, spans.SpanNear2):
        return {next(iter(query.leaves())).field(): query}
    if isinstance(query, wq.Phrase):
        terms = [wq.Term(query.fieldname, word) for word in query.words]
        return {query.fieldname: terms[0] if len(terms) == 1 else _span(terms, max(1, query.slop))}
    if isinstance(query, wq.And) and all(isinstance(q, wq.Term) for q in query.subqueries) and query.subqueries:
        # A word the analyzer splits in two ("anti-ISIS"): its parts next to each other, in order.
        return {query.subqueries[0].fieldname: _span(list(query.subqueries), 1)}
    if isinstance(query, wq.Or) and query.subqueries:
        # The same word in each default field (the parser's multi-field Or), or two NEARs' fields.
        merged: dict[str, Any] = {}
        for sub in query.subqueries:
            for field, found in _by_field(sub).items():
                if field in merged:
                    raise QueryError("NEAR joins words or phrases, not OR groups: write (a NEAR c) OR (b NEAR c)")
                merged[field] = found
        return merged
    raise QueryError(f"NEAR joins words or phrases, not {_kind(query)}")


def _is_empty(query: Any) -> bool:
    """Whether a parsed side holds no indexed word (a stop word gives a null query, or groups of them)."""
    if query is None or query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return True
    if isinstance(query, wq.Phrase) and not query.words:  # a quoted phrase of such words ("the")
        return True
    return isinstance(query, wq.compound.CompoundQuery) and all(_is_empty(q) for q in query.subqueries)


def _span(queries: list[Any], slop: int, ordered: bool = True) -> Any:
    near = spans.SpanNear2(queries, slop=slop, ordered=ordered)
    near.boost = 1.0  # Whoosh's span queries lack the attribute that normalize() reads of every query
    return near


def _kind(query: Any) -> str:
    if isinstance(query, wq.MultiTerm):
        return "wildcards, fuzzy words or ranges"
    if isinstance(query, (wq.Not, wq.AndNot)):
        return "excluded words"
    return "groups of words: use a phrase in quotes, or NEAR between each pair"


class NearGroup(syntax.GroupNode):  # type: ignore[misc]
    """The parsed `a NEAR/n b`; its query is near_query's."""

    merging = False
    qclass: ClassVar[Any] = staticmethod(near_query)


class NearOperator(syntax.InfixOperator):  # type: ignore[misc]
    """The NEAR token, holding its distance."""

    def __init__(self, text: str, grouptype: Any, leftassoc: bool = True, distance: int = DEFAULT_NEAR_DISTANCE):
        super().__init__(text, grouptype, leftassoc)
        self.distance = distance

    def replace_self(self, parser: Any, group: Any, position: int) -> int:
        if 0 < position < len(group) - 1 and isinstance(group[position + 1], syntax.Operator):
            raise QueryError(f"NEAR joins words or phrases, not {group[position + 1].text.strip()!r}: "
                             "put an excluded word outside, as in (oil NEAR prices) -opec")
        if 0 < position < len(group) - 1:
            group[position - 1 : position + 2] = [NearGroup([group[position - 1], group[position + 1]],
                                                            distance=self.distance)]
        else:
            del group[position]  # NEAR at the start or the end: nothing to join, read as nothing
        return position


class NearTagger(OperatorsPlugin.OpTagger):  # type: ignore[misc]
    """Finds NEAR and NEAR/n in the query text."""

    def __init__(self) -> None:
        super().__init__(NEAR_PATTERN, NearGroup, NearOperator, memo="near")

    def create(self, parser: Any, match: re.Match[str]) -> NearOperator:
        distance = match.group("distance")
        return NearOperator(match.group(0), NearGroup, True, int(distance) if distance else DEFAULT_NEAR_DISTANCE)

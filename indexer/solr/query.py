"""Our parsed query (the Whoosh query tree of indexer/whoosh/query.py) -> Solr's JSON Query DSL.

The query text is parsed, checked and analysed exactly as on the Whoosh backend (the same parser, the same NLTK
stems), then translated node by node. Nothing the user typed reaches Solr's query syntax: terms travel as JSON
string values of the `term`, `prefix` and `field` query parsers, which take them literally; proximity goes as
span XML whose text is escaped; the few nodes written in Lucene syntax (wildcards, date ranges) are
built from our analysed terms with every character that is not a letter, a digit or the wildcard itself escaped;
fuzzy words are expanded to the indexed words they match first, as Whoosh does (backend.py).
tests/contract/test_injection.py throws Solr syntax and local parameters at it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from whoosh import query as wq
from whoosh.query import spans
from whoosh.util.times import long_to_datetime

from ..entities import KINDS
from ..errors import QueryError
from ..whoosh.spelling import edit_distance

Dsl = dict[str, Any]
# The pre-analysed fields (the others hold values as given).
_ANALYSED = frozenset(("headline", "body", "author", "topic", "source", *(kind.facet for kind in KINDS)))
# Any character but these is escaped in the Lucene syntax we write (wildcard patterns keep their * and ?).
_PLAIN = re.compile(r"[0-9A-Za-z_]")


def to_dsl(query: Any) -> Dsl:
    """Return the JSON Query DSL of a parsed query."""
    if isinstance(query, wq.Term):
        return {"term": {"f": query.fieldname, "query": _text(query.text)}}
    if isinstance(query, wq.And):
        must = [to_dsl(q) for q in query.subqueries if not isinstance(q, wq.Not)]
        must_not = [to_dsl(q.query) for q in query.subqueries if isinstance(q, wq.Not)]
        return _bool(must=must, must_not=must_not)
    if isinstance(query, wq.Or):
        return _bool(should=[to_dsl(q) for q in query.subqueries])
    if isinstance(query, wq.Not):
        return _bool(must=[{"lucene": {"query": "*:*"}}], must_not=[to_dsl(query.query)])
    if isinstance(query, wq.AndNot):
        return _bool(must=[to_dsl(query.a)], must_not=[to_dsl(query.b)])
    if isinstance(query, wq.AndMaybe):
        return _bool(must=[to_dsl(query.a)], should=[to_dsl(query.b)])
    if isinstance(query, wq.Require):  # b only filters (a language clause: indexer/whoosh/languages.py)
        return {"bool": {"must": [to_dsl(query.a)], "filter": [to_dsl(query.b)]}}
    if isinstance(query, wq.Phrase):
        words = [_text(w) for w in query.words]
        if query.slop <= 1:
            return {"field": {"f": query.fieldname, "query": " ".join(words)}}
        # Whoosh's slop s: at most s - 1 words between, in order; Lucene's span slop counts the words between.
        return _spans(_span_near([_span_term(query.fieldname, w) for w in words], query.slop - 1, True))
    if isinstance(query, spans.SpanNear2):
        return _spans(_span_xml(query))
    if isinstance(query, wq.Prefix):
        return {"prefix": {"f": query.fieldname, "query": _text(query.text)}}
    if isinstance(query, wq.FuzzyTerm):
        # Expanded to the words it matches first (SolrBackend._expanded): Lucene's fuzzy query differs.
        raise QueryError("a fuzzy word must be expanded before it is translated")
    if isinstance(query, wq.Wildcard):
        return {"lucene": {"query": f"{query.fieldname}:{_escaped(_text(query.text), keep='*?')}"}}
    if isinstance(query, wq.TermRange):
        if query.fieldname in _ANALYSED:
            # Solr analyses a range's bounds with the query analyzer, Whoosh compares them as given: they differ.
            raise QueryError(f"a range of words ({query.fieldname}:[a TO b] or {{a TO b}}) cannot run on the Solr "
                             "backend: search for the words, or put braces and brackets in quotes")
        low = "*" if query.start is None else _quoted(_text(query.start))
        high = "*" if query.end is None else _quoted(_text(query.end))
        opening, closing = "{" if query.startexcl else "[", "}" if query.endexcl else "]"
        return {"lucene": {"query": f"{query.fieldname}:{opening}{low} TO {high}{closing}"}}
    if isinstance(query, wq.NumericRange) and query.fieldname == "date":
        return {"lucene": {"query": f"date:[{_bound(query.start)} TO {_bound(query.end)}]"}}
    if isinstance(query, wq.Every):
        return {"lucene": {"query": "*:*"}}
    raise QueryError(f"this query cannot run on the Solr backend yet ({type(query).__name__}): rephrase it")


def date_filter(start: datetime | None, end: datetime | None) -> Dsl:
    """Return the filter of an inclusive date range (None: open)."""
    low = _iso(start) if start else "*"
    high = _iso(end) if end else "*"
    return {"lucene": {"query": f"date:[{low} TO {high}]"}}


def values_filter(field: str, values: tuple[str, ...]) -> Dsl:
    """Return the filter of any of a facet's values, exactly as given (the terms parser takes them literally).

    The values travel joined by U+001F, which no indexed value holds (the parsers drop control characters): a
    value holding one matches nothing rather than splitting into two.
    """
    kept = [value for value in values if "\x1f" not in value]
    if not kept:
        return {"lucene": {"query": "-*:*"}}  # nothing
    return {"terms": {"f": field, "query": "\x1f".join(kept), "separator": "\x1f"}}


def _bool(**clauses: list[Dsl]) -> Dsl:
    return {"bool": {name: queries for name, queries in clauses.items() if queries}}


def _spans(xml: str) -> Dsl:
    return {"xmlparser": {"query": xml}}


def _span_xml(query: Any) -> str:
    if isinstance(query, wq.Term):
        return _span_term(query.fieldname, _text(query.text))
    if isinstance(query, spans.SpanNear2):
        # Whoosh's slop n: at most n - 1 words between the spans (NEAR/3: two words between).
        return _span_near([_span_xml(q) for q in query.qs], max(0, query.slop - 1), bool(query.ordered))
    if isinstance(query, wq.Phrase):
        return _span_near([_span_term(query.fieldname, _text(w)) for w in query.words], max(0, query.slop - 1), True)
    raise QueryError("NEAR joins words or phrases")


def _span_near(clauses: list[str], slop: int, ordered: bool) -> str:
    return f'<SpanNear slop="{slop}" inOrder="{str(ordered).lower()}">{"".join(clauses)}</SpanNear>'


def _span_term(field: str, text: str) -> str:
    return f"<SpanTerm fieldName={quoteattr(field)}>{escape(text)}</SpanTerm>"


def _escaped(text: str, keep: str = "") -> str:
    """Return text for Lucene syntax: every character but letters, digits, _ and `keep` backslash-escaped."""
    return "".join(c if _PLAIN.match(c) or c in keep else "\\" + c for c in text)


def _quoted(text: str) -> str:
    """Return text as a quoted term of Lucene syntax (a range's bound): its backslashes and quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _bound(raw: int | None) -> str:
    return "*" if raw is None else _iso(long_to_datetime(raw))


def _iso(moment: datetime) -> str:
    """Return a naive datetime (as the archive printed it) as the UTC instant Solr stores it as."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def leaves_matcher(query: Any) -> Any:
    """Return a predicate term -> bool: does a word of headline or body match a leaf of the query (for snippets)?"""
    exact: set[str] = set()
    prefixes: list[str] = []
    patterns: list[re.Pattern[str]] = []
    fuzzy: list[tuple[str, int]] = []
    for leaf in query.leaves() if query is not None else ():
        if leaf.field() not in ("headline", "body"):
            continue
        if isinstance(leaf, wq.Phrase):
            exact.update(_text(w) for w in leaf.words)
        elif isinstance(leaf, wq.Prefix):
            prefixes.append(_text(leaf.text))
        elif isinstance(leaf, wq.FuzzyTerm):
            fuzzy.append((_text(leaf.text), int(leaf.maxdist)))
        elif isinstance(leaf, wq.Wildcard):
            pattern = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in _text(leaf.text))
            patterns.append(re.compile(pattern + r"\Z"))
        elif isinstance(leaf, wq.Term):
            exact.add(_text(leaf.text))

    def matches(term: str) -> bool:
        return (term in exact or any(term.startswith(p) for p in prefixes)
                or any(p.match(term) for p in patterns)
                or any(abs(len(term) - len(t)) <= d and edit_distance(term, t) <= d for t, d in fuzzy))

    return matches

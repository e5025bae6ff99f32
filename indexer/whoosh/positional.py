"""Phrases and NEAR matched by comparing position arrays (our codec's postings), exactly as Whoosh matches them.

Whoosh matches `"oil prices"` and `oil NEAR/5 prices` with SpanNear2 (whoosh.query.spans): document by document,
the spans of the first part (a word's span is its position) are joined with those of the next. For each span A
it takes the spans B starting from A's start (ordered) or from A's start less the slop (either order), up to those
starting past A's end plus the slop, and keeps the pairs whose distance (0 when they overlap, else the gap
between them) is from `mindist` to `slop`; a kept pair is one span from the first start to the last end. Here
every span of a segment is a row of three arrays (document, start, end) and a join is two `searchsorted` calls
over the other side's keys (document << 32 | start), the candidate pairs made with `repeat`, and the same tests
as whole-array comparisons: the same documents, with no Python loop over postings or positions
(tests/test_positional.py compares both on Reuters).

A query made of anything else (wildcards or OR groups inside a NEAR, a field without positions) and any segment
written by Whoosh's own codec (no position arrays) are left to Whoosh: `plan` or `match` return None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.query import spans

from .arrays import Postings


@dataclass(frozen=True)
class Term:
    """A word of a field: its positions are its spans."""

    field: str
    text: Any


@dataclass(frozen=True)
class Near:
    """Whoosh's SpanNear2: the parts' spans joined in turn."""

    parts: tuple[Term | Near, ...]
    slop: int
    ordered: bool
    mindist: int


Plan = Term | Near


def plan(query: Any) -> Plan | None:
    """Return the span plan of a phrase, a NEAR or a word, or None for what is left to Whoosh."""
    if isinstance(query, wq.Term):
        return Term(query.fieldname, query.text)
    if isinstance(query, wq.Phrase):
        if not query.words:
            return None
        return Near(tuple(Term(query.fieldname, word) for word in query.words), query.slop, True, 1)
    if isinstance(query, spans.SpanNear2):
        parts = [plan(q) for q in query.qs]
        if not parts or any(part is None for part in parts):
            return None
        return Near(tuple(p for p in parts if p is not None), query.slop, query.ordered, query.mindist)
    return None


@dataclass(frozen=True)
class Spans:
    """Spans as rows sorted by (document, start, end): the document numbers, first and last positions."""

    docs: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


_NONE = Spans(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
Lookup = Callable[[str, Any], Postings]


def match(query: Plan, postings: Lookup) -> np.ndarray | None:
    """Return the (sorted, unique) document numbers of a segment where the plan matches, or None when a term has
    no positions there (a segment of Whoosh's own codec, or a field without positions)."""
    found = _spans(query, postings)
    return None if found is None else _distinct(found.docs)


def _spans(query: Plan, postings: Lookup) -> Spans | None:
    if isinstance(query, Term):
        found = postings(query.field, query.text)
        if found.counts is None or found.positions is None:
            return _NONE if not len(found.docs) else None
        return Spans(np.repeat(found.docs.astype(np.int64), found.counts), found.positions, found.positions)
    parts = [_spans(part, postings) for part in query.parts]
    if any(part is None for part in parts):
        return None
    known = [part for part in parts if part is not None]
    common = _distinct(known[0].docs)
    for part in known[1:]:  # only documents holding every part can match: the joins see no other rows
        common = np.intersect1d(common, _distinct(part.docs), assume_unique=True)
    joined = _only(known[0], common)
    for part in known[1:]:
        if not len(joined.docs):
            return _NONE
        joined = _join(joined, _only(part, common), query.slop, query.ordered, query.mindist)
    return joined


def _distinct(docs: np.ndarray) -> np.ndarray:
    """Return the distinct document numbers of sorted ones (spans' rows are sorted by document)."""
    if len(docs) < 2:
        return docs
    first = np.ones(len(docs), dtype=bool)
    np.not_equal(docs[1:], docs[:-1], out=first[1:])
    return docs[first]


def _only(found: Spans, docs: np.ndarray) -> Spans:
    """Return the spans of the given (sorted, distinct) documents."""
    if not len(docs):
        return _NONE
    at = np.minimum(np.searchsorted(docs, found.docs), len(docs) - 1)
    keep = docs[at] == found.docs
    return Spans(found.docs[keep], found.starts[keep], found.ends[keep])


def _join(a: Spans, b: Spans, slop: int, ordered: bool, mindist: int) -> Spans:
    """Join two sets of spans as SpanNear2 does (see the module's docstring)."""
    if not len(a.docs) or not len(b.docs):
        return _NONE
    keys = (b.docs << 32) | b.starts
    first = a.starts if ordered else np.maximum(a.starts - slop, 0)
    low = np.searchsorted(keys, (a.docs << 32) | first, "left")
    high = np.searchsorted(keys, (a.docs << 32) | (a.ends + slop), "right")
    counts = np.maximum(high - low, 0)
    total = int(counts.sum())
    if not total:
        return _NONE
    ai = np.repeat(np.arange(len(a.docs)), counts)
    bi = np.repeat(low, counts) + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    a_start, a_end, b_start, b_end = a.starts[ai], a.ends[ai], b.starts[bi], b.ends[bi]
    keep = b_end >= a_start - slop
    if ordered:
        keep &= a_start <= b_start
    overlap = (((a_start >= b_start) & (a_start <= b_end)) | ((a_end >= b_start) & (a_end <= b_end))
               | ((b_start >= a_start) & (b_start <= a_end)) | ((b_end >= a_start) & (b_end <= a_end)))
    distance = np.where(overlap, 0, np.where(a_end < b_start, b_start - a_end, a_start - b_end))
    keep &= (mindist <= distance) & (distance <= slop)
    docs = a.docs[ai][keep]
    starts = np.minimum(a_start, b_start)[keep]
    ends = np.maximum(a_end, b_end)[keep]
    order = np.lexsort((ends, starts, docs))
    docs, starts, ends = docs[order], starts[order], ends[order]
    if len(docs) > 1:  # Whoosh keeps a set of spans: one row per (document, start, end)
        fresh = np.ones(len(docs), dtype=bool)
        fresh[1:] = (docs[1:] != docs[:-1]) | (starts[1:] != starts[:-1]) | (ends[1:] != ends[:-1])
        docs, starts, ends = docs[fresh], starts[fresh], ends[fresh]
    return Spans(docs, starts, ends)

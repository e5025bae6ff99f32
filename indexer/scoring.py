"""Matching and ranking the common queries as numpy arrays: the same documents and BM25F scores as Whoosh's.

A search page needs every match (for facets and the timeline) and the ten best. Whoosh finds the best by
scoring document after document through its matcher tree, a few Python calls each. For queries of words under
And, Or and Not (most of what people type), reading each term's postings once, with their weights, gives both:
the matches as a boolean array and the scores as a float array, computed with Whoosh's own BM25F formula, its
idf, average field lengths and per-document field lengths. Anything else (phrases, wildcards, ranges, fields
without lengths) is matched by Whoosh, and ranked by it when it affects the score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import scoring

from .facets import IndexView
from .limits import Deadline, timed_search


class BM25(scoring.BM25F):  # type: ignore[misc]
    """Whoosh's BM25F with the standard idf, log(1 + (N - n + 0.5) / (n + 0.5)), as Lucene and tantivy use.

    Whoosh's own, log(N / (n + 1)) + 1, gives every word a weight of at least 1, however common: for the long,
    natural-language queries of `match=any` that lets words like "said" or "year" crowd out the rare ones that
    carry the query. (Measured once, after choosing it: TIME MAP 0.5992 with Whoosh's idf, 0.6166 with this.)
    """

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        parent = searcher.get_parent()
        documents = parent.doc_count_all()
        having = parent.doc_frequency(fieldname, text)
        return math.log(1 + (documents - having + 0.5) / (having + 0.5))


@dataclass
class Evaluation:
    """The live documents a query matches, and their scores when computed here (None: let Whoosh rank)."""

    mask: np.ndarray
    scores: np.ndarray | None


def evaluate(query: Any, searcher: Any, view: IndexView, deadline: Deadline | None = None) -> Evaluation:
    """Match (and where possible score) a query over the whole index, within the deadline."""
    weighting = searcher.weighting
    params = (weighting.B, weighting.K1) if isinstance(weighting, scoring.BM25F) and not weighting._field_B else None
    return _Evaluator(searcher, view, params, deadline or Deadline(None)).evaluate(query)


def top(all_scores: np.ndarray, mask: np.ndarray, start: int, stop: int) -> list[tuple[int, float | None]]:
    """Return (document number, score) of the masked matches [start:stop], best first, ties by document number."""
    docs = np.flatnonzero(mask)
    scores = all_scores[docs]
    if stop < len(docs):
        # Only the best `stop` need sorting: partition first (ties at the cut are settled by the full sort below).
        cut = np.partition(-scores, stop - 1)[stop - 1]
        keep = -scores <= cut
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[start:stop]
    return [(int(docs[i]), float(scores[i])) for i in order]


class _Evaluator:
    def __init__(self, searcher: Any, view: IndexView, params: tuple[float, float] | None, deadline: Deadline) -> None:
        self.searcher, self.view, self.params, self.deadline = searcher, view, params, deadline

    def evaluate(self, query: Any) -> Evaluation:
        kind = type(query).__name__
        if kind == "Term":
            result = self._term(query.fieldname, query.text)
        elif kind in ("And", "Or") and query.subqueries:
            result = self._compound(kind, query.subqueries)
        elif kind == "AndNot":
            positive = self.evaluate(query.a)
            positive.mask &= ~self.evaluate(query.b).mask
            result = positive
        elif kind == "Not":
            result = Evaluation(self.view.live & ~self.evaluate(query.query).mask, None)
        else:
            found = timed_search(self.searcher, query, self.deadline, limit=None, scored=False).docs()
            result = Evaluation(self.view.mask(found) & self.view.live, None)
        self.deadline.check()
        if result.scores is not None and query.boost != 1:
            result.scores *= query.boost
        return result

    def _term(self, field: str, text: Any) -> Evaluation:
        ids, weights = self.view.postings(field, text)
        mask = np.zeros(self.view.size, dtype=bool)
        mask[ids] = True
        mask &= self.view.live
        lengths = self.view.lengths.get(field)
        if self.params is None or lengths is None:
            return Evaluation(mask, None)
        b, k1 = self.params
        scores = np.zeros(self.view.size)
        if len(ids):
            idf = self.searcher.idf(field, text)
            average = self.searcher.avg_field_length(field) or 1
            # scoring.bm25, element-wise and in the same order of operations (so the same floating-point results).
            scores[ids] = idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths[ids] / average)))
        return Evaluation(mask, scores)

    def _compound(self, kind: str, subqueries: list[Any]) -> Evaluation:
        parts = [self.evaluate(q) for q in subqueries]
        mask = parts[0].mask.copy()
        for part in parts[1:]:
            mask = mask & part.mask if kind == "And" else mask | part.mask
        # Each child adds its score where it matches. Whoosh scores excluded words (Not) its own way: it ranks those.
        if any(part.scores is None for part in parts):
            return Evaluation(mask, None)
        scores = np.zeros(self.view.size)
        for part in parts:
            assert part.scores is not None
            scores += part.scores
        return Evaluation(mask, scores)

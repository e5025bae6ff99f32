"""Ranking: one BM25F score across headline and body, computed for whole result sets as numpy arrays.

The model is Robertson and Zaragoza's BM25F ("The Probabilistic Relevance Framework: BM25 and Beyond", 2009,
section 3.5). A word's occurrences in each field are weighted and length-normalised field by field, summed into
one term frequency, and only then saturated, with one idf per word:

    tf~(d) = sum over fields f of  weight_f * tf_f(d) / ((1 - b_f) + b_f * length_f(d) / average length_f)
    score(d) = sum over query words t of  idf(t) * tf~(d) * (k1 + 1) / (tf~(d) + k1)
    idf(t) = log(1 + (N - n(t) + 0.5) / (n(t) + 0.5)),  n(t) = documents with t in any of the fields

Scoring each field as its own BM25 term and adding the scores (Whoosh's BM25F, tantivy's and Lucene's
multi-field queries) saturates each field separately: a short headline holding one query word then outweighs a
body that is about the query. This is what Lucene's `combined_fields` query does (with per-field b here).

A search page needs every match (for facets and the timeline) and the best ones, so every query is evaluated
over the whole index at once: a boolean array of matches and a float array of scores. Words are read from
their postings (cached, see postings.py); what only Whoosh can match (phrases, NEAR, wildcards, fuzzy words,
ranges) is matched by Whoosh and scored here: a phrase or NEAR by the BM25F scores of its words, a wildcard,
fuzzy word or range with a constant score (its boost), as Lucene and Whoosh do. Words in the other fields
(author, topic, source) score as BM25 without length normalisation: they are names, not prose.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.query import spans

from .facets import IndexView
from .limits import Deadline, timed_matches
from .schema import SEARCH_FIELDS


@dataclass(frozen=True)
class FieldWeight:
    """How a field counts in BM25F: an occurrence's weight (the body's is 1) and its length normalisation b."""

    weight: float
    b: float


@dataclass(frozen=True)
class Ranking:
    """The BM25F parameters: saturation k1 and each searched field's weight and b (one set, for every query)."""

    k1: float
    fields: tuple[tuple[str, FieldWeight], ...]

    def field(self, name: str) -> FieldWeight | None:
        """Return a field's weight and b, or None for a field that BM25F does not combine."""
        return dict(self.fields).get(name)

    def describe(self) -> str:
        """Return the parameters as one line, e.g. "k1=1.2 headline=2.0/b0.75 body=1.0/b0.75"."""
        return " ".join([f"k1={self.k1:g}", *(f"{f}={w.weight:g}/b{w.b:g}" for f, w in self.fields)])


# Chosen on Cranfield, checked on TIME (docs/search.md, "Ranking"; python -m bench.relevance --grid): the best MAP of a
# 96-point grid over the literature's ranges, inside a flat region (its neighbours in the grid within 0.006 MAP).
DEFAULT_RANKING = Ranking(k1=2.0, fields=(("headline", FieldWeight(3.0, 0.75)), ("body", FieldWeight(1.0, 0.75))))
assert tuple(name for name, _ in DEFAULT_RANKING.fields) == SEARCH_FIELDS


@dataclass
class Evaluation:
    """The live documents a query matches, and every document's score (meaningful where it matches)."""

    mask: np.ndarray
    scores: np.ndarray


def evaluate(query: Any, searcher: Any, view: IndexView, ranking: Ranking = DEFAULT_RANKING,
             deadline: Deadline | None = None) -> Evaluation:
    """Match and score a query over the whole index, within the deadline."""
    return _Evaluator(searcher, view, ranking, deadline or Deadline(None)).evaluate(query)


def top(all_scores: np.ndarray, mask: np.ndarray, start: int, stop: int) -> list[tuple[int, float]]:
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


# Queries Whoosh matches and whose words are scored here (the rest Whoosh matches score a constant).
_BY_WORDS = (wq.Phrase, spans.SpanQuery, wq.And)
# Patterns whose text says what they search for (grouped across fields like words).
_PATTERNS = (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.Regex)


class _Evaluator:
    def __init__(self, searcher: Any, view: IndexView, ranking: Ranking, deadline: Deadline) -> None:
        self.searcher, self.view, self.ranking, self.deadline = searcher, view, ranking, deadline
        self.documents = searcher.doc_count_all()

    def evaluate(self, query: Any) -> Evaluation:
        result = self._evaluate(query)
        self.deadline.check()
        if query.boost != 1:
            result.scores *= query.boost
        return result

    def _evaluate(self, query: Any) -> Evaluation:
        if isinstance(query, wq.Or):
            return self._union([self._group(group) for group in _combined(query.subqueries)])
        if isinstance(query, wq.And):
            return self._intersection([self.evaluate(q) for q in query.subqueries])
        if isinstance(query, wq.AndNot):
            positive = self.evaluate(query.a)
            positive.mask &= ~self.evaluate(query.b).mask
            return positive
        if isinstance(query, wq.Not):
            return Evaluation(self.view.live & ~self.evaluate(query.query).mask, np.zeros(self.view.size))
        if isinstance(query, wq.AndMaybe):
            required, optional = self.evaluate(query.a), self.evaluate(query.b)
            return Evaluation(required.mask, required.scores + np.where(optional.mask, optional.scores, 0.0))
        if isinstance(query, wq.Require):
            required = self.evaluate(query.a)
            required.mask &= self.evaluate(query.b).mask
            return required
        return self._match([query])

    def _group(self, group: list[Any]) -> Evaluation:
        """Evaluate the same query over several searched fields (see _combined) as one; or a query alone."""
        if len(group) == 1:
            return self.evaluate(group[0])
        result = self._match(group)
        if group[0].boost != 1:
            result.scores *= group[0].boost
        return result

    def _match(self, group: list[Any]) -> Evaluation:
        """Match and score a word, phrase, pattern or range in one or more fields (boosts left to the caller)."""
        first, fields = group[0], [field for field in map(_field_of, group) if field is not None]
        if isinstance(first, wq.Term):
            return self._words(fields, [first.text])
        matched = np.zeros(self.view.size, dtype=bool)
        for q in group:
            # Phrases and NEAR from position arrays where the codec has them; wildcards from the term dictionary.
            found = self.view.span_mask(q)
            if found is None:
                found = self.view.expansion_mask(q, self.deadline)
            matched |= found if found is not None else self.view.mask(timed_matches(self.searcher, q, self.deadline))
        matched &= self.view.live
        if isinstance(first, _BY_WORDS):
            words = first.words if isinstance(first, wq.Phrase) else [
                leaf.text for leaf in first.leaves() if isinstance(leaf, wq.Term)]
            return Evaluation(matched, np.where(matched, self._words(fields, dict.fromkeys(words)).scores, 0.0))
        return Evaluation(matched, np.where(matched, 1.0, 0.0))

    def _words(self, fields: list[str], words: Iterable[Any]) -> Evaluation:
        """Return the documents with any of the words in any of the fields, scored by BM25F (summed over words)."""
        mask = np.zeros(self.view.size, dtype=bool)
        scores = np.zeros(self.view.size)
        for word in words:
            present, tf = self._combined_frequency(fields, word)
            having = int(np.count_nonzero(present))
            if not having:
                continue
            k1 = self.ranking.k1
            idf = math.log(1 + (self.documents - having + 0.5) / (having + 0.5))
            docs = np.flatnonzero(present)
            scores[docs] += idf * tf[docs] * (k1 + 1) / (tf[docs] + k1)
            mask |= present
        return Evaluation(mask & self.view.live, scores)

    def _combined_frequency(self, fields: list[str], word: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return which documents hold a word in any of the fields, and its weighted, normalised frequency."""
        present = np.zeros(self.view.size, dtype=bool)
        tf = np.zeros(self.view.size)
        for field in fields:
            ids, weights = self.view.postings(field, word)
            if not len(ids):
                continue
            present[ids] = True
            # Postings hold frequency x the schema's field boost (2 for headlines in indexes built before BM25F).
            frequency = weights / (getattr(self.searcher.schema[field].format, "field_boost", 1.0) or 1.0)
            weight = self.ranking.field(field)
            lengths = self.view.lengths.get(field)
            if weight is None or lengths is None:
                tf[ids] += frequency  # names: no length normalisation
                continue
            average = self.searcher.avg_field_length(field) or 1
            tf[ids] += weight.weight * frequency / ((1 - weight.b) + weight.b * lengths[ids] / average)
        return present, tf

    def _union(self, parts: list[Evaluation]) -> Evaluation:
        mask = np.zeros(self.view.size, dtype=bool)
        scores = np.zeros(self.view.size)
        for part in parts:
            mask |= part.mask
            scores += np.where(part.mask, part.scores, 0.0)
        return Evaluation(mask, scores)

    def _intersection(self, parts: list[Evaluation]) -> Evaluation:
        mask = self.view.live.copy()
        scores = np.zeros(self.view.size)
        for part in parts:
            mask &= part.mask
            scores += part.scores
        return Evaluation(mask, scores)


def _combined(subqueries: list[Any]) -> list[list[Any]]:
    """Group an Or's subqueries: the same word, phrase or pattern in several searched fields is one group.

    The query parser searches a word in every default field as Or(Term("headline", w), Term("body", w)); BM25F
    scores that as one word. Other subqueries stay groups of one.
    """
    groups: dict[Any, list[Any]] = {}
    for number, q in enumerate(subqueries):
        shape = _shape(q) if _field_of(q) in SEARCH_FIELDS else None
        groups.setdefault(shape if shape is not None else ("alone", number), []).append(q)
    return list(groups.values())


def _field_of(query: Any) -> str | None:
    """Return the field a query searches (Whoosh's span queries name none themselves: their words do)."""
    field: str | None = query.field()
    if field is None and isinstance(query, spans.SpanQuery):
        field = next((leaf.field() for leaf in query.leaves()), None)
    return field


def _shape(query: Any) -> Any:
    """Return what a query searches for, leaving out its field (None: a query that is not grouped)."""
    if isinstance(query, wq.Term):
        return ("term", query.text, query.boost)
    if isinstance(query, wq.Phrase):
        return ("phrase", tuple(query.words), query.slop, query.boost)
    if isinstance(query, spans.SpanNear2):
        parts = tuple(_shape(q) for q in query.qs)
        return None if None in parts else ("near", parts, query.slop, query.ordered, query.boost)
    if isinstance(query, _PATTERNS):
        return (type(query).__name__, query.text, getattr(query, "maxdist", None),
                getattr(query, "prefixlength", None), query.boost)
    if isinstance(query, wq.And) and all(isinstance(q, wq.Term) for q in query.subqueries):
        return ("and", tuple(_shape(q) for q in query.subqueries), query.boost)
    return None

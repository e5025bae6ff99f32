"""Facet counts, date order and field lengths over whole result sets, from per-segment arrays built once.

A segment never changes after it is written (only its deletions do), so its arrays are cached by segment id and
live-document count; a commit only costs the arrays of its new segments. Counting a result set is then a few
numpy operations, however large the set.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Generic, TypeVar

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from .arrays import Postings
from .codec import NewsTermsReader
from .limits import Deadline, expanded_words
from .positional import Near, match, plan
from .postings import DEFAULT_BUDGET_MB, PostingsCache
from .schema import FACET_DEFAULTS, FACET_FIELDS, SEARCH_FIELDS
from .storage import leaf_readers
from .views import NewsPerDocReader

NO_DATE = np.iinfo(np.int64).min
DOCS = np.int32  # a facet column's document numbers: an index of up to two billion articles, half int64's memory
TERM_STATS = 100_000  # terms whose whole-index statistics are remembered (IndexView.term_stats)
EXPANSIONS = 256  # wildcards, fuzzy words and word ranges whose words are remembered (IndexView.expanded)
HIT_BYTES = 24 * 2**20  # hits' articles and words remembered for their next pages (WhooshBackend._hit), per process
_DAY = 86_400_000_000  # microseconds
T = TypeVar("T")
_MISSING_COLUMN_VALUE = 2**64 - 1  # what Whoosh's date column holds for an article without a date


@dataclass(frozen=True)
class FacetColumn:
    """A facet's values and one (document, value ordinal) pair per posting."""

    values: tuple[str, ...]
    docs: np.ndarray
    ords: np.ndarray


@dataclass(frozen=True)
class _Segment:
    doc_count_all: int
    live: np.ndarray
    dates: np.ndarray
    facets: dict[str, FacetColumn]
    lengths: dict[str, np.ndarray]
    stories: np.ndarray  # a number per story id (its hash in this process), 0 for an article without one


class Remembered(Generic[T]):
    """Values worked out on demand and remembered, the most recently used up to `limit`: that many values, or that
    total weight when each value is weighed (`weigh`, say its bytes); safe across threads."""

    def __init__(self, limit: int, weigh: Callable[[T], int] | None = None) -> None:
        self.limit = limit
        self._weigh = weigh
        self._weight = 0
        self._values: OrderedDict[Any, tuple[T, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], T]) -> T:
        """Return the value of a key, made by `make` the first time (and again once it has been forgotten)."""
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
                return found[0]
        made = make()
        weight = 1 if self._weigh is None else self._weigh(made)
        with self._lock:
            replaced = self._values.pop(key, None)  # another thread made it meanwhile
            self._weight += weight - (replaced[1] if replaced else 0)
            self._values[key] = (made, weight)
            while self._weight > self.limit and len(self._values) > 1:
                self._weight -= self._values.popitem(last=False)[1][1]
        return made

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._values.clear()
            self._weight = 0


class SegmentCache:
    """Arrays of each segment, shared by every view of the index; safe to use from several threads."""

    def __init__(self, postings_mb: float = DEFAULT_BUDGET_MB) -> None:
        self._segments: dict[tuple[str, int], _Segment] = {}
        self._lock = threading.Lock()
        self.postings = PostingsCache(postings_mb)
        # Terms' statistics over a whole index (IndexView.term_stats), by the index's segments, field and term.
        self.stats: Remembered[tuple[float, int]] = Remembered(TERM_STATS)
        # The words of wildcards, fuzzy words and word ranges in each segment (IndexView.expanded).
        self.expansions: Remembered[list[tuple[tuple[str, bytes], ...]]] = Remembered(EXPANSIONS)
        # Hits' stored articles and the words of their snippets' text, by the index's segments and document number
        # (WhooshBackend._hit; weighed in bytes).
        self.hits: Remembered[Any] = Remembered(HIT_BYTES, lambda hit: int(hit.size))

    def get(self, reader: Any) -> _Segment:
        """Return the arrays of a segment reader, building them the first time."""
        key = (reader.segment().segment_id(), reader.doc_count())
        with self._lock:
            found = self._segments.get(key)
        if found is None:
            found = _read_segment(reader)
            with self._lock:
                self._segments[key] = found
        return found

    def clear(self) -> None:
        """Forget decoded postings, terms' statistics, expansions and hits (a "cold" search works them out again);
        the arrays of segments stay."""
        self.postings.clear()
        self.stats.clear()
        self.expansions.clear()
        self.hits.clear()

    def retain(self, keys: Iterable[tuple[str, int]]) -> None:
        """Forget segments no longer in the index."""
        keep = set(keys)
        with self._lock:
            for key in [k for k in self._segments if k not in keep]:
                del self._segments[key]


def _read_segment(reader: Any) -> _Segment:
    n = reader.doc_count_all()
    live = np.zeros(n, dtype=bool)
    if reader.has_deletions():
        live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
    else:
        live[:] = True
    perdoc = reader._perdoc  # the per-document reader of the segment's codec
    whole = isinstance(perdoc, NewsPerDocReader)  # our codec's: columns read whole, as arrays
    if whole:
        raw = perdoc.fixed_values("date", reader.schema["date"].column_type).astype(np.uint64)
    else:
        raw = np.fromiter(reader.column_reader("date", translate=False), dtype=np.uint64, count=n)
    dates = np.where(raw == _MISSING_COLUMN_VALUE, NO_DATE, raw.astype(np.int64))
    facets = {name: _read_facet(reader, field, live, FACET_DEFAULTS.get(name)) for name, field in FACET_FIELDS.items()}
    # Field lengths as BM25F reads them (Whoosh stores them rounded to one byte; 1 when a document has none: its
    # reader gives None for an empty field, not the default).
    if whole:
        lengths = {field: _LENGTH_OF_BYTE[perdoc.length_bytes(field)] for field in SEARCH_FIELDS}
    else:
        lengths = {field: np.array([reader.doc_field_length(d, field, 1) or 1 for d in range(n)], dtype=np.float64)
                   for field in SEARCH_FIELDS}
    return _Segment(n, live, dates, facets, lengths, _read_stories(reader, n))


_LENGTH_OF_BYTE = np.array([1.0] + [byte_to_length(b) or 1 for b in range(1, 256)], dtype=np.float64)


def _read_stories(reader: Any, n: int) -> np.ndarray:
    """Return a number per document for its story id: equal ids, equal numbers (story_numbers)."""
    if "story" not in reader.schema or not reader.schema["story"].column_type:
        return np.zeros(n, dtype=np.int64)  # an index made before stories
    if isinstance(reader._perdoc, NewsPerDocReader) and reader.has_column("story"):
        return story_numbers(*reader._perdoc.var_bytes("story", reader.schema["story"].column_type))
    values = [s.encode("utf-8") for s in reader.column_reader("story")]
    return story_numbers(b"".join(values), np.array([len(v) for v in values], dtype=np.int64))


def story_numbers(values: bytes, lengths: np.ndarray) -> np.ndarray:
    """Return a number for each of the given story ids (UTF-8, one after another, each of the given length): a
    64-bit FNV-1a hash, computed for all at once; 0 for an empty id (an article without a story)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    data = np.frombuffer(values, dtype=np.uint8)
    starts = np.cumsum(lengths) - lengths
    hashed = np.full(len(lengths), 0xCBF29CE484222325, dtype=np.uint64)
    for at in range(int(lengths.max()) if len(lengths) else 0):
        having = np.flatnonzero(lengths > at)
        hashed[having] = (hashed[having] ^ data[starts[having] + at]) * np.uint64(0x100000001B3)
    numbers = hashed.view(np.int64)
    numbers[numbers == 0] = 1
    numbers[lengths == 0] = 0
    return numbers


def story_number(story_id: str) -> int:
    """Return the number of one story id (story_numbers)."""
    encoded = story_id.encode("utf-8")
    return int(story_numbers(encoded, np.array([len(encoded)]))[0])


def _read_facet(reader: Any, field: str, live: np.ndarray, default: str | None = None) -> FacetColumn:
    """Return a facet's column: its values and (document, value) pairs of the live documents (Whoosh's postings
    leave deleted documents out; the codec's tables keep them)."""
    n = len(live)
    terms = getattr(reader, "_terms", None)  # the terms reader of the segment's codec
    table = terms.table(field) if isinstance(terms, NewsTermsReader) else None
    values: list[str] = []
    docs: list[np.ndarray] = []
    ords: list[np.ndarray] = []
    if table is not None:  # the codec's table of the field: every value and document at once
        values = [value.decode("utf-8") for value in table[0]]
        kept = live[table[1]]
        docs, ords = [table[1][kept]], [table[2][kept]]
    elif field in reader.indexed_field_names():
        for term in reader.lexicon(field):
            ids = np.fromiter(reader.postings(field, term).all_ids(), dtype=np.int64)
            docs.append(ids)
            ords.append(np.full(len(ids), len(values), dtype=np.int32))
            values.append(term.decode("utf-8"))
    if default is not None:  # documents without a value have the default (the language of older indexes)
        having = np.zeros(n, dtype=bool)
        for ids in docs:
            having[ids] = True
        missing = np.flatnonzero(~having)
        if len(missing):
            if default not in values:
                values.append(default)
            docs.append(missing)
            ords.append(np.full(len(missing), values.index(default), dtype=np.int32))
    if not values:
        return FacetColumn((), np.zeros(0, dtype=DOCS), np.zeros(0, dtype=np.int32))
    return FacetColumn(tuple(values), np.concatenate(docs).astype(DOCS), np.concatenate(ords))


class IndexView:
    """The whole index as arrays: live documents, dates and facet columns in global document numbers."""

    def __init__(self, searcher: Any, cache: SegmentCache) -> None:
        reader = searcher.reader()
        leaves = leaf_readers(reader)
        self.leaves, self.cache = leaves, cache
        self.segment_ids = " ".join(leaf.segment().segment_id() for leaf, _ in leaves)
        segments = [(cache.get(leaf), offset) for leaf, offset in leaves]
        cache.retain((leaf.segment().segment_id(), leaf.doc_count()) for leaf, _ in leaves)
        self.size = reader.doc_count_all()
        self.live = _concat([s.live for s, _ in segments], bool)
        self.dates = _concat([s.dates for s, _ in segments], np.int64)
        self.facets = {name: _merge([(s.facets[name], off) for s, off in segments]) for name in FACET_FIELDS}
        self.lengths = {field: _concat([s.lengths[field] for s, _ in segments], np.float64) for field in SEARCH_FIELDS}
        stories = _concat([s.stories for s, _ in segments], np.int64)
        alone = stories == 0  # an article without a story id is a story of its own
        stories[alone] = -1 - np.flatnonzero(alone)
        self.stories = stories
        self._single: dict[str, np.ndarray | None] = {}  # single_valued's, by facet

    def single_valued(self, name: str) -> np.ndarray | None:
        """Return each document's value ordinal of a facet that holds at most one value per document (the number
        of values for none), or None for a facet of several values a document (once per view and facet)."""
        if name not in self._single:
            column = self.facets[name]
            single = None
            if not len(column.docs) or int(np.bincount(column.docs, minlength=self.size).max()) <= 1:
                single = np.full(self.size, len(column.values), dtype=np.int32)
                single[column.docs] = column.ords
            self._single[name] = single
        return self._single[name]

    @cached_property
    def dense_stories(self) -> np.ndarray:
        """Return each document's story as a number from 0 to the number of stories (once per view): counting a
        result set's stories is then a bincount, not a sort."""
        return np.unique(self.stories, return_inverse=True)[1].astype(np.int64).reshape(-1)

    def postings(self, field: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return a term's document numbers (deleted ones included) and weights over the whole index."""
        parts = [(self.cache.postings.postings(leaf, field, text), offset) for leaf, offset in self.leaves]
        ids = _concat([found.docs.astype(np.int64) + offset for found, offset in parts], np.int64)
        return ids, _concat([found.weights for found, _ in parts], np.float64)

    def term_stats(self, field: str, text: bytes) -> tuple[float, int]:
        """Return a term's total weight (its frequency) and document frequency over the whole index, deleted
        documents included as Whoosh counts them: one term dictionary look-up per segment (Whoosh's reader makes
        one for "is it there", one per statistic), and remembered for the index's segments (SegmentCache.stats)."""
        def summed() -> tuple[float, int]:
            weight, df = 0.0, 0
            for leaf, _ in self.leaves:
                try:
                    info = leaf.term_info(field, text)
                except TermNotFound:
                    continue
                weight += info.weight()
                df += info.doc_frequency()
            return weight, df

        return self.cache.stats.get((self.segment_ids, field, text), summed)

    def expanded(self, query: Any, deadline: Deadline) -> list[tuple[tuple[str, bytes], ...]]:
        """Return the words a wildcard, fuzzy word or word range stands for in each segment (limits.expanded_words),
        worked out once for the index's segments and remembered (SegmentCache.expansions): a search asks for them
        three times (the expansion limit, the matches, the highlighted words)."""
        return self.cache.expansions.get((self.segment_ids, query),
                                         lambda: expanded_words(query, (leaf for leaf, _ in self.leaves), deadline))

    def expansion_mask(self, query: Any, deadline: Deadline) -> np.ndarray | None:
        """Return the documents a wildcard, fuzzy word or word range matches: each segment's words for it from its term
        dictionary, their postings' document numbers at once; None for another kind of query."""
        if not isinstance(query, wq.MultiTerm):
            return None
        result = np.zeros(self.size, dtype=bool)
        for (leaf, offset), words in zip(self.leaves, self.expanded(query, deadline), strict=True):
            for number, (field, text) in enumerate(words):
                if number % 64 == 0:
                    deadline.check()
                result[self.cache.postings.postings(leaf, field, text).docs.astype(np.int64) + offset] = True
        return result

    def span_mask(self, query: Any) -> np.ndarray | None:
        """Return the documents a phrase or NEAR matches, from position arrays (positional.py), or None when Whoosh
        must match it (another kind of query, or a segment of Whoosh's own codec). The segments' postings are
        joined into the whole index's first, so the spans are matched once, not once per segment."""
        planned = plan(query)
        if not isinstance(planned, Near):
            return None
        docs = match(planned, self.positions)
        if docs is None:
            return None
        result = np.zeros(self.size, dtype=bool)
        result[docs] = True
        return result

    def positions(self, field: str, text: Any) -> Postings:
        """Return a term's postings with positions over the whole index (global document numbers, deleted ones
        included); without positions (counts None) when a segment that has the term keeps none."""
        parts = [(found, offset) for found, offset in
                 ((self.cache.postings.postings(leaf, field, text), offset) for leaf, offset in self.leaves)
                 if len(found.docs)]
        docs = _concat([found.docs.astype(np.int64) + offset for found, offset in parts], np.int64)
        weights = _concat([found.weights for found, _ in parts], np.float64)
        counts = [found.counts for found, _ in parts if found.counts is not None]
        positions = [found.positions for found, _ in parts if found.positions is not None]
        if len(counts) < len(parts) or len(positions) < len(parts):
            return Postings(docs, weights)
        return Postings(docs, weights, _concat(counts, np.int64), _concat(positions, np.int64))

    def mask(self, docnums: Iterable[int]) -> np.ndarray:
        """Return a boolean array with True at the given document numbers."""
        result = np.zeros(self.size, dtype=bool)
        result[np.fromiter(docnums, dtype=np.int64)] = True
        return result

    def selection_mask(self, name: str, values: Iterable[str]) -> np.ndarray:
        """Return the documents that have any of the given values of a facet."""
        column = self.facets[name]
        chosen = set(values)
        wanted = [i for i, v in enumerate(column.values) if v in chosen]
        result = np.zeros(self.size, dtype=bool)
        result[column.docs[np.isin(column.ords, wanted)]] = True
        return result

    def counts(self, name: str, mask: np.ndarray) -> list[tuple[str, int]]:
        """Return (value, count) for every value of a facet among the masked documents, largest first."""
        column = self.facets[name]
        if not column.values:
            return []
        single = self.single_valued(name)
        if single is not None:  # no gather of the column's document numbers (converted to int64 on each use)
            tally = np.bincount(single[mask], minlength=len(column.values) + 1)[:-1]
        else:
            tally = np.bincount(column.ords[mask[column.docs]], minlength=len(column.values))
        present = np.flatnonzero(tally)
        order = present[np.lexsort((present, -tally[present]))]
        return [(column.values[i], int(tally[i])) for i in order]

    def by_date(self, mask: np.ndarray, newest: bool, start: int, stop: int) -> list[int]:
        """Return document numbers [start:stop] of the masked documents in date order; undated ones last."""
        docs = np.flatnonzero(mask)
        keys = self.dates[docs]
        dated = keys != NO_DATE
        keys = np.where(dated, -keys if newest else keys, np.iinfo(np.int64).max)
        order = np.lexsort((docs, keys))  # by date, then by document number for a stable order
        return [int(d) for d in docs[order[start:stop]]]

    def date_mask(self, start: int | None, end: int | None) -> np.ndarray:
        """Return the dated documents whose raw date lies within [start, end] (None: open)."""
        result: np.ndarray = self.dates != NO_DATE
        if start is not None:
            result &= self.dates >= start
        if end is not None:
            result &= self.dates <= end
        return result

    def day_counts(self, mask: np.ndarray) -> list[tuple[date, int]]:
        """Return (day, count) for every day on which masked, dated documents ran, in date order."""
        keys = self.dates[mask & (self.dates != NO_DATE)]
        if not len(keys):
            return []
        days = keys // _DAY  # raw dates count microseconds from 0001-01-01 (whoosh.util.times.datetime_to_long)
        first = int(days.min())
        tally = np.bincount(days - first)
        return [(date.fromordinal(first + int(i) + 1), int(tally[i])) for i in np.flatnonzero(tally)]

    def date_bounds(self, mask: np.ndarray) -> tuple[int, int] | None:
        """Return the smallest and largest raw date among the masked, dated documents."""
        keys = self.dates[mask & (self.dates != NO_DATE)]
        return (int(keys.min()), int(keys.max())) if len(keys) else None


def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _merge(parts: list[tuple[FacetColumn, int]]) -> FacetColumn:
    """Merge segment columns into one with a shared value list and global document numbers."""
    index: dict[str, int] = {}
    docs: list[np.ndarray] = []
    ords: list[np.ndarray] = []
    for column, offset in parts:
        remap = np.array([index.setdefault(v, len(index)) for v in column.values], dtype=np.int32)
        if len(column.docs):
            docs.append(column.docs + DOCS(offset))
            ords.append(remap[column.ords])
    if not docs:
        return FacetColumn((), np.zeros(0, dtype=DOCS), np.zeros(0, dtype=np.int32))
    return FacetColumn(tuple(index), np.concatenate(docs), np.concatenate(ords))

"""Decoded postings (document numbers, weights, positions) of recently searched terms, per segment, within a budget.

Our codec's postings are arrays in one step (codec.py); a segment of Whoosh's own codec (an index built before it,
until merged or optimized) decodes a posting at a time, about a microsecond each. Segments never change once
written, so a term's postings in a segment can be kept and reused until the segment is merged away. The least
recently used terms are dropped when the budget is exceeded; popular queries (the ones a busy search page sees
again and again) stay decoded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from .arrays import EMPTY, Postings
from .codec import term_postings

DEFAULT_BUDGET_MB = 256
_Key = tuple[str, str, Any]  # segment id, field, term text


class PostingsCache:
    """Thread-safe LRU of terms' Postings (document numbers, weights, positions), keyed by segment, field and term."""

    def __init__(self, budget_mb: float = DEFAULT_BUDGET_MB) -> None:
        self.budget = int(budget_mb * 1024 * 1024)
        self.size = 0
        self._entries: OrderedDict[_Key, Postings] = OrderedDict()
        self._lock = threading.Lock()

    def postings(self, segment: Any, field: str, text: Any) -> Postings:
        """Return a term's postings in a segment (document numbers within it); empty arrays if it has none."""
        key = (segment.segment().segment_id(), field, text)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = read_postings(segment, field, text)
        cost = found.nbytes
        if cost <= self.budget:
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = found
                    self.size += cost
                while self.size > self.budget:
                    _, dropped = self._entries.popitem(last=False)
                    self.size -= dropped.nbytes
        return found

    def clear(self) -> None:
        """Forget every term (benchmarks use this to measure searches with nothing decoded yet)."""
        with self._lock:
            self._entries.clear()
            self.size = 0


def read_postings(reader: Any, field: str, text: Any) -> Postings:
    """Decode a term's postings in one segment (deleted documents included): our codec's arrays in one step, or, in
    a segment of Whoosh's own codec, its document numbers and weights a posting at a time (no positions)."""
    found = term_postings(reader, field, text)
    if found is not None:
        return found
    if (field, text) not in reader:
        return EMPTY
    matcher = reader.postings(field, text)
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return Postings(np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float64))

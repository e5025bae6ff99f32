"""Decoded postings (document numbers and weights) of recently searched terms, per segment, within a memory budget.

Whoosh decodes postings in Python, about a microsecond a posting: a common word in a large archive costs tens of
milliseconds every time it is searched. Segments never change once written, so a term's postings in a segment
can be kept as arrays and reused until the segment is merged away. The least recently used terms are dropped
when the budget is exceeded; popular queries (the ones a busy search page sees again and again) stay decoded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

DEFAULT_BUDGET_MB = 256
_Key = tuple[str, str, Any]  # segment id, field, term text


class PostingsCache:
    """Thread-safe LRU of (document numbers, weights) arrays, keyed by segment, field and term."""

    def __init__(self, budget_mb: float = DEFAULT_BUDGET_MB) -> None:
        self.budget = int(budget_mb * 1024 * 1024)
        self.size = 0
        self._entries: OrderedDict[_Key, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def postings(self, segment: Any, field: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return a term's document numbers (within the segment) and weights; empty arrays if it has none."""
        key = (segment.segment().segment_id(), field, text)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = read_postings(segment, field, text)
        cost = found[0].nbytes + found[1].nbytes
        if cost <= self.budget:
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = found
                    self.size += cost
                while self.size > self.budget:
                    _, (ids, weights) = self._entries.popitem(last=False)
                    self.size -= ids.nbytes + weights.nbytes
        return found

    def clear(self) -> None:
        """Forget every term (benchmarks use this to measure searches with nothing decoded yet)."""
        with self._lock:
            self._entries.clear()
            self.size = 0


def read_postings(reader: Any, field: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
    """Decode a term's postings in one segment (deleted documents included) with Whoosh's public matcher API."""
    if (field, text) not in reader:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
    matcher = reader.postings(field, text)
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float64)

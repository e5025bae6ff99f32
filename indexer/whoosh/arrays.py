"""A term's record of our codec (codec.py) read as arrays, made from them, and served through Whoosh's matcher API.

`decode` reads a record with `numpy.frombuffer` (`Postings`: document numbers, weights, positions); `ArrayMatcher`
gives Whoosh's matcher API over the same arrays, for the queries Whoosh still matches itself (phrases and spans
ask it for a few encoded values, made on demand from the positions).
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.matching import ListMatcher, ReadTooFar

WEIGHTS, POSITIONS, VALUES = 1, 2, 4  # a record's flags (codec.py's docstring has the layout)
_HEADER = np.dtype("<u4")
_BIG_ENDIAN = sys.byteorder == "big"


@dataclass(frozen=True)
class Postings:
    """A term's postings in one segment as arrays: document numbers, weights, and positions when the format has them
    (`counts[i]` positions of `docs[i]`, one document after another in `positions`)."""

    docs: np.ndarray
    weights: np.ndarray
    counts: np.ndarray | None = None
    positions: np.ndarray | None = None

    @property
    def nbytes(self) -> int:
        """Return the memory the arrays hold."""
        return sum(a.nbytes for a in (self.docs, self.weights, self.counts, self.positions) if a is not None)

    def starts(self) -> np.ndarray:
        """Return where each document's positions start in `positions`."""
        assert self.counts is not None
        starts = np.zeros(len(self.counts), dtype=np.int64)
        np.cumsum(self.counts[:-1], out=starts[1:])
        return starts

    def positions_of(self, i: int) -> list[int]:
        """Return the positions of the i-th document."""
        assert self.counts is not None and self.positions is not None
        start = int(self.counts[:i].sum())
        return [int(p) for p in self.positions[start:start + int(self.counts[i])]]


EMPTY = Postings(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))


def decode(data: bytes) -> tuple[Postings, list[bytes] | None]:
    """Decode one term's record: its postings, and the values of a format stored as values (flag 4)."""
    n, flags = (int(x) for x in np.frombuffer(data, dtype=_HEADER, count=2))
    at = 8
    docs = np.frombuffer(data, dtype="<u4", count=n, offset=at).astype(np.int32)
    at += 4 * n
    if flags & WEIGHTS:
        weights = np.frombuffer(data, dtype="<f4", count=n, offset=at).astype(np.float64)
        at += 4 * n
    else:
        weights = np.ones(n)
    counts = positions = None
    values: list[bytes] | None = None
    if flags & POSITIONS:
        counts = np.frombuffer(data, dtype="<u4", count=n, offset=at).astype(np.int64)
        at += 4 * n
        total = int(counts.sum())
        positions = np.frombuffer(data, dtype="<u4", count=total, offset=at).astype(np.int64)
    elif flags & VALUES:
        ends = np.frombuffer(data, dtype="<u4", count=n, offset=at).tolist()
        at += 4 * n
        values, start = [], at
        for end in ends:
            values.append(data[start:at + end])
            start = at + end
    return Postings(docs, weights, counts, positions), values


class _Values:
    """A term's encoded values, made on demand from its positions in the field's format (Whoosh's phrase and span
    matchers ask for a few of them)."""

    def __init__(self, postings: Postings, format_: Any) -> None:
        self.postings, self.format = postings, format_
        self._starts: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.postings.docs)

    def __getitem__(self, i: int) -> bytes:
        if self._starts is None:
            self._starts = self.postings.starts()
        assert self.postings.counts is not None and self.postings.positions is not None
        start = int(self._starts[i])
        return bytes(self.format.encode(self.postings.positions[start:start + int(self.postings.counts[i])].tolist()))


class ArrayMatcher(ListMatcher):  # type: ignore[misc]
    """Whoosh's matcher API over a term's Postings (the whole list is one block), and the arrays themselves."""

    def __init__(self, postings: Postings, values: Any, format_: Any, scorer: Any = None, position: int = 0,
                 term: Any = None, terminfo: Any = None) -> None:
        if values is None and postings.positions is not None:
            values = _Values(postings, format_)
        ListMatcher.__init__(self, postings.docs.tolist(), postings.weights.tolist(), values, format_,
                             scorer=scorer, position=position, term=term, terminfo=terminfo)
        self.postings = postings

    @property
    def position(self) -> int:
        """Return the index of the current posting."""
        return int(self._i)

    def copy(self) -> ArrayMatcher:
        return ArrayMatcher(self.postings, self._values, self._format, scorer=self._scorer, position=self.position,
                            term=self._term, terminfo=self._terminfo)

    def skip_to(self, id: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        self._i = max(self.position, bisect_left(self._ids, id, self.position))

    def value(self) -> bytes | None:
        """Return the current posting's encoded value; None for a format without values (as W3's matcher does)."""
        return None if self._values is None else ListMatcher.value(self)

    def block_min_id(self) -> int:
        return int(self._ids[0])

    def block_max_id(self) -> int:
        return int(self._ids[-1])

    def block_min_length(self) -> int:
        return self._terminfo.min_length() if self._terminfo else 1

    def block_max_length(self) -> int:
        return self._terminfo.max_length() if self._terminfo else 1

    def block_max_weight(self) -> float:
        return self._terminfo.max_weight() if self._terminfo else max(self._weights, default=1.0)


def u32(values: Iterable[int]) -> bytes:
    """Return unsigned 32-bit integers as little-endian bytes."""
    made = array("I", values)
    if _BIG_ENDIAN:
        made.byteswap()
    return made.tobytes()


def f32(values: Iterable[float]) -> bytes:
    """Return floats as little-endian 32-bit floats."""
    made = array("f", values)
    if _BIG_ENDIAN:
        made.byteswap()
    return made.tobytes()


def u32_array(values: np.ndarray) -> bytes:
    """Return an integer array as little-endian unsigned 32-bit integers."""
    return values.astype("<u4").tobytes()


def values_parts(values: Sequence[bytes | None]) -> list[bytes]:
    """Return the parts of a record that keep one value per posting: where each ends, the values, padding."""
    ends, total = [], 0
    for v in values:
        total += len(v or b"")
        ends.append(total)
    return [u32(ends), b"".join(v or b"" for v in values), b"\0" * (-total % 4)]  # the next record 4-byte aligned


def joined_pieces(sources: Sequence[np.ndarray], starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Return records cut from column arrays in one gather: record i is its pieces one after another (piece c is
    `sources[c][starts[i, c]:starts[i, c] + sizes[i, c]]`, maybe empty), and the records follow each other."""
    bases = np.cumsum([0, *(len(source) for source in sources[:-1])])
    flat = sizes.ravel()
    gather = np.repeat((starts + bases).ravel() - (np.cumsum(flat) - flat), flat) + np.arange(int(flat.sum()))
    return np.concatenate(sources)[gather]


def extent(info: Any) -> tuple[int, int]:
    """Return where a term's record is and its length (W3TermInfo.from_bytes reads the length as a 1-tuple)."""
    offset, length = info.extent()
    return int(offset), int(length[0] if isinstance(length, tuple) else length)

"""The term dictionary (`.trm`) as Whoosh writes it, byte for byte, taking a field's terms at once.

Whoosh's `OrderedHashWriter` writes each term as it comes: its key and value behind two lengths, an MD5 of the key
into one of 256 buckets, and its place into an index of places; at the end, each bucket's open-addressing table
(twice as many slots as keys, linear probing), a directory of the tables, a pickle of extras and the index. Done a
term at a time that is a dozen Python calls a term, a fifth of a writing process's time. `TermsWriter` does the
same with arrays: `add_many` writes a field's every term in one write and keeps its hashes and places as arrays,
and the tables are placed and packed at the end. The file is the one Whoosh would write from the same terms
(tests/test_dictionary.py compares them), so Whoosh's `OrderedHashReader` (`W3TermsReader`) reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import md5
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb import filetables

# A term's key and value behind their lengths, a table's slot, and a directory entry, as Whoosh packs them.
_LENGTHS = np.dtype([("key", ">i4"), ("value", ">i4")])
_SLOT = np.dtype([("hash", ">u4"), ("place", ">i8")])
_DIRECTORY_ENTRY = np.dtype([("place", ">i8"), ("slots", ">i4")])


# A term's value in the dictionary: W3TermInfo.to_bytes of a term whose postings are not inlined (ours never are):
# flags, weight, documents, shortest and longest length bytes, highest weight, first and last document (`!BfIBBfII`),
# then the record's offset and length.
TERM_INFO = np.dtype([("inlined", "u1"), ("weight", ">f4"), ("df", ">u4"), ("minlength", "u1"), ("maxlength", "u1"),
                      ("maxweight", ">f4"), ("minid", ">u4"), ("maxid", ">u4"), ("offset", ">i8"), ("length", ">i4")])
assert TERM_INFO.itemsize == W3TermInfo._struct.size + 12


@dataclass
class TermStats:
    """A field's terms' statistics, an array each: total weight, documents, highest weight, first and last
    document, and the length bytes of the shortest and longest document."""

    total: np.ndarray
    df: np.ndarray
    most: np.ndarray
    minid: np.ndarray
    maxid: np.ndarray
    low: np.ndarray
    high: np.ndarray


def key_hash(key: bytes) -> int:
    """Return Whoosh's hash of a key (filetables.md5_hash: the low 32 bits of its MD5)."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")


def _index_type(largest: int) -> str:
    """Return the array type Whoosh's GrowableArray ends with for places up to `largest` (it widens as they grow)."""
    if largest < 2**16:
        return "H"
    if largest < 2**31:
        return "i"
    return "I" if largest < 2**32 else "q"


class TermsWriter(filetables.OrderedHashWriter):  # type: ignore[misc]
    """Whoosh's OrderedHashWriter, with a field's terms added at once (`add_many`) and its tables made as arrays."""

    def __init__(self, dbfile: Any) -> None:
        super().__init__(dbfile)
        self.lastkey: bytes = b""  # as OrderedHashWriter's
        self._hashes: list[int] = []
        self._places: list[int] = []
        self._chunks: list[tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]] = []

    def add(self, key: bytes, value: bytes) -> None:
        """Add one term (keys in increasing order, as OrderedHashWriter)."""
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        place = self.dbfile.tell()
        self.dbfile.write(b"".join((filetables._lengths.pack(len(key), len(value)), key, value)))
        self._hashes.append(key_hash(key))
        self._places.append(place)
        self.lastkey = key

    def add_many(self, keys: list[bytes], values: npt.NDArray[Any]) -> None:
        """Add terms in increasing order of their keys, each with a value of the same size (a row of `values`, a
        structured or byte array), in one write."""
        if not keys:
            return
        if keys[0] <= self.lastkey or any(a >= b for a, b in zip(keys, keys[1:], strict=False)):
            raise ValueError("Keys must increase")
        width = values.dtype.itemsize
        key_sizes = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        sizes = _LENGTHS.itemsize + key_sizes + width
        ends = np.cumsum(sizes)
        start = self.dbfile.tell()
        lengths = np.empty(len(keys), dtype=_LENGTHS)
        lengths["key"], lengths["value"] = key_sizes, width
        # Each term's three pieces (lengths, key, value) gathered from three buffers laid end to end.
        source = np.frombuffer(b"".join((lengths.tobytes(), b"".join(keys), values.tobytes())), dtype=np.uint8)
        key_starts = len(keys) * _LENGTHS.itemsize + np.cumsum(key_sizes) - key_sizes
        value_starts = len(keys) * _LENGTHS.itemsize + int(key_sizes.sum()) + width * np.arange(len(keys))
        piece_starts = np.stack([_LENGTHS.itemsize * np.arange(len(keys)), key_starts, value_starts], axis=1).ravel()
        piece_sizes = np.stack([np.full(len(keys), _LENGTHS.itemsize), key_sizes, np.full(len(keys), width)],
                               axis=1).ravel()
        out_starts = np.cumsum(piece_sizes) - piece_sizes
        gather = np.repeat(piece_starts - out_starts, piece_sizes) + np.arange(int(ends[-1]))
        self.dbfile.write(source[gather].tobytes())
        self._flush_pending()
        hashes = np.fromiter(map(key_hash, keys), dtype=np.uint32, count=len(keys))
        self._chunks.append((hashes, start + ends - sizes))
        self.lastkey = keys[-1]

    def _flush_pending(self) -> None:
        if self._hashes:
            self._chunks.append((np.array(self._hashes, dtype=np.uint32), np.array(self._places, dtype=np.int64)))
            self._hashes, self._places = [], []

    def _all(self) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
        self._flush_pending()
        if not self._chunks:
            return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
        hashes, places = (np.concatenate(parts) for parts in zip(*self._chunks, strict=True))
        self._chunks = [(hashes, places)]
        return hashes, places

    def _write_hashes(self) -> None:
        """Write the 256 tables as HashWriter does: each key at its hash's slot or the next free one after it, in
        the order the keys were added."""
        hashes, places = self._all()
        buckets = hashes & np.uint32(255)
        order = np.argsort(buckets, kind="stable")
        counts = np.bincount(buckets, minlength=256)
        home = (hashes >> np.uint32(8)).astype(np.int64)
        first = 0
        for count in counts.tolist():
            entries = order[first:first + count].tolist()
            first += count
            size = 2 * count
            taken = [-1] * size
            for entry, wanted in zip(entries, (home[entries] % size).tolist() if count else (), strict=True):
                while taken[wanted] >= 0:
                    wanted = (wanted + 1) % size
                taken[wanted] = entry
            table = np.zeros(size, dtype=_SLOT)
            filled = np.asarray(taken, dtype=np.int64)
            used = filled >= 0
            table["hash"][used], table["place"][used] = hashes[filled[used]], places[filled[used]]
            self.directory.append((self.dbfile.tell(), size))
            self.dbfile.write(table.tobytes())

    def _write_directory(self) -> None:
        self.dbfile.write(np.array(self.directory, dtype=_DIRECTORY_ENTRY).reshape(-1).tobytes())

    def _write_extras(self) -> None:
        """The extras and the index of places, as OrderedHashWriter writes them (big-endian, of its final type)."""
        _, places = self._all()
        kind = _index_type(int(places.max()) if len(places) else 0)
        self.extras["indextype"] = kind
        self.extras["indexlen"] = len(places)
        filetables.HashWriter._write_extras(self)
        self.dbfile.write(places.astype(np.dtype(kind).newbyteorder(">")).tobytes())

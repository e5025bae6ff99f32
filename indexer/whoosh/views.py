"""Segment files opened as views of the memory-mapped compound file, not copies (our codec's readers, codec.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, _lenfield
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import OverlayStorage
from whoosh.filedb.structfile import BufferFile


class _ViewReader:
    """A read-only file over a memoryview: a read copies only the bytes it returns."""

    def __init__(self, view: memoryview) -> None:
        self.view, self.at = view, 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self.view) if size is None or size < 0 else min(len(self.view), self.at + size)
        data = bytes(self.view[self.at:end])
        self.at = end
        return data

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self.view) if size is None or size < 0 else min(len(self.view), self.at + size)
        end = self.at
        while end < limit:  # a kilobyte at a time: a line may be long, the file far longer
            chunk = bytes(self.view[end:min(end + 1024, limit)])
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        return self.read(end - self.at)

    def seek(self, offset: int, whence: int = 0) -> int:
        self.at = offset + (0, self.at, len(self.view))[whence]
        return self.at

    def tell(self) -> int:
        return self.at

    def close(self) -> None:
        """Nothing to close: ViewFile releases the view."""


class ViewFile(BufferFile):  # type: ignore[misc]
    """Whoosh's BufferFile over a slice of a compound segment's memory map, without the copy BufferFile makes (its
    BytesIO copies the whole sub-file: every segment's postings, terms and stored fields, in memory, on opening)."""

    def __init__(self, view: memoryview, name: str | None = None) -> None:
        super().__init__(b"", name=name)
        self._buf, self.file = view, _ViewReader(view)


def open_view(storage: Any, name: str) -> Any:
    """Open a segment file for reading: a view of the memory-mapped compound file where there is one (CompoundStorage
    keeps the map in `_source`), otherwise as the storage opens it (a file of its own on disk, read as needed)."""
    while isinstance(storage, OverlayStorage):  # a segment reader's: the compound file over the folder
        storage = storage.a if storage.a.file_exists(name) else storage.b
    source = getattr(storage, "_source", None) if isinstance(storage, CompoundStorage) else None
    if source is None:
        return storage.open_file(name)
    offset, length = storage.range(name)
    return ViewFile(memoryview(source)[offset:offset + length], name=name)


class NewsPerDocReader(W3PerDocReader):  # type: ignore[misc]
    """W3's per-document reader (stored fields, lengths, columns), its files opened as views, not copies, and its
    columns also read whole, as arrays."""

    def _get_column_file(self, fieldname: str) -> tuple[Any, int, int]:
        name = W3Codec.column_filename(self._segment, fieldname)
        return open_view(self._storage, name), 0, self._storage.file_length(name)

    def fixed_values(self, fieldname: str, column: Any) -> np.ndarray:
        """Return a numeric column's value for every document at once (Whoosh's reader unpacks one at a time):
        W3's length bytes (LENGTHS_COLUMN) and our date column. A segment without the column has the default."""
        if not self.has_column(fieldname):  # no document of the segment had a value
            return np.full(self._doccount, column.default_value(), dtype=">" + column._typecode).astype(
                np.dtype(column._typecode))
        reader = self.column_reader(fieldname, column)
        if not isinstance(reader, columns.NumericColumn.Reader):
            raise TypeError(f"{fieldname} is not a numeric column")
        stored = min(reader._count, self._doccount)
        found = np.frombuffer(reader._dbfile.get(reader._basepos, stored * reader._fixedlen),
                              dtype=">" + reader._typecode)
        result = np.full(self._doccount, reader._default, dtype=found.dtype.newbyteorder("="))
        result[:stored] = found
        return result

    def length_bytes(self, fieldname: str) -> np.ndarray:
        """Return every document's length byte in a field (0: none, or a field without lengths)."""
        return self.fixed_values(_lenfield(fieldname), LENGTHS_COLUMN)

    def var_bytes(self, fieldname: str, column: Any) -> tuple[bytes, np.ndarray]:
        """Return a bytes column's values at once: all of them, one after another, and each one's length."""
        reader = self.column_reader(fieldname, column)
        if not isinstance(reader, columns.VarBytesColumn.Reader):
            raise TypeError(f"{fieldname} is not a bytes column")
        lengths = np.asarray(reader._lengths, dtype=np.int64)
        return bytes(reader._dbfile.get(reader._basepos, int(lengths.sum()))), lengths

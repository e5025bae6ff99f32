"""Our codec's per-document writer: W3's (stored fields, length bytes, columns: the same files), a field's length
bytes kept and written at once."""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocWriter, _lenfield
from whoosh.util.numeric import length_to_byte


class NewsPerDocWriter(W3PerDocWriter):  # type: ignore[misc]
    """W3's per-document writer (the same files), each field's length bytes kept and written at once (LengthBytes)
    instead of a byte at a time through three calls."""

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._lengths: dict[str, LengthBytes] = {}

    def _create_column(self, fieldname: str, column: Any) -> None:
        if column is LENGTHS_COLUMN:
            self._colwriters[fieldname] = LengthBytes(self._cols.create_file(fieldname))
        else:
            super()._create_column(fieldname, column)

    def add_field(self, fieldname: str, fieldobj: Any, value: Any, length: int) -> None:
        if value is not None:
            self._storedfields[fieldname] = value
        if length:
            lengths = self._lengths.get(fieldname)
            if lengths is None:
                lenfield = _lenfield(fieldname)
                if lenfield not in self._colwriters:
                    self._create_column(lenfield, LENGTHS_COLUMN)
                lengths = self._lengths[fieldname] = self._colwriters[lenfield]
            lengths.add(self._docnum, length_to_byte(length))
            self._fieldlengths[fieldname] += length


class LengthBytes:
    """The writer of a field's length column (W3's NumericColumn("B"): a byte a document, 0 where it has none) that
    keeps the bytes and writes them at once, when the segment is finished or before anything else writes to the
    column's file (`fill`, as merged.copy_per_doc does)."""

    def __init__(self, dbfile: Any) -> None:
        self._dbfile = dbfile
        self._count = 0  # the documents written to the file
        self._kept = bytearray()  # those after them

    def add(self, docnum: int, value: int) -> None:
        kept = self._kept
        missing = docnum - self._count - len(kept)
        if missing > 0:
            kept.extend(bytes(missing))
        kept.append(value)

    def fill(self, docnum: int) -> None:
        kept, self._kept = self._kept, bytearray()
        kept.extend(bytes(max(0, docnum - self._count - len(kept))))
        self._dbfile.write(bytes(kept))
        self._count += len(kept)

    def finish(self, doccount: int) -> None:
        self._dbfile.write(bytes(self._kept))  # no bytes for the documents after the last with a length, as W3's
        self._count += len(self._kept)
        self._kept = bytearray()

"""Our Whoosh codec: each term's postings as little-endian arrays that numpy reads in one step.

Whoosh's own codec (`whoosh.codec.whoosh3.W3Codec`) writes a term's postings as pickled, zlib-compressed blocks
of 128 and decodes them a posting at a time in Python: about a microsecond a posting, seconds for the common words
of a million articles, and phrases compare positions unpickled per document. `NewsCodec` keeps W3's term
dictionary (the `.trm` ordered hash: prefix and wildcard expansion read terms without touching postings), its
per-document files (stored fields, length bytes) and its segments, and writes postings of its own (`.nps`):

    per term, at the offset its TermInfo names (little-endian, 4-byte aligned):
    u32 n, u32 flags                     flags: 1 weights, 2 positions, 4 values
    u32 document numbers [n]             ascending, within the segment
    f32 weights [n]                      when flag 1 (otherwise every weight is 1.0)
    u32 counts [n], u32 positions [sum]  when flag 2: each document's positions, ascending, one after another
    u32 value ends [n], bytes            when flag 4: other formats' encoded values, as Whoosh made them

So a term's document numbers, weights and positions are `numpy.frombuffer` slices (`Postings`), and its
matcher (`ArrayMatcher`, arrays.py) serves Whoosh's matcher API from the same arrays for what Whoosh still
matches itself.

The codec's table fields (the facets: `storage.news_codec`) are also written whole, a table per field (`.nft`), so
that a reader has a field's every value and document at once instead of one term dictionary look-up and decode
per value (thousands of names per segment: half a minute over the 400 segments of a million articles):

    "NFt1", u32 fields; per field: u32 name length, name (UTF-8, padded to 4 bytes),
    u32 terms, u32 postings, u32 value ends [terms], values (padded), u32 counts [terms], u32 documents [postings]
`NewsPositions` is the positions format of new indexes: Whoosh's `Positions` with the positions encoded as raw
u32 instead of a pickle of deltas, so the writer copies them as bytes. Older indexes keep Whoosh's format in
their schema; their positions are decoded once, when a segment is written. Whoosh reads each segment with the
codec that wrote it (the table of contents pickles it with the segment), so an index holds W3 and our segments
side by side: new segments, merges and `optimize` write ours (tests/test_index_format.py).
"""

from __future__ import annotations

import heapq
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import compress, groupby
from operator import itemgetter
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.codec import base
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3TermInfo, W3TermsReader, _lenfield
from whoosh.filedb import filetables
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length

from .analysis import index_positions
from .arrays import EMPTY, POSITIONS, VALUES, WEIGHTS, ArrayMatcher, Postings, decode
from .views import NewsPerDocReader, open_view

POSTINGS_EXT = ".nps"
MAGIC = b"NPs1"
TABLES_EXT = ".nft"
TABLES_MAGIC = b"NFt1"
_BIG_ENDIAN = sys.byteorder == "big"


def _u32(values: Iterable[int]) -> bytes:
    """Return unsigned 32-bit integers as little-endian bytes."""
    made = array("I", values)
    if _BIG_ENDIAN:
        made.byteswap()
    return made.tobytes()


def _f32(values: Iterable[float]) -> bytes:
    made = array("f", values)
    if _BIG_ENDIAN:
        made.byteswap()
    return made.tobytes()


class NewsPositions(formats.Positions):  # type: ignore[misc]
    """Whoosh's Positions format (frequency, weight, positions) with the positions stored as raw little-endian u32:
    the value is the frequency (big-endian u32, as Whoosh's) and then the positions, ascending."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterable[tuple[str, int, float, bytes]]:
        """Whoosh's Positions.word_values, from the news analyzer's fast path when it is the field's analyzer (every
        token's boost is 1: a term's weight is its frequency times the field boost)."""
        found = index_positions(analyzer, value, **kwargs)
        if found is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost, encode = self.field_boost, self.encode
        for term, poslist in found.items():
            yield term, len(poslist), len(poslist) * boost, encode(poslist)

    def encode(self, poslist: Any) -> bytes:
        return bytes(pack_uint(len(poslist))) + _u32(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return [int(p) for p in np.frombuffer(valuestring, dtype="<u4", offset=4)]


class NewsCodec(W3Codec):  # type: ignore[misc]
    """W3's term dictionary, per-document files and segments, with our postings (see the module's docstring)."""

    POSTS_EXT = POSTINGS_EXT

    def __init__(self, tables: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tables = tuple(tables)  # the fields also written as one table per segment (.nft)
        # The segments a writer merges by concatenating their arrays (merging.add_segment): the field writer of the
        # segment being written adds their postings. Not part of the codec saved with each segment.
        self.merged: list[MergedSegment] = []

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name != "merged"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"tables": ()} | state)  # segments written before tables have none
        self.merged = []

    def field_writer(self, storage: Any, segment: Any) -> NewsFieldWriter:
        return NewsFieldWriter(storage, segment, self.merged, self.tables)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors (our schema has none): Whoosh's own blocks
            return super().postings_writer(dbfile, byteids)
        raise NotImplementedError("NewsFieldWriter writes postings itself")

    def terms_reader(self, storage: Any, segment: Any) -> NewsTermsReader:
        name = segment.make_filename(self.TERMS_EXT)
        terms = NewsTermsReader(self, open_view(storage, name), storage.file_length(name),
                                open_view(storage, segment.make_filename(POSTINGS_EXT)))
        tables = segment.make_filename(TABLES_EXT)
        if storage.file_exists(tables):
            terms.tables_file = open_view(storage, tables)
        return terms

    def per_document_reader(self, storage: Any, segment: Any) -> NewsPerDocReader:
        return NewsPerDocReader(storage, segment)

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None,
                        scorer: Any = None) -> ArrayMatcher:
        postings, values = decode(dbfile.get(*_extent(terminfo)))
        return ArrayMatcher(postings, values, format_, scorer=scorer, term=term, terminfo=terminfo)


class NewsTermsReader(W3TermsReader):  # type: ignore[misc]
    """W3's term dictionary over our postings file, which also gives a term's postings as arrays, and the segment's
    tables (.nft) when it has them."""

    tables_file: Any = None

    def table(self, fieldname: str) -> tuple[list[bytes], np.ndarray, np.ndarray] | None:
        """Return a table field's values, and its postings' documents and value numbers (ordinals), or None when
        the segment has no table of the field."""
        if self.tables_file is None:
            return None
        if not hasattr(self, "_tables"):
            self._tables = read_tables(self.tables_file.get(0, len(self.tables_file._buf)))
        return self._tables.get(fieldname)

    def close(self) -> None:
        if self.tables_file is not None:
            self.tables_file.close()
        super().close()

    def arrays(self, fieldname: str, tbytes: bytes) -> Postings:
        """Return a term's postings (deleted documents included); empty when the segment lacks the term."""
        try:
            info = self.term_info(fieldname, tbytes)
        except TermNotFound:
            return EMPTY
        return decode(self._postfile.get(*_extent(info)))[0]


def _extent(info: Any) -> tuple[int, int]:
    """Return where a term's record is and its length (W3TermInfo.from_bytes reads the length as a 1-tuple)."""
    offset, length = info.extent()
    return int(offset), int(length[0] if isinstance(length, tuple) else length)


def _positions_kind(format_: Any) -> str:
    """Return how a format's values are stored: "raw" (NewsPositions), "positions" (decoded once), or "values"."""
    if isinstance(format_, NewsPositions):
        return "raw"
    if isinstance(format_, formats.Positions) and not isinstance(format_, formats.Characters):
        return "positions"
    return "values"


class NewsFieldWriter(base.FieldWriter):  # type: ignore[misc]
    """Writes the term dictionary as W3 does and each term's postings as one record of arrays, a term at a time."""

    def __init__(self, storage: Any, segment: Any, merged: list[MergedSegment] | None = None,
                 tables: Iterable[str] = ()) -> None:
        self._merged = merged if merged is not None else []  # the codec's list, filled after this is made
        self._storage, self._segment = storage, segment
        self._tables: dict[str, list[tuple[bytes, np.ndarray]]] = {name: [] for name in tables}
        self._tindex = filetables.OrderedHashWriter(segment.create_file(storage, W3Codec.TERMS_EXT))
        self._fieldmap: dict[str, int] = {}
        self._tindex.extras["fieldmap"] = self._fieldmap
        self._postfile = segment.create_file(storage, POSTINGS_EXT)
        self._postfile.write(MAGIC)  # offset 0 is never a record
        self.is_closed = False
        self._field: tuple[str, Any] | None = None
        self._term: bytes | None = None
        self._postings: list[tuple[int, float, bytes | None, int | None]] = []

    # The posting-at-a-time interface of base.FieldWriter (merges go through add_postings too).

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        self._fieldmap.setdefault(fieldname, len(self._fieldmap))
        self._field = (fieldname, fieldobj)

    def start_term(self, btext: bytes) -> None:
        self._term, self._postings = btext, []

    def add(self, docnum: int, weight: float, vbytes: bytes | None, length: int | None) -> None:
        self._postings.append((docnum, weight, vbytes, length))

    def finish_term(self) -> None:
        assert self._field is not None and self._term is not None
        docs, weights, values, lengths = zip(*self._postings, strict=True)
        known = [length for length in lengths if length]
        self._write_term(self._field[1].format, self._term, list(docs), list(weights), list(values),
                         (min(known), max(known)) if known else (0, 0), lengths_are_bytes=False)

    def finish_field(self) -> None:
        self._field = None

    def add_postings(self, schema: Any, lengths: Any, items: Iterable[tuple[str, bytes, int, float, Any]]) -> None:
        """Write a segment's sorted postings, a term at a time, with whole-list operations (Whoosh's loop calls
        four methods and looks up a length per posting); or, for a segment made by merging others, their postings
        concatenated (the merged segments' documents are the only ones: merging.add_segment)."""
        if self._merged:
            if next(iter(items), None) is not None:
                raise ValueError("a segment is either merged from arrays or written from postings, not both")
            self._add_merged(schema, lengths)
            return
        for fieldname, field_items in groupby(items, key=itemgetter(0)):
            fieldobj = schema[fieldname]
            self.start_field(fieldname, fieldobj)
            doc_bytes = length_bytes(lengths, fieldname) if fieldobj.scorable else None
            for btext, term_items in groupby(field_items, key=itemgetter(1)):
                rows = [row for row in term_items if row[2] != -1]  # -1: Whoosh's spelling words (never ours)
                if not rows:
                    continue
                docs = [row[2] for row in rows]
                span = (0, 0)
                if doc_bytes is not None:
                    found = [doc_bytes[d] for d in docs]
                    span = (min(found), max(found))
                self._write_term(fieldobj.format, btext, docs, [row[3] for row in rows],
                                 [row[4] for row in rows], span, lengths_are_bytes=True)
            self.finish_field()

    def _add_merged(self, schema: Any, lengths: Any) -> None:
        """Write the postings of the merged segments: each term's arrays, renumbered and concatenated."""
        merged = self._merged
        names = sorted({name for m in merged for name in m.reader.indexed_field_names() if name in schema})
        for fieldname in names:
            fieldobj = schema[fieldname]
            self.start_field(fieldname, fieldobj)
            field_lengths = length_bytes(lengths, fieldname) if fieldobj.scorable else None
            doc_bytes = None if field_lengths is None else np.array(field_lengths, dtype=np.int64)
            terms = heapq.merge(*(m.terms(fieldname, number) for number, m in enumerate(merged)))
            for btext, group in groupby(terms, key=itemgetter(0)):
                holders = list(group)
                if len(holders) == 1 and merged[holders[0][1]].renumbered is None:
                    self._copy_term(btext, merged[holders[0][1]], holders[0][2])  # most terms: in one segment
                    continue
                found = [merged[number].postings(info) for _, number, info in holders]
                parts = [p for p, _ in found]
                docs = np.concatenate([p.docs for p in parts])
                if not len(docs):
                    continue  # every document with the term was deleted
                weights = np.concatenate([p.weights for p in parts])
                counts = positions = None
                if parts[0].counts is not None:
                    counts = np.concatenate([p.counts for p in parts])
                    positions = np.concatenate([p.positions for p in parts])
                span = (0, 0)
                if doc_bytes is not None:
                    found_bytes = doc_bytes[docs]
                    span = (int(found_bytes.min()), int(found_bytes.max()))
                record = [b"", _u32_array(docs)]
                flags = 0
                if (weights != 1.0).any():
                    flags |= WEIGHTS
                    record.append(weights.astype("<f4").tobytes())
                if counts is not None and positions is not None:
                    flags |= POSITIONS
                    record += [_u32_array(counts), _u32_array(positions)]
                else:
                    values = [v for p, kept in found for v in (kept if kept is not None else [b""] * len(p.docs))]
                    if any(values):
                        flags |= VALUES
                        record += _values_parts(values)
                record[0] = _u32((len(docs), flags))
                listed = weights.tolist()
                self.add_record(btext, b"".join(record), float(sum(listed)), len(listed), float(max(listed)),
                                (int(docs[0]), int(docs[-1])), span, lengths_are_bytes=True)
            self.finish_field()

    def _copy_term(self, btext: bytes, merged: MergedSegment, info: Any) -> None:
        """Copy a term's record from the one merged segment (without deletions) that has it, its document numbers
        moved by the segment's base. Its statistics stay as they are: the same postings, documents and lengths."""
        assert self._field is not None
        record = merged.reader._terms._postfile.get(*_extent(info))
        if merged.base:
            n = int.from_bytes(record[:4], "little")
            docs = np.frombuffer(record, dtype="<u4", count=n, offset=8) + np.uint32(merged.base)
            record = b"".join((record[:8], docs.astype("<u4").tobytes(), record[8 + 4 * n:]))
            info._minid += merged.base
            info._maxid += merged.base
        self._write_record(btext, record, info)

    def _write_term(self, format_: Any, btext: bytes, docs: list[int], weights: list[float],
                    values: list[Any], span: tuple[int, int], lengths_are_bytes: bool) -> None:
        assert self._field is not None
        n, flags = len(docs), 0
        parts = [b"", _u32(docs)]
        if any(w != 1.0 for w in weights):
            flags |= WEIGHTS
            parts.append(_f32(weights))
        kind = _positions_kind(format_)
        if kind == "raw":
            flags |= POSITIONS
            parts.append(_u32(len(v) // 4 - 1 for v in values))
            parts.append(b"".join(v[4:] for v in values))
        elif kind == "positions":
            flags |= POSITIONS
            decoded = [format_.decode_positions(v) for v in values]
            parts.append(_u32(len(p) for p in decoded))
            parts.append(_u32(p for poses in decoded for p in poses))
        elif any(values):
            flags |= VALUES
            parts += _values_parts(values)
        parts[0] = _u32((n, flags))
        self.add_record(btext, b"".join(parts), float(sum(weights)), n, float(max(weights)), (docs[0], docs[-1]), span,
                        lengths_are_bytes)

    def add_record(self, btext: bytes, record: bytes, total: float, df: int, most: float, ids: tuple[int, int],
                   span: tuple[int, int], lengths_are_bytes: bool) -> None:
        """Write a term's record to the postings file, and its statistics (total weight, documents, highest weight,
        first and last document, shortest and longest document) and place to the term dictionary."""
        assert self._field is not None
        info = W3TermInfo(weight=total, df=df, minlength=None, maxlength=0, maxweight=most, minid=ids[0],
                          maxid=ids[1])
        low, high = span
        if lengths_are_bytes:
            low, high = byte_to_length(low), byte_to_length(high)
        info._minlength, info._maxlength = (low or None), high
        self._write_record(btext, record, info)

    def _write_record(self, btext: bytes, record: bytes, info: Any) -> None:
        """Write a term's record and its term information, and keep its documents for the field's table."""
        assert self._field is not None
        offset = self._postfile.tell()
        self._postfile.write(record)
        info.set_extent(offset, len(record))
        self._tindex.add(pack_ushort(self._fieldmap[self._field[0]]) + btext, info.to_bytes())
        table = self._tables.get(self._field[0])
        if table is not None:
            n = int.from_bytes(record[:4], "little")
            table.append((btext, np.frombuffer(record, dtype="<u4", count=n, offset=8).copy()))

    def close(self) -> None:
        self._tindex.close()
        self._postfile.close()
        if self._tables:
            tables = self._segment.create_file(self._storage, TABLES_EXT)
            tables.write(tables_bytes(self._tables))
            tables.close()
        for merged in self._merged:
            merged.reader.close()
        self._merged.clear()
        self.is_closed = True


@dataclass
class MergedSegment:
    """A segment being merged into a new one by concatenating its arrays: its reader (over a segment of this codec),
    the new number of its first document, and, when it has deleted documents, each document's new number (-1:
    deleted, dropped)."""

    reader: Any
    base: int
    renumbered: np.ndarray | None = None

    def terms(self, fieldname: str, number: int) -> Iterator[tuple[bytes, int, Any]]:
        """Yield the field's terms in order, each with the given number (the segment's place in the merge) and its
        term information."""
        if fieldname not in self.reader.indexed_field_names():
            return
        for (name, btext), info in self.reader._terms.items_from(fieldname, b""):
            if name != fieldname:
                return
            yield btext, number, info

    def postings(self, info: Any) -> tuple[Postings, list[bytes] | None]:
        """Return a term's postings renumbered for the new segment, and its values when the format keeps them as
        values."""
        found, values = decode(self.reader._terms._postfile.get(*_extent(info)))
        if self.renumbered is None:
            return replace(found, docs=found.docs + self.base), values
        docs = self.renumbered[found.docs]
        kept = docs >= 0
        if kept.all():
            return replace(found, docs=docs), values
        counts, positions = found.counts, found.positions
        if counts is not None and positions is not None:
            positions = positions[np.repeat(kept, counts)]
            counts = counts[kept]
        if values is not None:
            values = list(compress(values, kept.tolist()))
        return Postings(docs[kept], found.weights[kept], counts, positions), values


def merges_as_arrays(reader: Any) -> bool:
    """Return whether a segment reader's postings can be merged as arrays (MergedSegment): a segment of this codec."""
    return isinstance(getattr(reader, "_terms", None), NewsTermsReader)


def tables_bytes(tables: dict[str, list[tuple[bytes, np.ndarray]]]) -> bytes:
    """Return the tables file (.nft) of the given fields' terms, each with its documents, in term order."""
    parts = [TABLES_MAGIC, _u32([len(tables)])]
    for name, terms in tables.items():
        parts += [_u32([len(name.encode())]), _padded(name.encode())]
        texts, docs = [t for t, _ in terms], [d for _, d in terms]
        parts += [_u32((len(terms), sum(len(d) for d in docs)))]
        parts += [_u32(np.cumsum([len(t) for t in texts], dtype=np.int64).tolist()), _padded(b"".join(texts))]
        parts += [_u32(len(d) for d in docs), b"".join(_u32_array(d) for d in docs)]
    return b"".join(parts)


def read_tables(data: bytes) -> dict[str, tuple[list[bytes], np.ndarray, np.ndarray]]:
    """Read a tables file (tables_bytes): each field's values, documents and value numbers."""
    if data[:4] != TABLES_MAGIC:
        raise ValueError("not a tables file of this codec")
    words = np.frombuffer(data, dtype="<u4")
    at, found = 2, {}
    for _ in range(int(words[1])):
        size = int(words[at])
        name = data[4 * at + 4:4 * at + 4 + size].decode()
        at += 1 + (size + 3) // 4
        terms, posts = int(words[at]), int(words[at + 1])
        ends = words[at + 2:at + 2 + terms].astype(np.int64)
        at += 2 + terms
        text = data[4 * at:4 * at + (int(ends[-1]) if terms else 0)]
        at += (len(text) + 3) // 4
        bounds = [0, *ends.tolist()]
        values = [text[bounds[i]:bounds[i + 1]] for i in range(terms)]
        counts = words[at:at + terms].astype(np.int64)
        docs = words[at + terms:at + terms + posts].astype(np.int64)
        at += terms + posts
        found[name] = (values, docs, np.repeat(np.arange(terms, dtype=np.int32), counts))
    return found


def _padded(data: bytes) -> bytes:
    """Return bytes padded with zeros to a multiple of 4."""
    return data + b"\0" * (-len(data) % 4)


def _values_parts(values: Sequence[bytes | None]) -> list[bytes]:
    """Return the parts of a record that keep one value per posting: where each ends, the values, padding."""
    ends, total = [], 0
    for v in values:
        total += len(v or b"")
        ends.append(total)
    return [_u32(ends), b"".join(v or b"" for v in values), b"\0" * (-total % 4)]  # the next record 4-byte aligned


def _u32_array(values: np.ndarray) -> bytes:
    """Return an integer array as little-endian unsigned 32-bit integers."""
    return values.astype("<u4").tobytes()


def length_bytes(lengths: Any, fieldname: str) -> list[int] | None:
    """Return each document's length byte in a field (W3's length column), or None when lengths are not given."""
    if not lengths or not lengths.has_column(_lenfield(fieldname)):
        return None
    return list(lengths.column_reader(_lenfield(fieldname), LENGTHS_COLUMN).load())


def term_postings(reader: Any, fieldname: str, text: Any) -> Postings | None:
    """Return a term's postings in one segment reader as arrays (deleted documents included), or None when the
    segment was written by another codec (the caller decodes those with Whoosh's matcher)."""
    terms = getattr(reader, "_terms", None)  # a SegmentReader's terms reader, made by the segment's codec
    if not isinstance(terms, NewsTermsReader) or fieldname not in reader.schema:
        return None
    return terms.arrays(fieldname, reader.schema[fieldname].to_bytes(text))

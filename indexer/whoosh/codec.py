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

The codec's table fields (the facets: `storage.news_codec`) are also written whole, a table per field (`.nft`,
tables.py). The term dictionary is W3's file, written a field at a time (dictionary.py).

`NewsPositions` is the positions format of new indexes: Whoosh's `Positions` with the positions encoded as raw
u32 instead of a pickle of deltas, so the writer copies them as bytes. Older indexes keep Whoosh's format in
their schema; their positions are decoded once, when a segment is written. Whoosh reads each segment with the
codec that wrote it (the table of contents pickles it with the segment), so an index holds W3 and our segments
side by side: new segments, merges and `optimize` write ours (tests/test_index_format.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import itemgetter, ne
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.codec import base
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3TermInfo, W3TermsReader, _lenfield
from whoosh.reading import TermNotFound
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length

from .analysis import index_positions
from .arrays import (
    EMPTY,
    POSITIONS,
    VALUES,
    WEIGHTS,
    ArrayMatcher,
    Postings,
    decode,
    extent,
    f32,
    joined_pieces,
    u32,
    values_parts,
)
from .dictionary import TERM_INFO, TermStats, TermsWriter
from .merged import MergedSegment, add_merged
from .perdoc import NewsPerDocWriter
from .tables import TABLES_EXT, read_tables, tables_bytes
from .views import NewsPerDocReader, open_view

POSTINGS_EXT = ".nps"
MAGIC = b"NPs1"


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
        return bytes(pack_uint(len(poslist))) + u32(poslist)

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
        postings = segment.make_filename(POSTINGS_EXT)
        terms = NewsTermsReader(self, open_view(storage, name), storage.file_length(name),
                                open_view(storage, postings))
        terms.postings_length = storage.file_length(postings)
        tables = segment.make_filename(TABLES_EXT)
        if storage.file_exists(tables):
            terms.tables_file = open_view(storage, tables)
        return terms

    def per_document_writer(self, storage: Any, segment: Any) -> NewsPerDocWriter:
        return NewsPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> NewsPerDocReader:
        return NewsPerDocReader(storage, segment)

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None,
                        scorer: Any = None) -> ArrayMatcher:
        postings, values = decode(dbfile.get(*extent(terminfo)))
        return ArrayMatcher(postings, values, format_, scorer=scorer, term=term, terminfo=terminfo)


class NewsTermsReader(W3TermsReader):  # type: ignore[misc]
    """W3's term dictionary over our postings file, which also gives a term's postings as arrays, and the segment's
    tables (.nft) when it has them."""

    tables_file: Any = None
    postings_length = 0  # the postings file's length (merged.MergedSegment reads it whole)

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
        return decode(self._postfile.get(*extent(info)))[0]


def _positions_kind(format_: Any) -> str:
    """Return how a format's values are stored: "raw" (NewsPositions), "positions" (decoded once), or "values"."""
    if isinstance(format_, NewsPositions):
        return "raw"
    if isinstance(format_, formats.Positions) and not isinstance(format_, formats.Characters):
        return "positions"
    return "values"


class Counted:
    """A file being written that counts what is written to it, so that `tell` is an addition: a buffered file's
    asks the operating system (an lseek) every time, and writing a term asks three times (its record's place, and
    twice in the term dictionary's ordered hash): a tenth of a writing process's time."""

    __slots__ = ("_file", "_at")

    def __init__(self, file: Any) -> None:
        self._file, self._at = file, int(file.tell())

    def write(self, data: Any) -> int:
        written: int = self._file.write(data)
        self._at += written
        return written

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = 0) -> int:
        self._at = int(self._file.seek(offset, whence))
        return self._at

    def __getattr__(self, name: str) -> Any:  # flush, close, fileno and the rest: the file's own
        return getattr(self._file, name)


def counted(structfile: Any) -> Any:
    """Return a Whoosh StructFile being written, its file now Counted."""
    structfile.file = Counted(structfile.file)
    return structfile


class NewsFieldWriter(base.FieldWriter):  # type: ignore[misc]
    """Writes the term dictionary as W3 does and each term's postings as one record of arrays, a term at a time."""

    def __init__(self, storage: Any, segment: Any, merged: list[MergedSegment] | None = None,
                 tables: Iterable[str] = ()) -> None:
        self._merged = merged if merged is not None else []  # the codec's list, filled after this is made
        self._storage, self._segment = storage, segment
        self._tables: dict[str, list[tuple[bytes, np.ndarray]]] = {name: [] for name in tables}
        self._tindex = TermsWriter(counted(segment.create_file(storage, W3Codec.TERMS_EXT)))
        self._fieldmap: dict[str, int] = {}
        self._tindex.extras["fieldmap"] = self._fieldmap
        self._postfile = counted(segment.create_file(storage, POSTINGS_EXT))
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

            add_merged(self, self._merged, schema)
            return
        for fieldname, field_items in groupby(items, key=itemgetter(0)):
            fieldobj = schema[fieldname]
            self.start_field(fieldname, fieldobj)
            doc_bytes = length_bytes(lengths, fieldname) if fieldobj.scorable else None
            self._add_field(fieldobj.format, list(field_items), doc_bytes)
            self.finish_field()

    def _write_term(self, format_: Any, btext: bytes, docs: list[int], weights: list[float],
                    values: list[Any], span: tuple[int, int], lengths_are_bytes: bool) -> None:
        assert self._field is not None
        n, flags = len(docs), 0
        parts = [b"", u32(docs)]
        if any(w != 1.0 for w in weights):
            flags |= WEIGHTS
            parts.append(f32(weights))
        kind = _positions_kind(format_)
        if kind == "raw":
            flags |= POSITIONS
            parts.append(u32(len(v) // 4 - 1 for v in values))
            parts.append(b"".join(v[4:] for v in values))
        elif kind == "positions":
            flags |= POSITIONS
            decoded = [format_.decode_positions(v) for v in values]
            parts.append(u32(len(p) for p in decoded))
            parts.append(u32(p for poses in decoded for p in poses))
        elif any(values):
            flags |= VALUES
            parts += values_parts(values)
        parts[0] = u32((n, flags))
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

    def add_records(self, texts: list[bytes], records: bytes, sizes: np.ndarray, stats: TermStats) -> None:
        """Write a field's terms at once, in term order: their records (end to end in `records`, `sizes` bytes each)
        to the postings file in one write, and their statistics and places to the term dictionary
        (TermsWriter.add_many): what add_record does a term at a time, lengths given as bytes."""
        assert self._field is not None
        fieldname = self._field[0]
        offset = self._postfile.tell()
        self._postfile.write(records)
        sizes = sizes.astype(np.int64)
        starts = np.cumsum(sizes) - sizes
        infos = np.zeros(len(texts), dtype=TERM_INFO)
        infos["weight"], infos["df"], infos["maxweight"] = stats.total, stats.df, stats.most
        infos["minlength"], infos["maxlength"] = stats.low, stats.high
        infos["minid"], infos["maxid"] = stats.minid, stats.maxid
        infos["offset"], infos["length"] = offset + starts, sizes
        prefix = pack_ushort(self._fieldmap[fieldname])
        self._tindex.add_many([prefix + text for text in texts], infos)
        if fieldname in self._tables:
            for text, start, size in zip(texts, starts.tolist(), sizes.tolist(), strict=True):
                self._keep_for_table(text, records[start:start + size])

    def _add_field(self, format_: Any, rows: list[tuple[str, bytes, int, float, Any]],
                   doc_bytes: np.ndarray | None) -> None:
        """Write a field's postings given as Whoosh's pool gives them (sorted by term and document): add_arrays."""
        rows = [row for row in rows if row[2] != -1]  # -1: Whoosh's spelling words (never ours)
        if not rows:
            return
        _, texts, docs, weights, values = zip(*rows, strict=True)
        starts = np.flatnonzero([True, *map(ne, texts[1:], texts[:-1])])
        self.add_arrays(format_, [texts[i] for i in starts.tolist()], starts, np.array(docs, dtype=np.int64),
                        np.array(weights, dtype=np.float64), values, doc_bytes)

    def add_arrays(self, format_: Any, texts: list[bytes], starts: np.ndarray, docs: np.ndarray,
                   weights: np.ndarray, values: Sequence[Any], doc_bytes: np.ndarray | None) -> None:
        """Write a field's postings at once, sorted by term and document: each term's record as _write_term makes
        it, cut from arrays of the whole field (joined_pieces), and add_records. Term i is texts[i], its postings
        start at starts[i]; docs, weights and values (the format's encoded values) are the postings'; doc_bytes
        each document's length byte in the field, when it is scorable."""
        count = len(docs)
        sizes = np.diff(np.r_[starts, count])
        weighted = np.logical_or.reduceat(weights != 1.0, starts)
        flags = np.where(weighted, WEIGHTS, 0)
        ends = np.r_[starts[1:], count] - 1
        low = high = np.zeros(len(starts), dtype=np.int64)
        if doc_bytes is not None:
            found = np.asarray(doc_bytes, dtype=np.int64)[docs]
            low, high = np.minimum.reduceat(found, starts), np.maximum.reduceat(found, starts)
        zero = np.zeros(len(starts), dtype=np.int64)
        sources = [np.empty(0, np.uint8), _bytes(docs.astype("<u4")), _bytes(weights.astype("<f4"))]
        pieces: list[tuple[np.ndarray, np.ndarray]] = [(zero, zero), (4 * starts, 4 * sizes),
                                                       (4 * starts, 4 * sizes * weighted)]
        if _positions_kind(format_) == "raw":
            flags |= POSITIONS
            counts = np.fromiter(map(len, values), dtype=np.int64, count=count) // 4 - 1
            sources += [_bytes(counts.astype("<u4")), np.frombuffer(b"".join(v[4:] for v in values), np.uint8)]
            at = 4 * (np.cumsum(counts) - counts)
            pieces += [(4 * starts, 4 * sizes), (at[starts], 4 * np.add.reduceat(counts, starts))]
        elif _positions_kind(format_) == "values":
            lengths = np.fromiter((len(v or b"") for v in values), dtype=np.int64, count=count)
            valued = np.logical_or.reduceat(lengths > 0, starts)
            flags |= np.where(valued, VALUES, 0)
            before = np.cumsum(lengths) - lengths
            term_lengths = np.add.reduceat(lengths, starts)
            value_ends = np.cumsum(lengths) - np.repeat(before[starts], sizes)  # where each ends in its term's
            sources += [_bytes(value_ends.astype("<u4")), np.frombuffer(b"".join(v or b"" for v in values), np.uint8),
                        np.zeros(3, np.uint8)]
            pieces += [(4 * starts, 4 * sizes * valued), (before[starts], term_lengths * valued),
                       (zero, -term_lengths % 4 * valued)]
        else:  # Whoosh's positions of an older index: decoded, a term at a time
            for term, (first, last) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
                self._write_term(format_, texts[term], docs[first:last + 1].tolist(),
                                 weights[first:last + 1].tolist(), list(values[first:last + 1]),
                                 (int(low[term]), int(high[term])), lengths_are_bytes=True)
            return
        sources[0] = _bytes(np.stack([sizes, flags], axis=1).astype("<u4"))
        pieces[0] = (8 * np.arange(len(starts)), np.full(len(starts), 8))
        records = joined_pieces(sources, np.stack([p[0] for p in pieces], axis=1),
                                np.stack([p[1] for p in pieces], axis=1))
        totals = np.add.reduceat(weights, starts)
        stats = TermStats(total=totals, df=sizes, most=np.maximum.reduceat(weights, starts), minid=docs[starts],
                          maxid=docs[ends], low=low, high=high)
        self.add_records(texts, records.tobytes(), np.stack([p[1] for p in pieces], axis=1).sum(axis=1), stats)

    def add_copied(self, btext: bytes, record: bytes, info_start: bytes) -> None:
        """Write a term's record copied from a merged segment, with its term information but where the record is
        (merged.MergedSegment.record)."""
        assert self._field is not None
        offset = self._postfile.tell()
        self._postfile.write(record)
        self._tindex.add(pack_ushort(self._fieldmap[self._field[0]]) + btext,
                         info_start + pack_long(offset) + pack_int(len(record)))
        self._keep_for_table(btext, record)

    def _write_record(self, btext: bytes, record: bytes, info: Any) -> None:
        """Write a term's record and its term information, and keep its documents for the field's table."""
        assert self._field is not None
        offset = self._postfile.tell()
        self._postfile.write(record)
        info.set_extent(offset, len(record))
        self._tindex.add(pack_ushort(self._fieldmap[self._field[0]]) + btext, info.to_bytes())
        self._keep_for_table(btext, record)

    def _keep_for_table(self, btext: bytes, record: bytes) -> None:
        """Keep a term's documents for its field's table, when the field has one."""
        assert self._field is not None
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


def _bytes(values: np.ndarray) -> np.ndarray:
    """Return an array's bytes as a uint8 array (no copy)."""
    return np.ascontiguousarray(values).view(np.uint8).reshape(-1)


def merges_as_arrays(reader: Any) -> bool:
    """Return whether a segment reader's postings can be merged as arrays (MergedSegment): a segment of this codec."""
    return isinstance(getattr(reader, "_terms", None), NewsTermsReader)


def length_bytes(lengths: Any, fieldname: str) -> np.ndarray | None:
    """Return each document's length byte in a field (W3's length column), or None when lengths are not given."""
    if not lengths or not lengths.has_column(_lenfield(fieldname)):
        return None
    if isinstance(lengths, NewsPerDocReader):
        return lengths.length_bytes(fieldname)  # read whole
    return np.array(lengths.column_reader(_lenfield(fieldname), LENGTHS_COLUMN).load(), dtype=np.uint8)


def term_postings(reader: Any, fieldname: str, text: Any) -> Postings | None:
    """Return a term's postings in one segment reader as arrays (deleted documents included), or None when the
    segment was written by another codec (the caller decodes those with Whoosh's matcher)."""
    terms = getattr(reader, "_terms", None)  # a SegmentReader's terms reader, made by the segment's codec
    if not isinstance(terms, NewsTermsReader) or fieldname not in reader.schema:
        return None
    return terms.arrays(fieldname, reader.schema[fieldname].to_bytes(text))

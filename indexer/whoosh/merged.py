"""Segments of our codec merged by concatenating their arrays (merging.merge_segments drives it; the field writer of
the segment being written calls `add_merged`).

Nothing is read back a posting at a time, and little a term at a time:
- each merged segment's term dictionary is read in one pass over its file (W3's ordered hash: a length pair, the
  key, the value, in key order), and its term information as one numpy array (`TERM_INFO`: W3TermInfo's bytes);
- a segment without deletions has every record's document numbers moved by its base in one numpy step, so a term
  found in one segment (most of them) is copied as bytes, its term information with its first and last document
  moved;
- a term found in several segments, or in a segment with deleted articles, has its arrays renumbered, stripped of
  the deleted articles and concatenated;
- per-document columns (stored fields, length bytes, dates, story ids) are copied as stored, a column at a time
  (`copy_per_doc`), where Whoosh unpickles, pickles and compresses every document's stored fields again.
`tests/test_merging.py` compares everything a merge writes with Whoosh's merge.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from typing import Any

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, W3PerDocWriter, _lenfield
from whoosh.util.numeric import byte_to_length

from .arrays import POSITIONS, VALUES, WEIGHTS, Postings, decode, u32, u32_array, values_parts
from .dictionary import TERM_INFO
from .views import NewsPerDocReader

_NO_ID = 0xFFFFFFFF
_LENGTHS = struct.Struct("!II")  # filetables' length pair before each key and value
_EXTENT = struct.Struct("!qi")
_HEADER = struct.Struct("<II")  # a record's number of documents and flags (codec.py)
_ONE = struct.pack("<f", 1.0)  # the weight of a record without weights


@dataclass
class FieldTerms:
    """A field's terms in one segment, in order, and their term information."""

    terms: list[bytes]
    infos: np.ndarray  # TERM_INFO


@dataclass
class MergedSegment:
    """A segment being merged into a new one by concatenating its arrays: its reader (over a segment of this codec),
    the new number of its first document, and, when it has deleted documents, each document's new number (-1:
    deleted, dropped)."""

    reader: Any
    base: int
    renumbered: np.ndarray | None = None
    _moved: dict[str, tuple[bytes, list[tuple[int, int]]]] = field(default_factory=dict, repr=False)

    @cached_property
    def fields(self) -> dict[str, FieldTerms]:
        """Return each field's terms and term information: one pass over the term dictionary's file."""
        terms = self.reader._terms
        table = terms._tindex
        data = bytes(table.dbfile.get(table.startofdata, table.endofdata - table.startofdata))
        keys: dict[int, list[bytes]] = {}
        values: dict[int, list[bytes]] = {}
        unpack, at, end = _LENGTHS.unpack_from, 0, len(data)
        while at < end:
            key_length, value_length = unpack(data, at)
            at += 8
            number = (data[at] << 8) | data[at + 1]  # the key: the field's number (big-endian u16), the term
            keys.setdefault(number, []).append(data[at + 2:at + key_length])
            at += key_length
            values.setdefault(number, []).append(data[at:at + value_length])
            at += value_length
        found = {}
        for number, field_keys in keys.items():
            raw = values[number]
            if any(len(value) != TERM_INFO.itemsize for value in raw):
                raise ValueError(f"segment {self.reader.segment().segment_id()}: term information not of our codec")
            found[terms._fieldunmap[number]] = FieldTerms(field_keys, np.frombuffer(b"".join(raw), dtype=TERM_INFO))
        return found

    @cached_property
    def postings_file(self) -> bytes:
        """Return the segment's postings file, with every record's document numbers moved by the segment's base when
        it has no deletions (the merged segment's numbers)."""
        postfile = self.reader._terms._postfile
        data = bytes(postfile.get(0, self.reader._terms.postings_length))
        if self.renumbered is not None or not self.base:
            return data
        words = np.frombuffer(data, dtype="<u4").copy()
        starts = np.concatenate([terms.infos["offset"] for terms in self.fields.values()]).astype(np.int64) // 4
        counts = words[starts].astype(np.int64)  # each record's header: n, flags; then its n document numbers
        total = int(counts.sum())
        firsts = np.repeat(starts + 2 - (np.cumsum(counts) - counts), counts)
        words[firsts + np.arange(total)] += np.uint32(self.base)
        return words.tobytes()

    def record(self, fieldname: str, index: int) -> tuple[bytes, bytes]:
        """Return a term's record (document numbers moved) and the start of its term information (all but where the
        record is), its first and last document moved: for a term copied whole from a segment without deletions."""
        infos, extents = self._moved_infos(fieldname)
        offset, length = extents[index]
        size = TERM_INFO.itemsize
        return self.postings_file[offset:offset + length], infos[index * size:(index + 1) * size - _EXTENT.size]

    def raw(self, fieldname: str, index: int) -> tuple[bytes, int, int] | None:
        """Return the postings file (document numbers moved) and where a term's record is in it; None for a segment
        with deletions (its records are renumbered: postings)."""
        if self.renumbered is not None:
            return None
        offset, length = self._moved_infos(fieldname)[1][index]
        return self.postings_file, offset, length

    def _moved_infos(self, fieldname: str) -> tuple[bytes, list[tuple[int, int]]]:
        """Return a field's term information with first and last documents moved by the base, as bytes, and each
        record's offset and length (worked out once per field)."""
        found = self._moved.get(fieldname)
        if found is None:
            infos = self.fields[fieldname].infos.copy()
            for name in ("minid", "maxid"):
                ids = infos[name]
                ids[ids != _NO_ID] += np.uint32(self.base)
            found = (infos.tobytes(), list(zip(infos["offset"].tolist(), infos["length"].tolist(), strict=True)))
            self._moved[fieldname] = found
        return found

    def postings(self, fieldname: str, index: int) -> tuple[Postings, list[bytes] | None]:
        """Return a term's postings renumbered for the new segment, and its values when the format keeps them as
        values."""
        info = self.fields[fieldname].infos[index]
        offset, length = int(info["offset"]), int(info["length"])
        found, values = decode(self.postings_file[offset:offset + length])
        if self.renumbered is None:
            return found, values  # moved with the file
        docs = self.renumbered[found.docs]
        kept = docs >= 0
        if kept.all():
            return Postings(docs, found.weights, found.counts, found.positions), values
        counts, positions = found.counts, found.positions
        if counts is not None and positions is not None:
            positions = positions[np.repeat(kept, counts)]
            counts = counts[kept]
        if values is not None:
            values = list(compress(values, kept.tolist()))
        return Postings(docs[kept], found.weights[kept], counts, positions), values


def add_merged(writer: Any, merged: list[MergedSegment], schema: Any) -> None:
    """Write the postings of the merged segments with the field writer (codec.NewsFieldWriter): each field's terms
    in order, a term of one segment without deletions copied, the others' arrays concatenated."""
    names = sorted({name for m in merged for name in m.fields if name in schema})
    for fieldname in names:
        writer.start_field(fieldname, schema[fieldname])
        doc_bytes = _length_bytes(merged, fieldname) if schema[fieldname].scorable else None
        entries = [(term, number, index) for number, m in enumerate(merged)
                   for index, term in enumerate(m.fields[fieldname].terms if fieldname in m.fields else ())]
        entries.sort()  # by term, then by segment: the new document numbers' order
        at, count = 0, len(entries)
        while at < count:
            btext, number, index = entries[at]
            end = at + 1
            while end < count and entries[end][0] == btext:
                end += 1
            holders = entries[at:end]
            if end == at + 1 and merged[number].renumbered is None:  # most terms: in one segment
                writer.add_copied(btext, *merged[number].record(fieldname, index))
            elif not _joined(writer, btext, [merged[n].raw(fieldname, i) for _, n, i in holders], doc_bytes):
                _concatenated(writer, btext, [merged[n].postings(fieldname, i) for _, n, i in holders], doc_bytes)
            at = end
        writer.finish_field()


def _joined(writer: Any, btext: bytes, holders: list[tuple[bytes, int, int] | None],
            doc_bytes: np.ndarray | None) -> bool:
    """Write a term's records from several segments without deletions as one, their sections (documents, weights,
    counts, positions) joined as bytes; False, writing nothing, when a segment has deletions or a record keeps
    values (_concatenated does those)."""
    sections: list[list[bytes]] = [[], [], [], []]
    total = weighted = 0
    positions = None
    for holder in holders:
        if holder is None:
            return False
        data, offset, length = holder
        n, flags = _HEADER.unpack_from(data, offset)
        has_positions = bool(flags & POSITIONS)
        if flags & VALUES or positions not in (None, has_positions):
            return False
        positions = has_positions
        at = offset + 8
        sections[0].append(data[at:at + 4 * n])
        at += 4 * n
        if flags & WEIGHTS:
            sections[1].append(data[at:at + 4 * n])
            at += 4 * n
            weighted += 1
        else:
            sections[1].append(_ONE * n)
        if has_positions:  # the counts, then the positions: the rest of the record
            sections[2].append(data[at:at + 4 * n])
            sections[3].append(data[at + 4 * n:offset + length])
        total += n
    docs = np.frombuffer(b"".join(sections[0]), dtype="<u4")
    weights = np.frombuffer(b"".join(sections[1]), dtype="<f4").astype(np.float64)
    flags = (WEIGHTS if weighted else 0) | (POSITIONS if positions else 0)
    record = [u32((total, flags)), *sections[0]]
    if weighted:
        record += sections[1]
    if positions:
        record += sections[2] + sections[3]
    span = (0, 0)
    if doc_bytes is not None:
        found = doc_bytes[docs]
        span = (int(found.min()), int(found.max()))
    writer.add_record(btext, b"".join(record), float(sum(weights.tolist())), total, float(weights.max()),
                      (int(docs[0]), int(docs[-1])), span, lengths_are_bytes=True)
    return True


def _length_bytes(merged: list[MergedSegment], fieldname: str) -> np.ndarray:
    """Return each document's length byte in a field of the merged segment: the merged segments' own, deleted
    articles left out."""
    parts = []
    for m in merged:
        found = m.reader._perdoc.length_bytes(fieldname).astype(np.int64)
        parts.append(found if m.renumbered is None else found[m.renumbered >= 0])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _concatenated(writer: Any, btext: bytes, found: list[tuple[Postings, list[bytes] | None]],
                  doc_bytes: np.ndarray | None) -> None:
    """Write a term's postings from several segments (or one with deletions) as one record."""
    parts = [p for p, _ in found]
    docs = np.concatenate([p.docs for p in parts])
    if not len(docs):
        return  # every document with the term was deleted
    weights = np.concatenate([p.weights for p in parts])
    span = (0, 0)
    if doc_bytes is not None:
        found_bytes = doc_bytes[docs]
        span = (int(found_bytes.min()), int(found_bytes.max()))
    record = [b"", u32_array(docs)]
    flags = 0
    if (weights != 1.0).any():
        flags |= WEIGHTS
        record.append(weights.astype("<f4").tobytes())
    counts = [p.counts for p in parts if p.counts is not None]
    positions = [p.positions for p in parts if p.positions is not None]
    if len(counts) == len(parts) and len(positions) == len(parts):
        flags |= POSITIONS
        record += [u32_array(np.concatenate(counts)), u32_array(np.concatenate(positions))]
    else:
        values = [v for p, kept in found for v in (kept if kept is not None else [b""] * len(p.docs))]
        if any(values):
            flags |= VALUES
            record += values_parts(values)
    record[0] = u32((len(docs), flags))
    listed = weights.tolist()
    writer.add_record(btext, b"".join(record), float(sum(listed)), len(listed), float(max(listed)),
                      (int(docs[0]), int(docs[-1])), span, lengths_are_bytes=True)


def per_doc_columns(writer: Any, reader: Any) -> list[tuple[str, Any, str | None]] | None:
    """Return the per-document columns of a segment that copy_per_doc copies as stored (name, column, and the field
    whose lengths it holds), or None when Whoosh must copy them a document at a time (a segment of another codec,
    vectors, a column of another kind)."""
    perdoc = reader._perdoc
    if not isinstance(perdoc, NewsPerDocReader) or not isinstance(writer.perdocwriter, W3PerDocWriter):
        return None
    schema = writer.schema
    found: list[tuple[str, Any, str | None]] = []
    if perdoc.has_column("_stored"):
        found.append(("_stored", STORED_COLUMN._child, None))  # the compressed pickles as they are
    for name in schema.names():
        fieldobj = schema[name]
        if fieldobj.vector:
            return None
        if fieldobj.scorable and perdoc.has_column(_lenfield(name)):
            found.append((_lenfield(name), LENGTHS_COLUMN, name))
        if fieldobj.column_type and perdoc.has_column(name):
            found.append((name, fieldobj.column_type, None))
    if not all(isinstance(column, _COPIED) for _, column, _ in found):
        return None
    return found


def copy_per_doc(writer: Any, reader: Any, copied: list[tuple[str, Any, str | None]]) -> np.ndarray | None:
    """Copy a segment's per-document columns (per_doc_columns) to the segment the writer writes, as stored: numbers
    and bytes in one piece each, deleted articles left out, instead of Whoosh's unpickling, pickling and compressing
    every document's stored fields again. Return each document's new number (-1: deleted), or None when the segment
    has no deletions. Each field's total length is the segment's own (_kept_length), not the sum of its documents'
    rounded length bytes that Whoosh's copy makes: merging leaves BM25F's average lengths, and so the scores, as
    they were."""
    pdw, perdoc = writer.perdocwriter, reader._perdoc
    n = reader.doc_count_all()
    keep = None
    if reader.has_deletions():
        keep = np.ones(n, dtype=bool)
        keep[np.fromiter(perdoc.deleted_docs(), dtype=np.int64)] = False
    base = writer.docnum
    kept = n if keep is None else int(keep.sum())
    for name, column, lengths_of in copied:
        if name not in pdw._colwriters:
            pdw._create_column(name, column)
        target = pdw._colwriters[name]
        if isinstance(target, columns.WrappedColumnWriter):
            target = target._child  # the stored fields' compressed bytes, written as they were read
        target.fill(base)
        if isinstance(column, columns.NumericColumn):
            values = perdoc.fixed_values(name, column)
            if lengths_of is not None:
                pdw._fieldlengths[lengths_of] += _kept_length(reader, lengths_of, values, keep)
            if keep is not None:
                values = values[keep]
            target._dbfile.write(values.astype(">" + column._typecode).tobytes())
        else:
            data, sizes = perdoc.var_bytes(name, column)
            if keep is not None:
                starts = np.cumsum(sizes) - sizes
                data = b"".join(data[s:s + size] for s, size in zip(starts[keep].tolist(), sizes[keep].tolist(),
                                                                     strict=True))
                sizes = sizes[keep]
            target._dbfile.write(data)
            target._lengths.extend(sizes.tolist())
            target._offsets.extend((target._offset_base + np.cumsum(sizes) - sizes).tolist())
            target._offset_base += len(data)
        target._count = base + kept
    pdw._doccount += kept
    writer.docnum += kept
    if keep is None:
        return None
    return np.where(keep, base + np.cumsum(keep) - 1, -1)


def _kept_length(reader: Any, fieldname: str, length_bytes: np.ndarray, keep: np.ndarray | None) -> int:
    """Return a field's total length over a segment's kept documents: the segment's exact total, less the deleted
    documents' lengths (known only as rounded length bytes)."""
    total = int(reader.field_length(fieldname))
    if keep is not None:
        total -= int(_LENGTH_OF_BYTE[length_bytes[~keep]].sum())
    return max(total, 0)


# Columns copied as stored: numbers, and bytes (the compressed ones are bytes as stored).
_COPIED = (columns.NumericColumn, columns.VarBytesColumn, columns.CompressedBytesColumn)
_LENGTH_OF_BYTE = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.int64)

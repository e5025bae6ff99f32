"""A new segment's fields as columns, and each field's terms written from them at once (bulk.SegmentBuilder).

The news analyzer's fields (headline, body) are word columns: each word's number (analysis.TermNumbers), document
after document; `write_column` sorts a whole segment's words by term, document and position with numpy and cuts each
term's record out of the sorted arrays. The other fields (ids, dates, names, facet values) are value columns: each
value made once (its terms from the field's `index`, or `id_items` and `numeric_items` without a token stream) and
numbered, each document keeping its value's number; `write_values` sorts them into each term's postings the same way.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import fields, formats
from whoosh.analysis import IDTokenizer
from whoosh.util.numeric import to_sortable

from .arrays import POSITIONS, WEIGHTS, joined_pieces
from .codec import NewsFieldWriter, length_bytes
from .dictionary import TermStats


@dataclass
class WordColumn:
    """A field's words in the segment being written: for each document with words, its number and how many words,
    and every word's number (TermNumbers), one document after another."""

    docs: array[int] = field(default_factory=lambda: array("q"))
    sizes: array[int] = field(default_factory=lambda: array("q"))
    words: array[int] = field(default_factory=lambda: array("q"))

    def word_documents(self) -> np.ndarray:
        """Return the document of each word."""
        return np.repeat(np.frombuffer(self.docs, dtype=np.int64), np.frombuffer(self.sizes, dtype=np.int64))


@dataclass
class ValueColumn:
    """Another field's postings in the segment being written: each value met is made once (its terms, weights and
    encoded values, from the field's `index`) and numbered; each document keeps the number of its value."""

    terms: dict[bytes, int] = field(default_factory=dict)  # term -> number, in order of arrival
    starts: array[int] = field(default_factory=lambda: array("q", [0]))  # each made value's first item
    lengths: list[int] = field(default_factory=list)  # each made value's length in a document (when scorable)
    items: array[int] = field(default_factory=lambda: array("q"))  # each item's term number
    weights: array[float] = field(default_factory=lambda: array("d"))
    encoded: list[bytes | None] = field(default_factory=list)  # each item's value, as the field's format encodes it
    docs: array[int] = field(default_factory=lambda: array("q"))  # each document with a value, and its value's number
    values: array[int] = field(default_factory=lambda: array("q"))

    def made(self, items: list[tuple[bytes, int, float, bytes]], length: int) -> int:
        """Number a value made of these items (term, frequency, weight, encoded value) and of this length."""
        terms = self.terms
        for text, _, weight, encoded in items:
            self.items.append(terms.setdefault(text, len(terms)))
            self.weights.append(weight)
            self.encoded.append(encoded)
        self.starts.append(len(self.items))
        self.lengths.append(length)
        return len(self.lengths) - 1

    def postings(self) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray, list[bytes | None]]:
        """Return the field's terms in the term dictionary's order, where each one's postings start, and the
        postings' documents, weights and encoded values, sorted by term and document."""
        starts = np.frombuffer(self.starts, dtype=np.int64)
        values = np.frombuffer(self.values, dtype=np.int64)
        repeat = np.diff(starts)[values]  # each document's items
        total = int(repeat.sum())
        item = np.repeat(starts[values] - (np.cumsum(repeat) - repeat), repeat) + np.arange(total)
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.int64), repeat)
        texts = list(self.terms)
        ranks = dictionary_ranks(texts)[np.frombuffer(self.items, dtype=np.int64)[item]]
        order = np.lexsort((docs, ranks))  # a term once in a document (one value each)
        item, docs, ranks = item[order], docs[order], ranks[order]
        term_starts = np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1]]) if total else np.zeros(0, np.int64)
        by_rank = sorted(texts)
        encoded = self.encoded
        return ([by_rank[r] for r in ranks[term_starts].tolist()], term_starts, docs,
                np.frombuffer(self.weights, dtype=np.float64)[item], [encoded[i] for i in item.tolist()])


def id_items(fieldobj: Any, value: Any) -> list[tuple[bytes, int, float, bytes]] | None:
    """Return what an ID field's `index` gives for a text (its analyzer a bare IDTokenizer: the whole text one term),
    without a token; None for anything else."""
    if type(fieldobj) is not fields.ID or type(fieldobj.analyzer) is not IDTokenizer or not isinstance(value, str):
        return None
    if type(fieldobj.format) is not formats.Existence:
        return None
    return [(value.encode("utf-8"), 1, fieldobj.format.field_boost, b"")]


def numeric_items(fieldobj: Any, value: Any) -> list[tuple[bytes, int, float, bytes]] | None:
    """Return what a NUMERIC or DATETIME field's `index` gives for a number or date, the number made once: Whoosh
    prepares it again for each of its tiers (a date's 8 terms), and articles' times are seldom met twice. None for
    anything else."""
    if not isinstance(fieldobj, fields.NUMERIC) or not fieldobj.shift_step or value is None:
        return None
    number = fieldobj.prepare_datetime(value) if isinstance(fieldobj, fields.DATETIME) else value
    if not isinstance(number, int | float):
        return None
    sortable = to_sortable(fieldobj.numtype, fieldobj.bits, fieldobj.signed, fieldobj.prepare_number(number))
    return [(fieldobj.sortable_to_bytes(sortable, shift), 1, 1.0, b"")
            for shift in range(0, fieldobj.bits, fieldobj.shift_step)]


def word_postings(column: WordColumn, word_terms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a column's kept words as (term number, document, position), positions as NewsFilter.positions gives
    them: a document's first word that is not a stop word at its index among all words, the next ones after it.
    word_terms: each word number's term (-1: a stop word)."""
    terms = word_terms[np.frombuffer(column.words, dtype=np.int64)]
    sizes = np.frombuffer(column.sizes, dtype=np.int64)
    kept = np.flatnonzero(terms >= 0)
    entry = np.repeat(np.arange(len(sizes)), sizes)[kept]  # each kept word's document, as an index into docs
    index = kept - (np.cumsum(sizes) - sizes)[entry]  # its index among the document's words
    starts = np.r_[True, entry[1:] != entry[:-1]] if len(kept) else np.zeros(0, dtype=bool)
    first, group = np.flatnonzero(starts), np.cumsum(starts) - 1  # each document's first kept word; whose each is
    positions = index[first][group] + (np.arange(len(kept)) - first[group])
    return terms[kept], np.frombuffer(column.docs, dtype=np.int64)[entry], positions


def term_order(terms: list[str]) -> tuple[list[bytes], np.ndarray]:
    """Return the terms (in the order of their numbers) encoded, and each one's rank in the term dictionary's order."""
    texts = [term.encode("utf-8") for term in terms]
    return texts, dictionary_ranks(texts)


def dictionary_ranks(texts: list[bytes]) -> np.ndarray:
    """Return each term's rank in the term dictionary's order (of its bytes)."""
    rank = np.empty(len(texts), dtype=np.int64)
    rank[sorted(range(len(texts)), key=texts.__getitem__)] = np.arange(len(texts))
    return rank


def write_column(writer: NewsFieldWriter, fieldname: str, fieldobj: Any, column: WordColumn, word_terms: np.ndarray,
                 terms: tuple[list[bytes], np.ndarray], lengths: Any) -> None:
    """Write a field's terms from its word column: each term's record (documents, weights when a term occurs more
    than once in a document, counts, positions) cut from arrays sorted by term, document and position."""
    numbers, docs, positions = word_postings(column, word_terms)
    texts, rank = terms
    order = np.lexsort((docs, rank[numbers]))  # stable: a document's positions stay ascending
    numbers, docs, positions = numbers[order], docs[order], positions[order]
    new_term = np.r_[True, numbers[1:] != numbers[:-1]]
    pair_starts = np.flatnonzero(new_term | np.r_[True, docs[1:] != docs[:-1]])
    counts = np.diff(np.r_[pair_starts, len(docs)])
    pair_docs, pair_terms = docs[pair_starts], numbers[pair_starts]
    term_pairs = np.flatnonzero(np.r_[True, pair_terms[1:] != pair_terms[:-1]])
    term_words = np.flatnonzero(new_term)
    top = np.maximum.reduceat(counts, term_pairs)
    span_low = span_high = np.zeros(len(term_pairs), dtype=np.int64)
    found = length_bytes(lengths, fieldname) if fieldobj.scorable else None
    if found is not None:
        doc_bytes = np.asarray(found, dtype=np.int64)[pair_docs]
        span_low, span_high = np.minimum.reduceat(doc_bytes, term_pairs), np.maximum.reduceat(doc_bytes, term_pairs)
    sizes = np.diff(np.r_[term_pairs, len(pair_docs)])  # each term's documents
    words = np.diff(np.r_[term_words, len(docs)])  # and positions
    weighted = top > 1
    # Each term's record is five pieces cut from five arrays (u32 words; a piece may be empty): its header
    # (documents, flags), documents, weights (when a document has it more than once), counts, positions.
    headers = np.stack([sizes, np.where(weighted, WEIGHTS | POSITIONS, POSITIONS)], axis=1).ravel()
    pairs = len(pair_docs)
    sources = [headers.astype("<u4"), pair_docs.astype("<u4"), counts.astype("<f4").view("<u4"), counts.astype("<u4"),
               positions.astype("<u4")]
    starts = np.stack([2 * np.arange(len(term_pairs)), term_pairs, term_pairs, term_pairs, term_words], axis=1)
    pieces = np.stack([np.full(len(term_pairs), 2), sizes, sizes * weighted, sizes, words], axis=1)
    pair_ends = np.r_[term_pairs[1:], pairs] - 1
    stats = TermStats(total=words, df=sizes, most=top, minid=pair_docs[term_pairs], maxid=pair_docs[pair_ends],
                      low=span_low, high=span_high)
    writer.start_field(fieldname, fieldobj)
    writer.add_records([texts[number] for number in pair_terms[term_pairs].tolist()],
                       joined_pieces(sources, starts, pieces).tobytes(), 4 * pieces.sum(axis=1), stats)
    writer.finish_field()


def write_values(writer: NewsFieldWriter, fieldname: str, fieldobj: Any, column: ValueColumn, lengths: Any) -> None:
    """Write a field's terms from its value column (what Whoosh's pool would have given, sorted by term and
    document)."""
    texts, starts, docs, weights, encoded = column.postings()
    if not texts:
        return
    writer.start_field(fieldname, fieldobj)
    doc_bytes = length_bytes(lengths, fieldname) if fieldobj.scorable else None
    writer.add_arrays(fieldobj.format, texts, starts, docs, weights, encoded, doc_bytes)
    writer.finish_field()

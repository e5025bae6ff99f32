"""When segments are merged: small ones as they pile up, large ones only when asked (`newsarchive optimize`).

Every commit writes new segments. Merging them makes searches a little faster, but a merge costs: Whoosh's reads
every posting back in Python, at about the cost of indexing the documents again (2 ms an article here); ours
(merge_segments: our codec's arrays concatenated) about a third of that. Whoosh's
default policy can therefore turn a commit of ten articles into a minute-long merge of everything a bulk load
wrote. Ours is Lucene's tiered idea with a ceiling: small segments (fewer than SMALL_SEGMENT articles) are
grouped in tiers of size (1-9 articles, 10-99, 100-999), a tier holding MERGE_FACTOR segments is merged into one,
and no merge made during a commit takes more than MAX_COMMIT_MERGE articles. So the many small segments of
`watch` and of small runs are merged along the way, a commit never waits long, and the large segments of bulk
loads stay as they are until `newsarchive optimize` merges everything into one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh.reading import SegmentReader

from .codec import NewsCodec, merges_as_arrays
from .merged import MergedSegment, copy_per_doc, per_doc_columns

MERGE_FACTOR = 10
SMALL_SEGMENT = 1000
MAX_COMMIT_MERGE = 5000


def tier(documents: int) -> int:
    """Return the size tier of a segment: 0 for 0-9 articles, 1 for 10-99, 2 for 100-999, ..."""
    return int(math.log10(documents)) if documents > 0 else 0


def segments_to_merge(sizes: Sequence[int]) -> list[int]:
    """Return the positions of the segments (by their article counts, deleted ones included) to merge now."""
    by_tier: dict[int, list[int]] = {}
    for position, size in enumerate(sizes):
        if size < SMALL_SEGMENT:
            by_tier.setdefault(tier(size), []).append(position)
    chosen: list[int] = []
    budget = MAX_COMMIT_MERGE
    for level in sorted(by_tier):
        group = sorted(by_tier[level], key=lambda p: sizes[p])
        if len(group) < MERGE_FACTOR:
            continue
        # The smallest segments of the tier first, as many as the budget allows (one segment alone is no merge).
        taken: list[int] = []
        for position in group:
            if sizes[position] > budget:
                break
            taken.append(position)
            budget -= sizes[position]
        if len(taken) > 1:
            chosen += taken
    return chosen


def tiered_merge(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy (the `mergetype` of `writer.commit`): merge what segments_to_merge picks."""
    chosen = set(segments_to_merge([segment.doc_count_all() for segment in segments]))
    merge_segments(writer, [segment for position, segment in enumerate(segments) if position in chosen])
    return [segment for position, segment in enumerate(segments) if position not in chosen]


def merge_all(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy that merges every segment into the one being written (`newsarchive optimize`)."""
    merge_segments(writer, segments)
    return []


def merge_segments(writer: Any, segments: list[Any]) -> None:
    """Merge segments into the one the writer is writing, dropping deleted articles.

    When the writer has added no documents of its own and every segment is of our codec, the postings are merged
    as arrays and the per-document columns copied as stored (merged.py); otherwise Whoosh's way, every posting read
    back and sorted again, every document's stored fields unpickled and pickled again.
    """
    readers = [SegmentReader(writer.storage, writer.schema, segment) for segment in segments]
    codec = writer.codec
    if isinstance(codec, NewsCodec) and not writer._added and all(merges_as_arrays(r) for r in readers):
        for reader in readers:
            base = writer.docnum
            copied = per_doc_columns(writer, reader)
            if copied is not None:
                renumbered = copy_per_doc(writer, reader, copied)
            else:
                names = set(writer.schema.names()) | {n for n in reader.indexed_field_names() if n in writer.schema}
                docmap = writer.write_per_doc(names, reader)
                renumbered = None
                if docmap is not None:
                    renumbered = np.full(reader.doc_count_all(), -1, dtype=np.int64)
                    renumbered[list(docmap)] = list(docmap.values())
            codec.merged.append(MergedSegment(reader, base, renumbered))  # closed by the field writer
        writer._added = bool(readers)
        return
    for reader in readers:
        writer.add_reader(reader)
        reader.close()

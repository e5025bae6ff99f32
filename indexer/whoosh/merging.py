"""When segments are merged: small ones as they pile up, a bulk load's as it goes, the largest only when asked
(`newsarchive optimize`).

Every commit writes new segments. Merging them makes searches faster (a search does some work per segment: at a
million articles in 400 segments, a related-articles search took a second, most of it looking words up in each
segment), but a merge costs: Whoosh's reads every posting back in Python, at about the cost of indexing the
documents again; ours (merge_segments: our codec's arrays and columns copied, merged.py) about a fifth of it. So:
- small segments (fewer than SMALL_SEGMENT articles: `watch`, small runs) are grouped in tiers of size (1-9
  articles, 10-99, 100-999); a tier holding MERGE_FACTOR segments is merged into the committing writer's segment,
  at most MAX_COMMIT_MERGE articles a commit, so a commit never waits long;
- a bulk load's segments (SMALL_SEGMENT to BULK_MERGE_BELOW articles: a batch's share of one process) are merged
  MERGE_FACTOR consecutive ones at a time, in one of the run's writing processes while the others write the next
  batch (`bulk_segments_to_merge`, bulk.Builders.merge): 400 segments at a million articles become about 50;
- larger segments stay as they are until `newsarchive optimize` merges everything into one.
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
BULK_MERGE_BELOW = 10_000


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


def bulk_segments_to_merge(segments: list[Any]) -> list[Any]:
    """Return the first MERGE_FACTOR consecutive segments of a bulk load's size (SMALL_SEGMENT to BULK_MERGE_BELOW
    articles, one size tier, no deletions) to merge beside the next bulk commit, or none. Consecutive: the merged
    segment takes their place, so every article keeps its order in the index."""
    run: list[Any] = []
    for segment in segments:
        size = segment.doc_count_all()
        fits = SMALL_SEGMENT <= size < BULK_MERGE_BELOW and not segment.has_deletions()
        if fits and run and tier(size) == tier(run[0].doc_count_all()):
            run.append(segment)
        else:
            run = [segment] if fits else []
        if len(run) == MERGE_FACTOR:
            return run
    return []


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

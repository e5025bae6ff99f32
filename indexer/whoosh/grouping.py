"""Copies of one story over whole result sets: one result per story, stories counted in facets and the timeline.

Every document has a story number (IndexView.stories: equal story ids, equal numbers; an article without a story
id a number of its own). A story is shown by its representative, its earliest matching article (undated ones last,
then by document number), and ranked by its best-scoring match (relevance) or by its representative's date. All
numpy over the matching documents, like the facets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .facets import NO_DATE, IndexView, story_number

_LAST = np.iinfo(np.int64).max


def story_count(view: IndexView, mask: np.ndarray) -> int:
    """Return how many stories the masked documents belong to."""
    dense = view.dense_stories
    return int(np.count_nonzero(np.bincount(dense[mask], minlength=1))) if len(dense) else 0


def _first_of_each(dense: np.ndarray, ordered: np.ndarray, size: int) -> np.ndarray:
    """Return, for each story (dense number), the first of the ordered documents in it (-1: none of them)."""
    first = np.full(size, -1, dtype=np.int64)
    first[dense[ordered][::-1]] = ordered[::-1]  # the last write wins: written last to first, the first does
    return first


@dataclass(frozen=True)
class Stories:
    """The stories of a set of matching documents: each one's representative and best score."""

    representatives: np.ndarray  # the earliest matching document of each
    best: np.ndarray | None  # the best score among each story's matches (None: no scores)
    best_docs: np.ndarray | None  # the document with that score (ties: the lowest number)

    @classmethod
    def of(cls, view: IndexView, mask: np.ndarray, scores: np.ndarray | None) -> Stories:
        """Return the stories of the masked documents (scores: every document's score, or None)."""
        dense, size = view.dense_stories, int(view.dense_stories.max(initial=-1)) + 1
        docs = np.flatnonzero(mask)
        dates = view.dates[docs]
        earliest = _first_of_each(dense, docs[np.lexsort((docs, np.where(dates == NO_DATE, _LAST, dates)))], size)
        present = earliest >= 0
        if scores is None:
            return cls(earliest[present], None, None)
        best_docs = _first_of_each(dense, docs[np.lexsort((docs, -scores[docs]))], size)[present]
        return cls(earliest[present], scores[best_docs], best_docs)

    def __len__(self) -> int:
        return len(self.representatives)

    def ranked(self, view: IndexView, sort: str, start: int, stop: int) -> list[tuple[int, float | None]]:
        """Return (representative, best score) of the stories [start:stop]: best first, or by date."""
        if self.best is not None and self.best_docs is not None and sort == "relevance":
            order = np.lexsort((self.best_docs, -self.best))[start:stop]
            return [(int(self.representatives[i]), float(self.best[i])) for i in order]
        dates = view.dates[self.representatives]
        dated = dates != NO_DATE
        keys = np.where(dated, dates if sort == "oldest" else -dates, _LAST)
        order = np.lexsort((self.representatives, keys))[start:stop]
        return [(int(self.representatives[i]), None) for i in order]

    def representative_mask(self, size: int) -> np.ndarray:
        """Return a mask of the representatives: counting them counts each story once, on its earliest day."""
        mask = np.zeros(size, dtype=bool)
        mask[self.representatives] = True
        return mask


def story_counts(view: IndexView, name: str, mask: np.ndarray) -> list[tuple[str, int]]:
    """Return (value, number of stories) of a facet among the masked documents: a story once per value it has."""
    column = view.facets[name]
    if not column.values:
        return []
    chosen = mask[column.docs]
    ords, stories = column.ords[chosen], view.stories[column.docs[chosen]]
    order = np.lexsort((stories, ords))
    ords, stories = ords[order], stories[order]
    first = np.ones(len(ords), dtype=bool)
    first[1:] = (ords[1:] != ords[:-1]) | (stories[1:] != stories[:-1])
    tally = np.bincount(ords[first], minlength=len(column.values))
    present = np.flatnonzero(tally)
    order = present[np.lexsort((present, -tally[present]))]
    return [(column.values[i], int(tally[i])) for i in order]


def story_mask(view: IndexView, story_ids: tuple[str, ...]) -> np.ndarray:
    """Return the documents of the given stories (by story id)."""
    wanted = np.array([story_number(s) for s in story_ids if s], dtype=np.int64)
    return view.live & np.isin(view.stories, wanted)


class Members:
    """Every live document of each story, found by story number (a sort of the index's story numbers, once), and
    how many outlets (sources) a story ran in."""

    def __init__(self, view: IndexView) -> None:
        self._order = np.argsort(view.stories, kind="stable")
        self._sorted = view.stories[self._order]
        self._live = view.live
        sources = view.facets["source"]
        self._source = np.full(view.size, -1, dtype=np.int64)  # a source's ordinal per document (-1: none)
        self._source[sources.docs] = sources.ords

    def of(self, number: int) -> np.ndarray:
        """Return the live documents of a story, by document number."""
        low = int(np.searchsorted(self._sorted, number, side="left"))
        high = int(np.searchsorted(self._sorted, number, side="right"))
        docs = self._order[low:high]
        return np.sort(docs[self._live[docs]])

    def outlets(self, docs: np.ndarray) -> int:
        """Return how many sources (outlets) the documents ran in; articles without one name none."""
        sources = self._source[docs]
        return len(np.unique(sources[sources >= 0]))

"""Copies of one story over whole result sets: one result per story, stories counted in facets and the timeline.

Every document has a story number (IndexView.stories: equal story ids, equal numbers; an article without a story
id a number of its own). A story is shown by its representative, its earliest matching article (undated ones last,
then by document number), and ranked by its best-scoring match (relevance) or by its representative's date. All
numpy over the matching documents, like the facets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .facets import NO_DATE, IndexView

_LAST = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Stories:
    """The stories of a set of matching documents: each one's number, representative and best score."""

    numbers: np.ndarray  # sorted story numbers
    representatives: np.ndarray  # the earliest matching document of each
    best: np.ndarray | None  # the best score among each story's matches (None: no scores)
    best_docs: np.ndarray | None  # the document with that score (ties: the lowest number)

    @classmethod
    def of(cls, view: IndexView, mask: np.ndarray, scores: np.ndarray | None) -> Stories:
        """Return the stories of the masked documents (scores: every document's score, or None)."""
        docs = np.flatnonzero(mask)
        stories = view.stories[docs]
        dates = view.dates[docs]
        by_date = np.lexsort((docs, np.where(dates == NO_DATE, _LAST, dates)))
        numbers, first = np.unique(stories[by_date], return_index=True)
        representatives = docs[by_date[first]]
        if scores is None:
            return cls(numbers, representatives, None, None)
        matched = scores[docs]
        by_score = np.lexsort((docs, -matched))
        _, best_first = np.unique(stories[by_score], return_index=True)  # the same sorted numbers
        return cls(numbers, representatives, matched[by_score[best_first]], docs[by_score[best_first]])

    def __len__(self) -> int:
        return len(self.numbers)

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
    wanted = np.array([hash(s) for s in story_ids if s], dtype=np.int64)
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

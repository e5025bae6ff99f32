"""One generation of an index being searched, and what a search matches in it.

A `Generation` is what every request over one commit shares: the searcher, the arrays of its segments
(facets.IndexView), the query parsers, and what is worked out once per commit (stories' members, "did you mean"
corrections). `Matches` is one search's documents in it: before the facet selections, each selection, all applied,
and their BM25F scores. The backend (backend.py) turns them into pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.util.times import datetime_to_long

from ..languages import ENGLISH
from ..request import Search, date_range
from .analysis import language_analyzer, language_aware
from .facets import IndexView, SegmentCache
from .grouping import Members, Stories, story_counts, story_mask
from .languages import LanguageParsers, LanguageQuery, analysed_query, searched_languages
from .limits import Deadline, check_expansions
from .scoring import Ranking, evaluate, top
from .synonyms import QuerySynonyms


@dataclass
class Generation:
    searcher: Any
    view: IndexView
    parsers: LanguageParsers  # by match ("all" or "any") and language
    languages: bool  # the index analyses each article in its language (not one built before languages)
    # "Did you mean": the corrections of the words looked up in this generation (spelling.suggest_query).
    corrections: dict[str, str | None] = dataclass_field(default_factory=dict)

    @cached_property
    def members(self) -> Members:
        """Return the documents of each story (built on first use, once per generation)."""
        return Members(self.view)

    @classmethod
    def of(cls, searcher: Any, cache: SegmentCache) -> Generation:
        """Return the arrays and query parsers of one searcher."""
        aware = language_aware(searcher.schema["body"].analyzer)
        return cls(searcher, IndexView(searcher, cache), LanguageParsers(searcher.schema), aware)

    def analyzer(self, language: str) -> Any:
        """Return the analysis of an article's text in its language (indexes before languages: theirs, English)."""
        if not self.languages or language in ("", ENGLISH):
            return self.searcher.schema["body"].analyzer  # headline and body are analysed alike
        return language_analyzer(language)

    def languages_of(self, chosen: tuple[str, ...]) -> tuple[str, ...]:
        """Return the languages a query is analysed in (see languages.searched_languages)."""
        return searched_languages(self.view.facets["language"].values, chosen) if self.languages else ()


@dataclass
class Matches:
    """The documents a search matches: before facet selections (base), each selection, and all applied."""

    search: Search
    analysed: LanguageQuery  # the query over every article, and each language's
    scores: np.ndarray | None  # BM25F scores (see scoring.py); None without a query
    base: np.ndarray
    chosen: dict[str, np.ndarray]
    final: np.ndarray
    view: IndexView = dataclass_field(repr=False)

    @property
    def user_query(self) -> Any:
        """Return the query as searched (None: every article)."""
        return self.analysed.query

    @property
    def also_searched(self) -> tuple[str, ...]:
        """Return the synonyms the query was expanded with."""
        return self.analysed.also_searched

    @cached_property
    def stories(self) -> Stories:
        """Return the stories of the matches: their number, representatives and best scores."""
        return Stories.of(self.view, self.final, self.scores)

    @classmethod
    def of(cls, gen: Generation, search: Search, ranking: Ranking, deadline: Deadline,
           synonyms: QuerySynonyms | None = None) -> Matches:
        """Match a search against one generation of the index; QueryTooExpensiveError past the deadline."""
        analysed = analysed_query(gen.parsers, search.query, search.match, gen.languages_of(search.language),
                                  synonyms if search.synonyms == "on" else None)
        user_query = analysed.query
        start, end = date_range(search.date_from, search.date_to)
        view = gen.view
        if user_query is not None:
            check_expansions(user_query, view.expanded, deadline)
        evaluation = None if user_query is None else evaluate(user_query, gen.searcher, view, ranking, deadline)
        base = view.live.copy() if evaluation is None else evaluation.mask
        if start is not None or end is not None:
            # The date range is a mask over the cached dates: much faster than Whoosh's numeric range terms.
            base &= view.date_mask(_raw_date(start), _raw_date(end))
        if search.story:
            base &= story_mask(view, search.story)
        chosen = {name: view.selection_mask(name, values) for name, values in search.selections().items()}
        scores = None if evaluation is None else evaluation.scores
        return cls(search, analysed, scores, base, chosen, _all_of(base, chosen.values()), view)

    def ranked(self, gen: Generation, start: int, stop: int) -> list[tuple[int, float | None]]:
        """Return (document number, score) of the matches [start:stop] in the search's order."""
        if self.scores is None or self.search.sort != "relevance":
            docnums = gen.view.by_date(self.final, newest=self.search.sort != "oldest", start=start, stop=stop)
            return [(d, None) for d in docnums]
        return list(top(self.scores, self.final, start, stop))


def facet_counts(view: IndexView, search: Search, name: str, base: np.ndarray,
                  chosen: dict[str, np.ndarray]) -> list[tuple[str, int]]:
    """Return (value, count) of every value of a facet among the matches: articles, or stories (count=stories)."""
    # A facet is counted with the other facets' selections applied but not its own, so that choosing one value
    # still shows how many articles each other value would add.
    mask = _all_of(base, [m for other, m in chosen.items() if other != name])
    return view.counts(name, mask) if search.count == "articles" else story_counts(view, name, mask)


def _raw_date(value: datetime | None) -> int | None:
    return None if value is None else int(datetime_to_long(value))


def _all_of(base: np.ndarray, masks: Any) -> np.ndarray:
    result = base.copy()
    for mask in masks:
        result &= mask
    return result


def highlight_terms(gen: Generation, user_query: Any) -> frozenset[str]:
    """Return the indexed words of headline and body that a query matches (wildcards and fuzzy expanded)."""
    if user_query is None:
        return frozenset()
    # Query.existing_terms() is not used: it reuses its fieldname argument as a loop variable, so after the
    # first leaf it skips every leaf of another field.
    reader = gen.searcher.reader()
    terms: set[str] = set()
    for leaf in user_query.leaves():
        if leaf.field() not in ("headline", "body"):
            continue
        if isinstance(leaf, wq.MultiTerm):  # the words it stands for, as the search expanded them
            terms.update(text.decode("utf-8") if isinstance(text, bytes) else text
                         for words in gen.view.expanded(leaf, Deadline(None)) for _, text in words)
            continue
        for field, text in leaf.expanded_terms(reader, phrases=True):
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            if (field, word) in reader:
                terms.add(word)
    return frozenset(terms)

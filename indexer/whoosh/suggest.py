"""Autocomplete on Whoosh: words from the index folder's word counts (words.py), and headlines holding the words
typed, found with the search's own arrays (facets.py): the postings of their stems in the headline field, newest
first."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..suggest import (
    Completion,
    HeadlineSuggestion,
    Suggestions,
    Typed,
    pick_headlines,
    word_suggestions,
)
from .facets import IndexView
from .schema import document_to_article
from .wordforms import fold_word
from .words import WordStore

# The newest matches read to find the headlines offered (copies of a wire story share a headline and a story).
HEADLINE_CANDIDATES = 30


def complete(words: WordStore, typed: Typed, limit: int) -> list[Completion]:
    """Return the most frequent completions of the word being typed."""
    key = fold_word(typed.last)
    return words.complete(key, limit) if key else []


def suggest(typed: Typed, found: list[Completion], searcher: Any, view: IndexView,
            analyzers: dict[str, Any]) -> Suggestions:
    """Return the suggestions of typed text: its completions, and headlines holding the words typed, completed by
    the first (else as typed). analyzers: the analysis of each language the index holds articles in (one, keyed "",
    for an index of English alone or made before languages)."""
    completion = found[0].form if found else typed.last
    words = typed.headline_words(completion)
    stems = {language: list(dict.fromkeys(t.text for t in analyzer(words))) for language, analyzer in analyzers.items()}
    return Suggestions(typed.head + typed.last, word_suggestions(typed, found), headlines(searcher, view, stems))


def headlines(searcher: Any, view: IndexView, stems: dict[str, list[str]]) -> tuple[HeadlineSuggestion, ...]:
    """Return the newest articles whose headline holds every stem of their language's, each headline and story
    once (several languages: an article is matched by its own language's stems, as searches match it)."""
    mask = np.zeros(view.size, dtype=bool)
    for language, terms in stems.items():
        if not terms:
            continue
        held = view.live.copy()
        for stem in terms:
            docs, _ = view.postings("headline", stem)
            holding = np.zeros(view.size, dtype=bool)
            holding[docs] = True
            held &= holding
        if len(stems) > 1:
            held &= view.selection_mask("language", [language])
        mask |= held
    if not mask.any():
        return ()
    docnums = view.by_date(mask, newest=True, start=0, stop=HEADLINE_CANDIDATES)
    return pick_headlines(document_to_article(searcher.stored_fields(d)) for d in docnums)

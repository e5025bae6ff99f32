"""Autocomplete on Solr: the `words` field's terms starting with a prefix, most frequent first (the terms component,
terms.prefix, terms.sort=count), and headlines holding the words typed, newest first: two requests, no state kept.

The terms are those the Whoosh backend counts (wordforms.word_forms), so both engines offer the same words with the
same counts (Solr's, as Lucene's document frequencies, include replaced and deleted articles until their segments
merge).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..languages import ENGLISH
from ..suggest import (
    HEADLINE_SUGGESTIONS,
    WORDS_FIELD,
    Completion,
    HeadlineSuggestion,
    Suggestions,
    Typed,
    completions,
    pick_headlines,
    word_suggestions,
)
from ..whoosh.analysis import language_analyzer
from ..whoosh.languages import searched_languages
from ..whoosh.wordforms import fold_word
from .assembly import PARAMS
from .client import SolrError, term_counts
from .documents import solr_to_article

if TYPE_CHECKING:
    from .backend import SolrBackend

# Terms asked for, per word wanted: a word's forms ("economy", "Economy") are terms of their own, summed here.
_TERMS_PER_WORD = 4
_MIN_TERMS = 40
NEWEST = "date desc,id asc"  # undated last (sortMissingLast), as on Whoosh


def suggest(backend: SolrBackend, prefix: str, limit: int) -> Suggestions:
    """Return completions of the last word typed and headlines holding the words typed, completed by the first."""
    typed = Typed.of(prefix)
    found, partial = _complete(backend, fold_word(typed.last), limit) if typed.last else ([], False)
    completion = found[0].form if found else typed.last
    words = typed.headline_words(completion)
    languages = searched_languages(backend._languages(), ()) if words.strip() else ()
    stems = {language: list(dict.fromkeys(t.text for t in language_analyzer(language)(words)))
             for language in languages or (ENGLISH,)}
    headlines, missing = _headlines(backend, stems)
    return Suggestions(prefix, word_suggestions(typed, found), headlines, partial or missing)


def _complete(backend: SolrBackend, key: str, limit: int) -> tuple[list[Completion], bool]:
    if not key:
        return [], False
    try:
        answer = backend._get("terms", {"terms.fl": WORDS_FIELD, "terms.prefix": key, "terms.sort": "count",
                                        "terms.limit": max(limit * _TERMS_PER_WORD, _MIN_TERMS), "terms.mincount": 1})
    except SolrError as err:
        if err.status == 400:  # a collection made before autocomplete (schema version 3 or older): no words
            return [], False
        raise
    return completions(term_counts(answer, WORDS_FIELD).items())[:limit], _partial(answer)


def _headlines(backend: SolrBackend, stems: dict[str, list[str]]) -> tuple[tuple[HeadlineSuggestion, ...], bool]:
    """Return the newest articles whose headline holds every stem of their language's (as on Whoosh)."""
    clauses = [_holding(terms, language if len(stems) > 1 else None) for language, terms in stems.items() if terms]
    if not clauses:
        return (), False
    query = clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses}}
    # A story's newest article (the collection is routed by story, as collapse needs); a few more than are shown,
    # as different stories may share a headline.
    answer = backend._select({"query": query, "filter": [f"{{!collapse field=story sort='{NEWEST}'}}"],
                              "limit": 2 * HEADLINE_SUGGESTIONS, "sort": NEWEST,
                              "fields": "id,headline,body,date,source,story", "params": dict(PARAMS)})
    return pick_headlines(solr_to_article(doc) for doc in answer["response"]["docs"]), _partial(answer)


def _holding(stems: list[str], language: str | None) -> dict[str, Any]:
    terms: list[dict[str, Any]] = [{"term": {"f": "headline", "query": stem}} for stem in stems]
    if language is not None:
        terms.append({"term": {"f": "language", "query": language}})
    return {"bool": {"must": terms}}


def _partial(answer: dict[str, Any]) -> bool:
    return bool(answer.get("responseHeader", {}).get("partialResults"))

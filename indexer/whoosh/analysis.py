"""Text analysis, defined once: tokenizing, folding, stop words and NLTK Snowball stemming in Whoosh chains.

Whoosh pickles each field's analyzer into the index, naming the classes and the stem function by import path.
Indexes built before this module moved here name `indexer.analysis`, which re-exports it: renaming anything here,
or removing that alias, is an index format change (existing indexes would have to be rebuilt).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

from nltk.stem.snowball import SnowballStemmer
from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

from ..suggest import FORM_SEPARATOR
from ..words import ACRONYM, STOP_WORDS, TOKEN_PATTERN

# The stem cache holds the stems of this many distinct words per process (news vocabularies are Zipfian,
# so a bounded cache answers nearly every lookup).
STEM_CACHE_SIZE = 500_000
# What the analysis below makes of text, named for index fingerprints (indexer.results.IndexFingerprint), on both
# engines (Solr is sent text analysed here). Raise ANALYSIS_REVISION with any change to the terms it makes (and
# SCHEMA_VERSION in schema.py, so indexes are rebuilt); NLTK's release is named because its Snowball stemmer
# changes between releases ("added" stems otherwise).
ANALYSIS_REVISION = 1
ANALYZER_VERSION = f"news-{ANALYSIS_REVISION}+nltk-{version('nltk')}"

_english = SnowballStemmer("english")


def stem(word: str) -> str:
    """Return the Snowball (Porter2) English stem of a lowercase word."""
    return str(_english.stem(word))


class AcronymFilter(Filter):  # type: ignore[misc]
    """Drop the dots of an acronym ("U.S." -> "US") and straighten curly apostrophes."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            text = token.text
            if "." in text and ACRONYM.match(text):
                token.text = text.replace(".", "")
            elif "’" in text:
                token.text = text.replace("’", "'")
            yield token


class NewsFilter(Filter):  # type: ignore[misc]
    """Acronyms, lowercase, accent folding, stop words and cached Snowball stems, in one pass over the tokens.

    It does what AcronymFilter | LowercaseFilter | CharsetFilter(accent_map) | StopFilter | StemFilter do in a
    chain (the tests check the terms are the same), one generator instead of five: analysis is 1.6x faster.
    Stop words are dropped and the positions after them renumbered, as StopFilter does; with removestops=False
    (the highlighter) they pass through marked stopped.
    """

    is_morph = True  # Whoosh asks this of stemming filters

    def __init__(self, stoplist: frozenset[str] = STOP_WORDS, cachesize: int = STEM_CACHE_SIZE) -> None:
        self.stops = stoplist
        self.cachesize = cachesize
        self._cache: dict[str, str] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"stops": self.stops, "cachesize": self.cachesize}  # the cache is not stored in the index

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewsFilter) and (self.stops, self.cachesize) == (other.stops, other.cachesize)

    def __hash__(self) -> int:
        return hash((NewsFilter, self.cachesize))

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        cache, stops = self._cache, self.stops
        position = None
        for token in tokens:
            text = token.text
            if "." in text and ACRONYM.match(text):
                text = text.replace(".", "")
            text = text.lower()
            if not text.isascii():
                text = text.replace("’", "'").translate(accent_map)
            if text in stops:
                if not token.removestops:
                    token.text, token.stopped = text, True
                    yield token
                continue
            stemmed = cache.get(text)
            if stemmed is None:
                if len(cache) >= self.cachesize:
                    cache.clear()  # a bounded cache: start again rather than grow without end
                stemmed = cache[text] = stem(text)
            if token.positions:
                position = token.pos if position is None else position + 1
                token.pos = position
            token.text, token.stopped = stemmed, False
            yield token


def news_analyzer() -> Any:
    """The analyzer of headline and body: words and acronyms, then NewsFilter (fold, stop words, stems)."""
    return RegexTokenizer(TOKEN_PATTERN) | NewsFilter()


def chained_news_analyzer() -> Any:
    """The same analysis as news_analyzer() as a chain of Whoosh's own filters (the reference for tests)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | AcronymFilter()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(stemfn=stem, cachesize=STEM_CACHE_SIZE)
    )


def name_analyzer() -> Any:
    """The analyzer of names (authors, topics, sources): words, lowercase, accents folded; no stems, no stops."""
    return RegexTokenizer(TOKEN_PATTERN) | AcronymFilter() | LowercaseFilter() | CharsetFilter(accent_map)


# Multi-valued exact fields (facets, filters) hold their values joined by this separator, each value one term.
VALUE_SEPARATOR = "\x1f"


def value_analyzer() -> Any:
    """The analyzer of exact facet values: one term per value, case and accents kept."""
    return RegexTokenizer(r"[^\x1f]+")


def analyze(text: str) -> list[str]:
    """Return the terms the news analyzer makes of a text (for tests, tools and query explanations)."""
    return [token.text for token in news_analyzer()(text)]


# Autocomplete's words (indexer/suggest.py): each distinct word of an article once, as typed, keyed for matching.
# Words longer than this are not offered (URLs, run-together junk); nor are words without a letter (numbers).
MAX_WORD_LENGTH = 40
_WORD = re.compile(TOKEN_PATTERN)
_POSSESSIVE = ("'s", "’s")
_word_cache: dict[str, tuple[str, str] | None] = {}


def fold_word(word: str) -> str:
    """Return the key a word (or the start of one) is matched by: acronym dots dropped, lowercase, accents folded,
    a possessive 's dropped ("Zürich's" -> "zurich", "U.S." -> "us"), as NewsFilter does before stemming."""
    if "." in word and ACRONYM.match(word):
        word = word.replace(".", "")
    key = word.lower()
    if not key.isascii():
        key = key.replace("’", "'").translate(accent_map)
    return key[:-2] if key.endswith("'s") else key


def _word_entry(word: str) -> tuple[str, str] | None:
    """Return (key, form) of a token, or None when it is not offered (a stop word, a number, too short or long)."""
    key = fold_word(word)
    if not 2 <= len(key) <= MAX_WORD_LENGTH or key in STOP_WORDS or not any(c.isalpha() for c in key):
        return None
    return key, word[:-2] if word.endswith(_POSSESSIVE) else word


def word_forms(text: str) -> list[str]:
    """Return autocomplete's terms of a text (indexer/suggest.py): each key once, as `key`, or `key Form` when the
    text writes it otherwise.

    A word written several ways takes the form that says most: the key itself if it is anywhere, else a lowercase
    form ("café" over "Café"), else one not all in capitals ("Volcker" over a headline's "VOLCKER"), else the
    first by code point: the terms do not depend on the order of the words, and a key's document frequency is the
    sum of its forms'.
    """
    chosen: dict[str, str] = {}
    cache = _word_cache
    for word in set(_WORD.findall(text)):
        if word in cache:
            entry = cache[word]
        else:
            if len(cache) >= STEM_CACHE_SIZE:
                cache.clear()  # bounded, as the stem cache
            entry = cache[word] = _word_entry(word)
        if entry is None:
            continue
        key, form = entry
        held = chosen.get(key)
        if held is None or (held != key and _says_more(form, held, key)):
            chosen[key] = form
    return [key if form == key else key + FORM_SEPARATOR + form for key, form in chosen.items()]


def _says_more(form: str, held: str, key: str) -> bool:
    return _rank(form, key) < _rank(held, key)


def _rank(form: str, key: str) -> tuple[bool, bool, bool, str]:
    return form != key, not form.islower(), form.isupper(), form

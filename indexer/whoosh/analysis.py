"""Text analysis, defined once: tokenizing, folding, stop words and NLTK Snowball stemming in Whoosh chains.

Whoosh pickles each field's analyzer into the index, naming the classes and the stem function by import path.
Indexes built before this module moved here name `indexer.analysis`, which re-exports it: renaming anything here,
or removing that alias, is an index format change (existing indexes would have to be rebuilt).

Languages: one analyzer serves every article, and Whoosh hands it only the text, so an indexed value starts with a
marker naming its language (`marked("fr", text)`, two private-use characters around the code), which NewsTokenizer
takes off (offsets count from the text after it) and puts on each token for NewsFilter to stem by. English is
analysed exactly as before languages; other Snowball languages are stemmed before their accents are folded (the
stemmers read them) and keep every word (the stop list is English); any other language is folded, not stemmed.
Indexes built before languages pickled a plain RegexTokenizer: no marker ever reaches them, and NewsFilter keeps
treating their tokens as English. Wherever text is analysed again (queries, snippets, spans, Solr's pre-analysed
values), `language_analyzer(code)` analyses it in an article's language without a marker.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from itertools import chain
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

from ..languages import ENGLISH, SNOWBALL, is_code
from ..words import ACRONYM, STOP_WORDS, TOKEN_PATTERN, TOKENS
from . import layout


@contextmanager
def _scipy_left_out() -> Iterator[None]:
    """Import NLTK without SciPy. `nltk` imports all of itself, and four of its modules import SciPy when it is
    installed (datasketch, a test dependency, installs it) for what we never call (association measures, a
    parser, an aligner), each falling back when it is not: half a second of every process's start (0.77 s to
    import `nltk.stem` with it, 0.23 s without, numpy included). A SciPy already imported is left as it is."""
    if "scipy" in sys.modules:
        yield
        return
    sys.modules["scipy"] = None  # type: ignore[assignment]  # Python's way to make an import fail
    try:
        yield
    finally:
        del sys.modules["scipy"]  # SciPy imports as usual from here on


with _scipy_left_out():
    from nltk.stem.snowball import SnowballStemmer

# The stem cache holds the stems of this many distinct words per process (news vocabularies are Zipfian,
# so a bounded cache answers nearly every lookup).
STEM_CACHE_SIZE = 500_000
# What the analysis below makes of text, named for index fingerprints (indexer.results.IndexFingerprint), on both
# engines (Solr is sent text analysed here). Raise ANALYSIS_REVISION with any change to the terms it makes (and
# SCHEMA_VERSION in schema.py, so indexes are rebuilt); NLTK's release is named because its Snowball stemmer
# changes between releases ("added" stems otherwise).
ANALYSIS_REVISION = 2  # 2: languages (English terms unchanged)
ANALYZER_VERSION = f"news-{ANALYSIS_REVISION}+nltk-{version('nltk')}"
# NewsFilter's caches (of at most STEM_CACHE_SIZE words each): English words' stems, other languages' terms.
_STEMS: dict[str, str] = {}
_LANGUAGE_TERMS: dict[str, dict[str, str]] = {}

_english = SnowballStemmer("english")

# The language marker at the start of an indexed value: MARK_OPEN, a language code, MARK_CLOSE (private-use
# characters, which the token pattern never matches).
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
# Articles and pronouns elided before a vowel ("l'élection", "dell'anno"): taken off before stemming, as Lucene's
# ElisionFilter does, so that "l'élection" and "élection" are one word.
ELISIONS = {
    "fr": frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu".split()),
    "it": frozenset("l d un dell dall nell sull all coll tutt quell quest nessun".split()),
}


def stem(word: str) -> str:
    """Return the Snowball (Porter2) English stem of a lowercase word."""
    return str(_english.stem(word))


@lru_cache(maxsize=64)
def _stemmer(language: str) -> Any:
    """Return NLTK's Snowball stemmer of a language (None: a language without one)."""
    name = SNOWBALL.get(language)
    return SnowballStemmer(name) if name else None


def language_term(word: str, language: str) -> str:
    """Return the term a lowercase word of a language other than English is indexed as: elision off, stemmed in
    its language (when NLTK has a stemmer for it), then accents folded."""
    elided = ELISIONS.get(language)
    if elided and "'" in word:
        head, _, rest = word.partition("'")
        if rest and head in elided:
            word = rest
    stemmer = _stemmer(language)
    if stemmer is not None:
        word = str(stemmer.stem(word))
    return word if word.isascii() else word.translate(accent_map)


def marked(language: str, text: str) -> str:
    """Return an indexed value: the text with its language's marker in front (see NewsTokenizer)."""
    return f"{MARK_OPEN}{language}{MARK_CLOSE}{text}"


def unmarked(value: str) -> tuple[str, str]:
    """Return the language a value is marked with ("" for none) and its text without the marker."""
    if value[:1] == MARK_OPEN:
        end = value.find(MARK_CLOSE, 1, 5)
        if end > 0 and is_code(value[1:end]):
            return value[1:end], value[end + 1:]
    return "", value


class NewsTokenizer(RegexTokenizer):  # type: ignore[misc]
    """Words and acronyms (the token pattern), each token carrying its language (`token.language`) for NewsFilter:
    the value's marker, else the one given, else this tokenizer's own ("": English). Offsets count from the text
    after the marker, so they are offsets into the article's stored text."""

    language = ""  # a class default: an analyzer pickled without it reads as one with none

    def __init__(self, expression: str = TOKEN_PATTERN, language: str = "") -> None:
        super().__init__(expression)
        self.language = language

    def __eq__(self, other: object) -> bool:
        return bool(super().__eq__(other)) and self.language == getattr(other, "language", "")

    def __hash__(self) -> int:
        return hash((NewsTokenizer, self.expression.pattern, self.language))

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Any]:
        language, text = unmarked(value)
        language = language or kwargs.pop("language", "") or self.language
        if language:
            kwargs["language"] = language  # Whoosh's Token keeps extra keyword arguments as attributes
        return super().__call__(text, **kwargs)  # type: ignore[no-any-return]


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


@dataclass
class TermNumbers:
    """The words and terms a writer has met, each numbered in order of arrival (see NewsFilter.term_numbers)."""

    numbers: dict[str, int] = field(default_factory=dict)  # term -> its number
    words: dict[str, dict[str, int]] = field(default_factory=dict)  # language -> word -> its number
    texts: list[str] = field(default_factory=list)  # word number -> the word
    word_terms: array[int] = field(default_factory=lambda: array("q"))  # word number -> its term's (-1: a stop word)
    stopped: bytearray = field(default_factory=bytearray)  # word number -> 1 for a stop word


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
        self._shared()

    def _shared(self) -> None:
        # The process's caches, whichever filter fills them: every opening of an index unpickles its analyzers
        # anew (a writer's, each commit's worker's), and stems do not depend on the filter.
        self._cache, self._caches = _STEMS, _LANGUAGE_TERMS  # other languages' terms: by language
        self._words: dict[str, dict[str, str]] = {}  # by language, each word as written -> its term (word_terms)

    def __getstate__(self) -> dict[str, Any]:
        return {"stops": self.stops, "cachesize": self.cachesize}  # the cache is not stored in the index

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._shared()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewsFilter) and (self.stops, self.cachesize) == (other.stops, other.cachesize)

    def __hash__(self) -> int:
        return hash((NewsFilter, self.cachesize))

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        # Every token of one value shares its language (the tokenizer yields one Token object, changed each time).
        stream = iter(tokens)
        first = next(stream, None)
        if first is None:
            return
        language = getattr(first, "language", "") or ENGLISH
        if language == ENGLISH:
            yield from self._english(chain((first,), stream))
        else:
            yield from self._language(chain((first,), stream), language)

    def _english(self, tokens: Iterator[Any]) -> Iterator[Any]:
        """English, as before languages: stop words dropped (positions renumbered), Porter2 stems of folded words."""
        position = None
        current: list[Any] = [None]

        def words() -> Iterator[str]:
            for token in tokens:
                current[0] = token
                yield token.text

        for term, stopped in self._english_terms(words()):
            token = current[0]
            if stopped:
                if not token.removestops:
                    token.text, token.stopped = term, True
                    yield token
                continue
            if token.positions:
                position = token.pos if position is None else position + 1
                token.pos = position
            token.text, token.stopped = term, False
            yield token

    def _english_terms(self, words: Iterable[str]) -> Iterator[tuple[str, bool]]:
        """Yield the term of each English word and whether it is a stop word (its term then the folded word):
        acronyms lose their dots, words are lowercased and their accents folded, and the rest stemmed (cached)."""
        cache, stops, cachesize = self._cache, self.stops, self.cachesize
        for text in words:
            if "." in text and ACRONYM.match(text):
                text = text.replace(".", "")
            text = text.lower()
            if not text.isascii():
                text = text.replace("’", "'").translate(accent_map)
            if text in stops:
                yield text, True
                continue
            stemmed = cache.get(text)
            if stemmed is None:
                if len(cache) >= cachesize:
                    cache.clear()  # a bounded cache: start again rather than grow without end
                stemmed = cache[text] = stem(text)
            yield stemmed, False

    def _terms(self, words: Iterable[str], language: str) -> Iterator[tuple[str, bool]]:
        """Yield the term of each word of a language and whether it is a stop word (English only has them)."""
        if language == ENGLISH:
            yield from self._english_terms(words)
            return
        cache = self._caches.setdefault(language, {})
        for word in words:
            yield self._language_term(word, language, cache), False

    def positions(self, tokenizer: NewsTokenizer, value: str) -> dict[str, list[int]]:
        """Return the terms of a value as the analyzer `tokenizer | self` indexes it and each term's positions, in
        the order of their first occurrence: what Whoosh's Positions format collects from the token stream, made
        without a Token per word (indexing spends most of its time here; the tests check the two agree)."""
        language, text = unmarked(value)
        words = tokenizer.expression.findall(text)
        found: dict[str, list[int]] = {}
        position = -1
        for index, (term, stopped) in enumerate(self._terms(words, language or tokenizer.language or ENGLISH)):
            if stopped:
                continue
            position = index if position < 0 else position + 1  # as _english: stop words renumber what follows
            if term in found:
                found[term].append(position)
            else:
                found[term] = [position]
        return found

    def term_numbers(self, tokenizer: NewsTokenizer, value: str, terms: TermNumbers) -> tuple[list[int], int]:
        """Return the number of each word in `terms` (new words and terms numbered as they come: its term is
        `terms.word_terms[number]`, -1 for a stop word), what `positions` reads, for a writer that collects a whole
        segment's words before sorting them (bulk.py); and how many of them are not stop words. Each distinct word is
        analysed once per TermNumbers, the rest is dictionary look-ups made in C."""
        language, text = unmarked(value)
        language = language or tokenizer.language or ENGLISH
        expression = tokenizer.expression
        words = (TOKENS if expression.pattern == TOKEN_PATTERN else expression).findall(text)
        known = terms.words.setdefault(language, {})
        missing = list(set(words).difference(known))
        if missing:
            numbers, texts, word_terms, stopped = terms.numbers, terms.texts, terms.word_terms, terms.stopped
            for word, (term, stop) in zip(missing, self._terms(missing, language), strict=True):
                known[word] = len(texts)
                texts.append(word)
                word_terms.append(-1 if stop else numbers.setdefault(term, len(numbers)))
                stopped.append(stop)
        found = list(map(known.__getitem__, words))
        return found, len(found) - sum(map(terms.stopped.__getitem__, found))

    def word_terms(self, tokenizer: NewsTokenizer, value: str) -> tuple[list[int], list[int], list[str]]:
        """Return where each word of a value starts and ends (its language marker taken off) and each word's term,
        stop words included (their folded text): what char_terms yields, the words found with arrays (layout.py),
        each distinct word analysed once and remembered by this filter (at most cachesize words), for the
        highlighter of a busy search page."""
        language, text = unmarked(value)
        language = language or tokenizer.language or ENGLISH
        starts, ends, words = layout.spans(tokenizer.expression, text)
        known = self._words.setdefault(language, {})
        try:
            return starts, ends, list(map(known.__getitem__, words))
        except KeyError:  # words not seen before
            pass
        missing = list(set(words).difference(known))
        if len(known) + len(missing) > self.cachesize:
            known.clear()  # bounded: start again rather than grow without end
            missing = list(set(words))
        for word, (term, _) in zip(missing, self._terms(missing, language), strict=True):
            known[word] = term
        return starts, ends, list(map(known.__getitem__, words))

    def char_terms(self, tokenizer: NewsTokenizer, value: str) -> Iterator[tuple[int, int, str]]:
        """Yield each word's start and end in the text and its term, stop words included (their folded text): what
        `tokenizer | self` yields with chars=True and removestops=False (the highlighter's stream), without a Token
        per word (the tests check the two agree)."""
        language, text = unmarked(value)
        matches = list(tokenizer.expression.finditer(text))
        terms = self._terms((match.group() for match in matches), language or tokenizer.language or ENGLISH)
        for match, (term, _) in zip(matches, terms, strict=True):
            yield match.start(), match.end(), term

    def _language_term(self, text: str, language: str, cache: dict[str, str]) -> str:
        """Return the term of a word of a language other than English (cache: that language's, in self._caches)."""
        if "." in text and ACRONYM.match(text):
            text = text.replace(".", "")
        text = text.lower()
        if "’" in text:
            text = text.replace("’", "'")
        term = cache.get(text)
        if term is None:
            if len(cache) >= self.cachesize:
                cache.clear()
            term = cache[text] = language_term(text, language)
        return term

    def _language(self, tokens: Iterator[Any], language: str) -> Iterator[Any]:
        """Another language: every word kept (its position too), its term from language_term, cached."""
        cache = self._caches.setdefault(language, {})
        for token in tokens:
            token.text, token.stopped = self._language_term(token.text, language, cache), False
            yield token


def news_analyzer() -> Any:
    """The analyzer of headline and body: words and acronyms in their language, then NewsFilter (fold, stop words,
    stems)."""
    return NewsTokenizer(TOKEN_PATTERN) | NewsFilter()


@lru_cache(maxsize=64)
def language_analyzer(language: str) -> Any:
    """The news analyzer of text in one language, unmarked (English for ""): for queries, snippets and spans."""
    return NewsTokenizer(TOKEN_PATTERN, language) | NewsFilter()


def index_positions(analyzer: Any, value: Any, **kwargs: Any) -> dict[str, list[int]] | None:
    """Return NewsFilter.positions of a value being indexed by news_analyzer() (or a language's), else None (another
    analyzer, or arguments the fast path does not take: Whoosh's token stream then)."""
    parts = news_parts(analyzer)
    indexing = kwargs.keys() <= {"mode"} and kwargs.get("mode", "index") == "index"
    if parts is None or not isinstance(value, str) or not indexing:
        return None
    return parts[1].positions(parts[0], value)


def news_parts(analyzer: Any) -> tuple[NewsTokenizer, NewsFilter] | None:
    """Return the tokenizer and filter of news_analyzer() or a language's analyzer, else None (another analyzer)."""
    items = getattr(analyzer, "items", None)
    if items is not None and len(items) == 2 and type(items[0]) is NewsTokenizer and type(items[1]) is NewsFilter:
        return items[0], items[1]
    return None


def language_aware(analyzer: Any) -> bool:
    """Return whether an index's analyzer reads language markers (indexes built before languages: not)."""
    items: list[Any] = list(getattr(analyzer, "items", ()))
    return bool(items) and isinstance(items[0], NewsTokenizer)


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

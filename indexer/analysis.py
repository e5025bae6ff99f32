"""Text analysis, defined once: tokenizing, folding, stop words and NLTK Snowball stemming in Whoosh chains.

Whoosh pickles each field's analyzer into the index, naming the classes and the stem function by import path.
Renaming or moving anything here is an index format change: existing indexes must be rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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

# Acronyms written with dots ("U.S.", "U.K.", "U.S.A.") stay one token; other words may hold inner dots or
# apostrophes ("3.5", "example.com", "o'neill").
TOKEN_PATTERN = r"(?:[^\W\d_]\.){2,}|\w+(?:[.'’]\w+)*"
_ACRONYM = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]?\.?$")

# Our own short list of function words. News words stay searchable on purpose: "us" (U.S.), "may" (the month,
# Theresa May), "new", "state", "will", "not", "no", "who" (WHO) are never dropped.
STOP_WORDS = frozenset(
    """a an and are as at be been but by for from had has have he her his i if in into is it its of on or
    she such that the their then there these they this those to was were which with""".split()
)

# The stem cache holds the stems of this many distinct words per process (news vocabularies are Zipfian,
# so a bounded cache answers nearly every lookup).
STEM_CACHE_SIZE = 500_000

_english = SnowballStemmer("english")


def stem(word: str) -> str:
    """Return the Snowball (Porter2) English stem of a lowercase word."""
    return str(_english.stem(word))


class AcronymFilter(Filter):  # type: ignore[misc]
    """Drop the dots of an acronym ("U.S." -> "US") and straighten curly apostrophes."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            text = token.text
            if "." in text and _ACRONYM.match(text):
                token.text = text.replace(".", "")
            elif "’" in text:
                token.text = text.replace("’", "'")
            yield token


def news_analyzer() -> Any:
    """The analyzer of headline and body: words, acronyms, lowercase, accents folded, stop words, stems."""
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

"""Autocomplete, engine-neutral: what a search box's text asks for, its limits, and the Suggestions an engine returns.

An engine indexes the words of each article's headline and body as typed (not stemmed) in a field of its own,
`words`: one term per distinct word an article has, `key` (lowercase, accents folded, acronym dots dropped: what
a typed prefix is matched against) or `key Form` when the article writes it otherwise ("zurich Zürich"), so that
a key's document frequency is the sum of its forms' and its most frequent form is the one shown. The terms are
made by indexer/whoosh/wordforms.py (word_forms), for both engines. An engine completes the last word typed from
that field, and finds a few headlines holding the words typed, completed (see docs/web.md#autocomplete).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .display import display_headline
from .errors import QueryError
from .records import Article
from .request import MAX_QUERY_LENGTH

# Nothing is suggested for less typed text than this (the search box sends nothing shorter).
MIN_PREFIX = 2
MAX_PREFIX = MAX_QUERY_LENGTH  # the search box's own limit
DEFAULT_SUGGESTIONS = 8
MAX_SUGGESTIONS = 20
# Headlines offered beside the words ("go to article"): a few, newest first, each headline and story once.
HEADLINE_SUGGESTIONS = 3
# The field that holds the words, and the separator of a key from its form in its terms.
WORDS_FIELD = "words"
FORM_SEPARATOR = " "

# The word being typed: the last run of word characters (with inner dots and apostrophes, as the tokenizer keeps
# them), at the very end of the text.
_LAST_WORD = re.compile(r"\w[\w.'’]*$")
# What in the words before it is query syntax, not a word a headline must hold: field scopes with their value,
# excluded words, operators, wildcards and fuzzy words.
_NOT_HEADLINE_WORDS = re.compile(
    r"\w+:(?:\"[^\"]*\"?|\[[^\]]*\]?|\S*)|(?:^|(?<=[\s(]))-\S*|\bNOT\s+\S+|\b(?:AND|OR|NOT|NEAR(?:/\d+)?)\b"
    r"|\S*[*?~]\S*")


@dataclass(frozen=True)
class Typed:
    """A search box's text, split into what comes before the word being typed, and that word (may be empty)."""

    head: str
    last: str

    @classmethod
    def of(cls, text: str) -> Typed:
        """Split text at its last word (none when it ends with a space or punctuation)."""
        found = _LAST_WORD.search(text)
        return cls(text, "") if found is None else cls(text[:found.start()], found.group())

    def completed(self, form: str) -> str:
        """Return the text with the word being typed replaced by a completion."""
        return self.head + form

    def headline_words(self, completion: str) -> str:
        """Return the plain words a matching headline holds: those typed before (less query syntax), and the
        completion unless the word being typed is excluded (-word) or scoped to a field (field:word)."""
        words = _NOT_HEADLINE_WORDS.sub(" ", self.head)
        scoped = bool(re.search(r"(?:^|[\s(])-$|\bNOT\s+$|\w:$", self.head))
        return words if scoped else f"{words} {completion}"


@dataclass(frozen=True)
class Completion:
    """A word as an archive writes it (its most frequent form), its key, and in how many articles it is."""

    key: str
    form: str
    articles: int


def completions(terms: Iterable[tuple[str, int]]) -> list[Completion]:
    """Return the words of `words` field terms with their document frequencies: each key once, in its most
    frequent form (ties: the lowercase one, then by code point), its articles summed; most frequent first."""
    forms: dict[str, dict[str, int]] = {}
    for term, count in terms:
        key, _, form = term.partition(FORM_SEPARATOR)
        by_form = forms.setdefault(key, {})
        by_form[form or key] = by_form.get(form or key, 0) + count
    found = [Completion(key, _shown(key, by_form), sum(by_form.values())) for key, by_form in forms.items()]
    found.sort(key=lambda c: (-c.articles, c.key))
    return found


def _shown(key: str, by_form: dict[str, int]) -> str:
    return min(by_form, key=lambda form: (-by_form[form], form != key, form))


@dataclass(frozen=True)
class WordSuggestion:
    """The typed text with its last word completed: `text` to search for, the `word`, the articles holding it."""

    text: str
    word: str
    articles: int

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this suggestion."""
        return {"text": self.text, "word": self.word, "articles": self.articles}


@dataclass(frozen=True)
class HeadlineSuggestion:
    """An article whose headline holds the words typed: to go to it."""

    id: str
    headline: str
    date: datetime | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this headline."""
        return {"id": self.id, "headline": self.headline, "date": self.date.isoformat() if self.date else None,
                "source": self.source}


@dataclass(frozen=True)
class Suggestions:
    """What to offer for a prefix: completed words, most frequent first, and a few matching headlines."""

    prefix: str
    words: tuple[WordSuggestion, ...] = ()
    headlines: tuple[HeadlineSuggestion, ...] = ()
    partial: bool = False  # a part of the archive (a Solr shard) did not answer

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of these suggestions."""
        found: dict[str, Any] = {"prefix": self.prefix, "words": [w.to_dict() for w in self.words],
                                 "headlines": [h.to_dict() for h in self.headlines]}
        if self.partial:
            found["partial"] = True
        return found


def pick_headlines(articles: Iterable[Article]) -> tuple[HeadlineSuggestion, ...]:
    """Return the first HEADLINE_SUGGESTIONS of these articles (newest first), each headline and story once."""
    found: list[HeadlineSuggestion] = []
    seen: set[str] = set()
    for article in articles:
        headline = display_headline(article)
        if headline.casefold() in seen or (article.story and article.story in seen):
            continue  # copies of a wire story, or another story under the same headline
        seen.update((headline.casefold(), article.story))
        found.append(HeadlineSuggestion(article.id, headline, article.date, article.source))
        if len(found) == HEADLINE_SUGGESTIONS:
            break
    return tuple(found)


def word_suggestions(typed: Typed, found: Iterable[Completion]) -> tuple[WordSuggestion, ...]:
    """Return the suggestions of completions of a typed text's last word."""
    return tuple(WordSuggestion(typed.completed(c.form), c.form, c.articles) for c in found)


def check_suggest(prefix: str, limit: int) -> None:
    """Raise QueryError for a prefix or limit out of bounds (every engine checks this first)."""
    if not MIN_PREFIX <= len(prefix.strip()) <= MAX_PREFIX:
        raise QueryError(f"prefix must be {MIN_PREFIX} to {MAX_PREFIX:,} characters (not counting spaces around it)")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_SUGGESTIONS}")

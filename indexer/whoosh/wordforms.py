"""Autocomplete's words (indexer/suggest.py), for both engines: each distinct word of an article once, as it is
written, keyed for matching what is typed (folded as NewsFilter folds a word before stemming)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from whoosh.support.charset import accent_map

from ..suggest import FORM_SEPARATOR
from ..words import ACRONYM, STOP_WORDS, TOKEN_PATTERN
from .analysis import STEM_CACHE_SIZE

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
    return distinct_word_forms(set(text_words(text)))


def text_words(text: str) -> list[str]:
    """Return a text's words, as the token pattern finds them."""
    return _WORD.findall(text)


def distinct_word_forms(words: Iterable[str]) -> list[str]:
    """word_forms of a text whose distinct words (as the token pattern finds them) are given: what a writer that
    has found them already counts."""
    chosen: dict[str, str] = {}
    cache = _word_cache
    for word in words:
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

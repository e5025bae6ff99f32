"""Autocomplete's words (indexer/suggest.py), for both engines: each distinct word of an article once, as it is
written, keyed for matching what is typed (folded as NewsFilter folds a word before stemming)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from whoosh.support.charset import accent_map

from ..suggest import FORM_SEPARATOR
from ..words import ACRONYM, STOP_WORDS, TOKENS
from .analysis import STEM_CACHE_SIZE

# Words longer than this are not offered (URLs, run-together junk); nor are words without a letter (numbers).
MAX_WORD_LENGTH = 40
_POSSESSIVE = ("'s", "’s")
# Each word's key, its form and how much the form says (_entry), remembered. Bounded, as the stem cache.
_entries: dict[str, tuple[str, str, int] | None] = {}


@dataclass
class FoundWords:
    """The words a writer found in documents (as the token pattern finds them), so that their forms are counted
    without finding them again: each word's text by number, and for each field found so, the document (its index
    among the documents) and the number of every word of it."""

    texts: list[str]
    fields: dict[str, tuple[np.ndarray, np.ndarray]]


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
    return TOKENS.findall(text)


def distinct_word_forms(words: Iterable[str]) -> list[str]:
    """word_forms of a text whose distinct words (as the token pattern finds them) are given."""
    chosen: dict[str, tuple[int, str]] = {}  # key -> how much its form says and the form
    for word in words:
        entry = _entry(word)
        if entry is None:
            continue
        key, form, says = entry
        held = chosen.get(key)
        if held is None or (says, form) < held:
            chosen[key] = (says, form)
    return [key if form == key else key + FORM_SEPARATOR + form for key, (_, form) in chosen.items()]


def counted_forms(docs: np.ndarray, words: np.ndarray, texts: list[str]) -> Counter[str]:
    """Return in how many documents each autocomplete term is (the sum of word_forms over them), given the document
    and word number of every word of theirs and each word number's text: a document's words sorted by key and by
    how much their form says, with arrays, instead of each document's distinct words compared in Python."""
    if not len(words):
        return Counter()
    count = len(texts)
    pairs = _distinct(docs.astype(np.int64) * count + words)  # each word once a document
    pair_docs, pair_words = np.divmod(pairs, count)
    present = _distinct(pair_words)
    entries = [_entry(texts[word]) for word in present.tolist()]
    offered = np.fromiter((entry is not None for entry in entries), dtype=bool, count=len(entries))
    kept = [entry for entry in entries if entry is not None]
    if not kept:
        return Counter()
    key_numbers: dict[str, int] = {}
    keys = np.array([key_numbers.setdefault(key, len(key_numbers)) for key, _, _ in kept], dtype=np.int64)
    form_ranks = np.empty(len(kept), dtype=np.int64)
    form_ranks[sorted(range(len(kept)), key=lambda i: kept[i][1])] = np.arange(len(kept))
    says = np.array([said for _, _, said in kept], dtype=np.int64)
    order = np.lexsort((form_ranks, says, keys))  # by key, then the form that says most first
    place = np.empty(len(kept), dtype=np.int64)
    place[order] = np.arange(len(kept))
    kept_of_present = np.cumsum(offered) - 1  # each offered present word's index among the kept
    at = np.searchsorted(present, pair_words)
    chosen = offered[at]
    ranked = np.sort(pair_docs[chosen] * len(kept) + place[kept_of_present[at[chosen]]])
    ranked_docs, places = np.divmod(ranked, len(kept))
    keys_at = keys[order][places]
    first = np.r_[True, (ranked_docs[1:] != ranked_docs[:-1]) | (keys_at[1:] != keys_at[:-1])]
    counts = np.bincount(places[first], minlength=len(kept))
    counted: Counter[str] = Counter()
    for index, found in zip(order.tolist(), counts.tolist(), strict=True):
        if found:
            key, form, _ = kept[index]
            counted[key if form == key else key + FORM_SEPARATOR + form] += found
    return counted


def _distinct(values: np.ndarray) -> np.ndarray:
    """Return the distinct values, sorted (np.unique would hash them: ten times slower here than one sort)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _entry(word: str) -> tuple[str, str, int] | None:
    """Return a word's key, its form and how much the form says, as a number (lower says more: the key itself, then
    a lowercase form, then one not all in capitals: word_forms' order, the form's code points breaking ties), or
    None when it is not offered."""
    if word in _entries:
        return _entries[word]
    if len(_entries) >= STEM_CACHE_SIZE:
        _entries.clear()  # bounded, as the stem cache
    found = _word_entry(word)
    entry = None
    if found is not None:
        key, form = found
        entry = key, form, 4 * (form != key) + 2 * (not form.islower()) + form.isupper()
    _entries[word] = entry
    return entry

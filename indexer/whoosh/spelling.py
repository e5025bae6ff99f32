"""'Did you mean': correct the words of a query that the index does not know, using the words it does.

There is no separate spelling field (it doubled indexing time). A word whose stem is not indexed is corrected
against the stems of the body field: the stem within one edit (else two) that most articles contain wins, and
it is shown as the form of the word that articles actually print, found in a few stored articles that hold it
("econmy" -> stem "econmi" -> "economi" -> "economy"). A value of a name field (`topic:coffe`, `author:`,
`source:`) the field does not hold is corrected against the values it does (`topic:coffee`). Words scoped to
other fields, quoted values, wildcards, fuzzy terms and operators are left as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

from whoosh.spelling import Corrector
from whoosh.support.levenshtein import distance

from ..entities import KINDS
from ..request import FIELD_ALIASES
from .proximity import NEAR

SPELLING_FIELDS = ("body", "headline")
# A plain word: not after "field:" or inside a dotted or hyphenated token, not followed by a wildcard or "~".
_WORD = re.compile(r"(?<![\w:.\-'])([^\W\d_]{2,})(?![\w:*?~.'-])")
_OPERATORS = {"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE", NEAR}
# A name field's value: "topic:coffe" (its aliases too: "section:coffe").
_FIELD_VALUE = re.compile(r"(?<![\w.])(\w+):([^\W\d_]{2,})(?![\w:*?~.'-])")
_NAME_FIELDS = {alias: field for field in ("topic", "author", "source", *(kind.facet for kind in KINDS))
                for alias in (field, *FIELD_ALIASES.get(field, ()))}
# How many stored articles are read to find how a stem is printed, and how many candidate stems are compared.
SURFACE_SAMPLES = 5
CANDIDATES = 5
# The corrections of words a reader remembers (suggest_query's `known`).
MAX_KNOWN = 10_000
# The words of each reader of several segments by field, first letters and length (words_within), while it is open.
_VOCABULARIES: WeakKeyDictionary[Any, dict[tuple[str, str], dict[int, list[str]]]] = WeakKeyDictionary()


def suggest_query(reader: Any, text: str, known: dict[str, str | None] | None = None) -> str | None:
    """Return the query text with unknown words corrected, or None when no word needed a correction.

    known: the corrections of words already looked up in this reader (word -> correction, None for none), used
    and added to; correcting a word scans the vocabulary (tens of milliseconds on Reuters), and words come again.
    """
    analyzer = reader.schema["body"].analyzer
    changed = False
    known = {} if known is None else known

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(1)
        if word in _OPERATORS:
            return word
        if word in known:
            fixed = known[word]
        else:
            if len(known) >= MAX_KNOWN:
                known.clear()  # bounded: start again rather than grow
            fixed = known[word] = correct_word(reader, analyzer, word)
        if fixed is None:
            return word
        changed = True
        return fixed

    def replace_value(match: re.Match[str]) -> str:
        nonlocal changed
        name, value = match.groups()
        field = _NAME_FIELDS.get(name)
        fixed = None if field is None else correct_value(reader, field, value)
        if fixed is None:
            return match.group(0)
        changed = True
        return f"{name}:{fixed}"

    corrected = _FIELD_VALUE.sub(replace_value, _WORD.sub(replace, text))
    return corrected if changed else None


def correct_value(reader: Any, field: str, value: str) -> str | None:
    """Return the word of a name field closest to one it does not hold (the commonest, on a tie), or None."""
    lowered = value.lower()
    if field not in reader.indexed_field_names() or (field, lowered) in reader:
        return None
    corrector = corrector_of(reader, field)
    for maxdist in (1, 2):
        candidates = corrector.suggest(lowered, limit=10, maxdist=maxdist, prefix=1)
        if candidates:
            return str(max(candidates, key=lambda word: (int(reader.doc_frequency(field, word)), word)))
    return None


def correct_word(reader: Any, analyzer: Any, word: str) -> str | None:
    """Return the best indexed replacement of a word the index does not know, or None."""
    lowered = word.lower()
    stems = [token.text for token in analyzer(lowered)]
    if len(stems) != 1 or any((field, stems[0]) in reader for field in SPELLING_FIELDS):
        return None
    corrector = corrector_of(reader, "body")
    for maxdist in (1, 2):
        # Most misspellings keep the first letter; requiring it keeps the lookup fast on large vocabularies.
        candidates = corrector.suggest(stems[0], limit=10, maxdist=maxdist, prefix=1)
        if candidates:
            # Stems hide letters ("cofee" -> "cofe" is one edit from "come" and from "coffe"), so the commonest
            # candidates are compared by how close their printed form is to what was typed.
            common = sorted(candidates, key=lambda stem: -int(reader.doc_frequency("body", stem)))[:CANDIDATES]
            forms = [(surface_form(reader, analyzer, stem, lowered), rank) for rank, stem in enumerate(common)]
            return min(forms, key=lambda pair: (edit_distance(pair[0], lowered), pair[1]))[0]
    return None


def corrector_of(reader: Any, fieldname: str) -> Any:
    """Return the corrector of a field: ours over a Whoosh index of several segments, else the reader's own (Whoosh's
    for one segment; the Solr backend's vocabulary gives its own)."""
    return NewsCorrector(reader, fieldname) if hasattr(reader, "readers") else reader.corrector(fieldname)


class NewsCorrector(Corrector):  # type: ignore[misc]
    """Whoosh's ReaderCorrector (the words within maxdist edits, ranked by distance, then frequency), its words
    found faster in an index of several segments (words_within)."""

    def __init__(self, reader: Any, fieldname: str) -> None:
        self.reader, self.fieldname = reader, fieldname

    def _suggestions(self, text: str, maxdist: int, prefix: int) -> Iterator[tuple[float, str]]:
        for word in words_within(self.reader, self.fieldname, text, maxdist, prefix):
            frequency = self.reader.frequency(self.fieldname, word) or 1
            yield 0 - (maxdist + (1.0 / frequency * 0.5)), word


def words_within(reader: Any, fieldname: str, text: str, maxdist: int, prefix: int) -> Iterator[str]:
    """Yield the words of a field within maxdist edits of a text, sharing its first `prefix` letters: what Whoosh's
    terms_within yields. A reader of one segment is Whoosh's; over several segments, Whoosh merges every segment's
    words with the prefix one at a time (a tenth of a second for a first letter on Reuters), so here they are
    gathered once per reader, prefix and length (`_by_length`), and only the words whose length is within maxdist
    of the text's (Whoosh's optimal string alignment distance is at least the difference) are compared."""
    if getattr(reader, "readers", None) is None:
        yield from reader.terms_within(fieldname, text, maxdist, prefix=prefix)
        return
    lengths = _by_length(reader, fieldname, text[:prefix])
    for size in range(len(text) - maxdist, len(text) + maxdist + 1):
        for word in lengths.get(size, ()):
            if distance(word, text, limit=maxdist) <= maxdist:
                yield word


def _by_length(reader: Any, fieldname: str, start: str) -> dict[int, list[str]]:
    """Return the words of a field that begin with `start` in every segment of a reader, by length (remembered
    while the reader lives)."""
    vocabulary = _VOCABULARIES.setdefault(reader, {})
    key = (fieldname, start)
    if key not in vocabulary:
        fieldobj = reader.schema[fieldname]
        found: set[bytes] = set()
        for leaf in reader.readers:
            if fieldname in leaf.indexed_field_names():
                found.update(leaf.expand_prefix(fieldname, start))
        lengths: dict[int, list[str]] = {}
        for btext in sorted(found):
            word = fieldobj.from_bytes(btext)
            lengths.setdefault(len(word), []).append(word)
        vocabulary[key] = lengths
    return vocabulary[key]


def surface_form(reader: Any, analyzer: Any, stem: str, typed: str) -> str:
    """Return how articles print a stem: of the forms in a few articles, the closest to what was typed."""
    forms: Counter[str] = Counter()
    for docnum in list(reader.postings("body", stem).all_ids())[:SURFACE_SAMPLES]:
        body = reader.stored_fields(docnum).get("body", "")
        for token in analyzer(body, chars=True):
            if token.text == stem:
                forms[body[token.startchar : token.endchar].lower()] += 1
    if not forms:
        return stem
    return min(forms, key=lambda form: (edit_distance(form, typed), -forms[form], form))


def edit_distance(a: str, b: str) -> int:
    """Return the Levenshtein distance between two words."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]

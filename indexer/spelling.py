"""'Did you mean': correct the words of a query that the index does not know, using the words it does.

Whoosh's own correct_query() corrects the stemmed query terms ("econmy" -> "econmi" -> "comi"). Here each plain
word of the query text is checked as typed: a word whose stem is in the index is left alone; another is replaced
by the indexed word within one edit (else two) that most articles contain. Field-scoped words, wildcards,
fuzzy terms and operators are left as they are.
"""

from __future__ import annotations

import re
from typing import Any

SPELLING_FIELDS = ("body", "headline")
# A plain word: not after "field:" or inside a dotted or hyphenated token, not followed by a wildcard or "~".
_WORD = re.compile(r"(?<![\w:.\-'])([^\W\d_]{2,})(?![\w:*?~.'-])")
_OPERATORS = {"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"}


def suggest_query(reader: Any, text: str) -> str | None:
    """Return the query text with unknown words corrected, or None when no word needed a correction."""
    analyzer = reader.schema["body"].analyzer
    changed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(1)
        if word in _OPERATORS:
            return word
        fixed = correct_word(reader, analyzer, word)
        if fixed is None:
            return word
        changed = True
        return fixed

    corrected = _WORD.sub(replace, text)
    return corrected if changed else None


def correct_word(reader: Any, analyzer: Any, word: str) -> str | None:
    """Return the best indexed replacement of a word the index does not know, or None."""
    lowered = word.lower()
    stems = [token.text for token in analyzer(lowered)]
    if len(stems) != 1 or _known(reader, stems[0]):
        return None
    corrector = reader.corrector("body")
    for maxdist in (1, 2):
        # Most misspellings keep the first letter; requiring it keeps the lookup fast on large vocabularies.
        candidates = corrector.suggest(lowered, limit=10, maxdist=maxdist, prefix=1)
        if candidates:
            return str(max(candidates, key=lambda c: (_frequency(reader, analyzer, c), -abs(len(c) - len(word)))))
    return None


def _known(reader: Any, term: str) -> bool:
    return any((field, term) in reader for field in SPELLING_FIELDS)


def _frequency(reader: Any, analyzer: Any, word: str) -> int:
    stems = [token.text for token in analyzer(word)]
    return int(reader.doc_frequency("body", stems[0])) if stems else 0

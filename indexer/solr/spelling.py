"""'Did you mean' on Solr: the Whoosh backend's corrections (indexer/whoosh/spelling.py), asked of the collection.

The same rules pick the same words: what spelling asks of an index reader (is a word indexed, how many articles
hold it, the words within an edit or two, a few articles that print a stem) is answered here by Solr's terms
component and a few stored documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..whoosh.schema import build_schema
from ..whoosh.spelling import edit_distance, suggest_query
from .assembly import PARAMS
from .client import term_counts

if TYPE_CHECKING:
    from .backend import SolrBackend

_FIELDS = ("headline", "body", "author", "topic", "source")


def suggest(backend: SolrBackend, text: str) -> str | None:
    """Return the query text with the words the collection does not know corrected, or None."""
    return suggest_query(_Vocabulary(backend), text)


class _Vocabulary:
    """The part of a Whoosh reader that spelling uses, over a Solr collection."""

    def __init__(self, backend: SolrBackend) -> None:
        self.backend = backend
        self.schema = build_schema()
        self._stored: list[dict[str, Any]] = []

    def indexed_field_names(self) -> tuple[str, ...]:
        return _FIELDS

    def __contains__(self, pair: tuple[str, str]) -> bool:
        return self.doc_frequency(*pair) > 0

    def doc_frequency(self, field: str, word: str) -> int:
        answer = self.backend._get("terms", {"terms.fl": field, "terms.list": word, "terms.limit": -1})
        return int(term_counts(answer, field).get(word, 0))

    def corrector(self, field: str) -> _Corrector:
        return _Corrector(self, field)

    def postings(self, field: str, stem: str) -> _Postings:
        answer = self.backend._select({"query": {"term": {"f": field, "query": stem}}, "limit": 5,
                                       "fields": "id,body", "params": dict(PARAMS)})
        first = len(self._stored)
        self._stored += answer["response"]["docs"]
        return _Postings(list(range(first, len(self._stored))))

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return self._stored[docnum]


class _Corrector:
    def __init__(self, vocabulary: _Vocabulary, field: str) -> None:
        self.vocabulary, self.field = vocabulary, field

    def suggest(self, word: str, limit: int, maxdist: int, prefix: int) -> list[str]:
        """Return up to `limit` indexed words within maxdist edits of word, sharing its first `prefix` letters."""
        answer = self.vocabulary.backend._get("terms", {"terms.fl": self.field, "terms.prefix": word[:prefix],
                                                        "terms.limit": -1, "terms.sort": "index"})
        near = [(edit_distance(word, other), -count, other) for other, count in term_counts(answer, self.field).items()
                if other != word and abs(len(other) - len(word)) <= maxdist]
        return [other for distance, _, other in sorted(near) if distance <= maxdist][:limit]


class _Postings:
    def __init__(self, ids: list[int]) -> None:
        self._ids = ids

    def all_ids(self) -> list[int]:
        return self._ids


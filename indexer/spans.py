"""Where a query matches an article: spans of characters in its headline and body (highlights, concordances).

Every engine finds them with the same function (indexer/whoosh/highlight.py: `query_spans`), over the same
analysis as its index, so what an article page marks and what a keyword-in-context export lists are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import Article

# The article's texts a query's words are found in, in the order their spans are listed.
TEXT_FIELDS = ("headline", "body")


@dataclass(frozen=True)
class Span:
    """One occurrence of a query's word or phrase: characters [start, end) of one of an article's texts."""

    field: str  # "headline" or "body" (TEXT_FIELDS)
    start: int
    end: int

    def text_of(self, article: Article) -> str:
        """Return the occurrence as the article writes it."""
        return str(getattr(article, self.field))[self.start:self.end]

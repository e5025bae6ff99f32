"""Related coverage's key words: Whoosh's Bo1 model over an article's text, with the whole index's statistics."""

from __future__ import annotations

from typing import Any

from whoosh import classify

from ..languages import ENGLISH
from ..records import Article
from ..results import RELATED_MIN_ARTICLES, RELATED_TERMS
from .analysis import marked
from .facets import IndexView
from .schema import SEARCH_FIELDS


def key_words(searcher: Any, view: IndexView, article: Article, languages: bool) -> list[str]:
    """Return an article's key words: Whoosh's Bo1 model (divergence from randomness) over its text, less rare words.

    languages: the index analyses each article in its language, so the text is analysed in the article's.
    """
    reader = searcher.reader()
    least = min(RELATED_MIN_ARTICLES, max(2, reader.doc_count() // 20))
    text = f"{article.headline}\n{article.body}"
    if languages:
        text = marked(article.language or ENGLISH, text)
    # Whoosh's key terms (Searcher.key_terms_from_text), with the index's term statistics from the view.
    expander = classify.Expander(_ViewStats(reader, view), "body", model=classify.Bo1Model)
    expander.add_text(text)
    candidates = expander.expanded_terms(RELATED_TERMS * 5, normalize=False)
    schema = reader.schema
    common = [word for word, _ in candidates
              if max(view.term_stats(field, schema[field].to_bytes(word))[1] for field in SEARCH_FIELDS) >= least]
    return common[:RELATED_TERMS]


class _ViewStats:
    """What Whoosh's key-term expander (whoosh.classify.Expander) asks of an index reader, its terms' statistics
    answered by the index view (IndexView.term_stats)."""

    def __init__(self, reader: Any, view: IndexView) -> None:
        self.reader, self.view, self.schema = reader, view, reader.schema

    def doc_count_all(self) -> int:
        return int(self.reader.doc_count_all())

    def field_length(self, fieldname: str) -> int:
        return int(self.reader.field_length(fieldname))

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self.view.term_stats(*term)[1] > 0

    def frequency(self, fieldname: str, text: bytes) -> float:
        return self.view.term_stats(fieldname, text)[0]

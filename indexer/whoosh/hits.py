"""A search's hits: each document's stored article, snippet and story, remembered for the next pages and searches."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..display import display_headline
from ..languages import ENGLISH
from ..records import Article
from ..results import MAX_COPIES, Hit, StoryCopy, StoryRef
from .analysis import news_parts
from .facets import IndexView, SegmentCache
from .generation import Generation
from .highlight import TextWords, snippet
from .schema import document_to_article


@dataclass(frozen=True)
class StoredHit:
    """A hit's stored article and the words of its snippet's text, remembered for its next pages and searches
    (SegmentCache.hits): reading the article and finding its words were half of an API search's time."""

    article: Article
    words: TextWords | None  # None: an analyzer other than the news analyzer

    @classmethod
    def of(cls, gen: Generation, docnum: int) -> StoredHit:
        """Read a document of a generation and find its text's words."""
        article = document_to_article(gen.searcher.stored_fields(docnum))
        parts = news_parts(gen.analyzer(article.language))
        if parts is None:
            return cls(article, None)
        starts, ends, terms = parts[1].word_terms(parts[0], article.body or article.headline)
        return cls(article, (array("i", starts), array("i", ends), tuple(terms)))

    @property
    def size(self) -> int:
        """Return about how many bytes it holds (its texts, and per word two offsets and a reference)."""
        texts = sum(len(text or "") for text in (self.article.body, self.article.headline, self.article.url))
        return 1024 + 2 * texts + 16 * (len(self.words[2]) if self.words else 0)


def hit_of(gen: Generation, cache: SegmentCache, docnum: int, score: float | None,
           terms: dict[str, frozenset[str]], grouped: bool) -> Hit:
    """Return a document as a hit: its snippet of the words of its own language's query (terms: by language, ""
    for the query over every article), its story, and (grouped) the story's other articles."""
    stored = cache.hits.get((gen.view.segment_ids, docnum), lambda: StoredHit.of(gen, docnum))
    article = stored.article
    matched = terms.get(article.language or ENGLISH, terms[""])
    story, copies = None, None
    if article.story:
        members = gen.members.of(int(gen.view.stories[docnum]))
        story = StoryRef(article.story, len(members), gen.members.outlets(members))
        if grouped:
            copies = tuple(_copy(gen.searcher.stored_fields(int(d))) for d in _by_date(gen.view, members, docnum))
    elif grouped:
        copies = ()
    return Hit(
        id=article.id,
        headline=display_headline(article),
        author=article.author,
        date=article.date,
        topic=article.topic,
        source=article.source,
        url=article.url,
        snippet=snippet(article.body or article.headline, matched, gen.analyzer(article.language), stored.words),
        score=score,
        story=story,
        copies=copies,
        language=article.language,
        people=article.people,
        orgs=article.orgs,
        places=article.places,
    )


def _by_date(view: IndexView, docs: np.ndarray, leave_out: int) -> list[int]:
    """Return the documents but one in date order (undated last), at most MAX_COPIES of them."""
    docs = docs[docs != leave_out]
    dates = view.dates[docs]
    order = np.lexsort((docs, np.where(dates == np.iinfo(np.int64).min, np.iinfo(np.int64).max, dates)))
    return [int(d) for d in docs[order[:MAX_COPIES]]]


def _copy(stored: dict[str, Any]) -> StoryCopy:
    article = document_to_article(stored)
    return StoryCopy(article.id, display_headline(article), article.date, article.source)

"""Related coverage's key words on Solr: an article's words by tf-idf, their document frequencies from the terms
component (the Whoosh backend's Bo1 model needs statistics Solr does not serve; indexer/whoosh/keywords.py)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..languages import ENGLISH
from ..records import Article
from ..results import RELATED_MIN_ARTICLES, RELATED_TERMS
from ..whoosh.analysis import language_analyzer
from ..whoosh.schema import SEARCH_FIELDS
from .client import term_counts

# A request to one of the collection's handlers (its name, its parameters) -> its answer.
Get = Callable[[str, dict[str, Any]], dict[str, Any]]
TERMS_PER_REQUEST = 200


def key_words(article: Article, documents: int, get: Get) -> list[str]:
    """Return an article's key words: its words by tf-idf over the collection's `documents`, less rare words."""
    analyzer = language_analyzer(article.language or ENGLISH)
    counts = Counter(t.text for t in analyzer(f"{article.headline}\n{article.body}"))
    if not counts:
        return []
    documents = max(1, documents)
    least = min(RELATED_MIN_ARTICLES, max(2, documents // 20))
    frequencies = doc_frequencies(list(counts), get)
    scored = [(tf * math.log(documents / frequencies[w]), w) for w, tf in counts.items()
              if frequencies.get(w, 0) >= least]
    return [w for _, w in sorted(scored, reverse=True)[:RELATED_TERMS]]


def doc_frequencies(words: list[str], get: Get) -> dict[str, int]:
    """Return how many articles hold each word in headline or body (the larger of the two fields)."""
    found: dict[str, int] = {}
    for start in range(0, len(words), TERMS_PER_REQUEST):
        chunk = words[start:start + TERMS_PER_REQUEST]
        answer = get("terms", {"terms.fl": list(SEARCH_FIELDS), "terms.list": ",".join(chunk),
                               "terms.limit": -1, "distrib": "true"})
        for field in SEARCH_FIELDS:
            for word, count in term_counts(answer, field).items():
                found[word] = max(found.get(word, 0), count)
    return found

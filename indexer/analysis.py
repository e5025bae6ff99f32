"""Where indexes built by newsarchive 0.1.0 look for their analyzers: an alias of indexer/whoosh/analysis.py.

Whoosh pickles each field's analyzer into the index by import path, and indexes built before the engine moved to
indexer/whoosh/ name the classes and the stem function here (`indexer.analysis.NewsFilter`, ...). Removing this
module, or a name in it, would make those indexes unreadable (tests/test_index_format.py opens one). Nothing in
newsarchive imports it.
"""

from __future__ import annotations

from .whoosh.analysis import (
    AcronymFilter,
    NewsFilter,
    analyze,
    chained_news_analyzer,
    name_analyzer,
    news_analyzer,
    stem,
    value_analyzer,
)

__all__ = ["AcronymFilter", "NewsFilter", "analyze", "chained_news_analyzer", "name_analyzer", "news_analyzer",
           "stem", "value_analyzer"]

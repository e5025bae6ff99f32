"""The index schema, and the conversion between an Article and the document Whoosh stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from whoosh import fields, formats

from ..aliases import Aliases
from ..entities import KINDS, names_of
from ..languages import ENGLISH
from ..names import searched_names
from ..records import Article
from .analysis import VALUE_SEPARATOR, marked, name_analyzer, news_analyzer, value_analyzer
from .codec import NewsPositions

# Bump when the schema or the analysis changes in a way that needs a rebuild (`newsarchive index --rebuild`).
SCHEMA_VERSION = 3  # 2: no separate spelling fields; 3: NewsFilter

# The fields a query searches when it names none (the query parser's default fields).
SEARCH_FIELDS = ("headline", "body")
# Facet name -> the exact-valued field that counts it. Search scopes use the analysed fields of the same name.
FACET_FIELDS = {
    "topic": "topic_exact",
    "author": "author_exact",
    "source": "source_exact",
    "year": "year",
    "month": "month",
    "language": "language",
    **{kind.facet: f"{kind.facet}_exact" for kind in KINDS},
}
# A facet's value for documents without one: articles of indexes built before languages were analysed as English.
FACET_DEFAULTS = {"language": ENGLISH}


# The story id (indexer/stories.py). Indexes made before stories lack it: the backend adds it on first write.
STORY_FIELD = fields.ID(stored=True, sortable=True)
# The article's language code (indexer/languages.py). Indexes made before languages lack it: added on first write.
LANGUAGE_FIELD = fields.ID(stored=True)


def text_field(**kwargs: Any) -> Any:
    """Return Whoosh's TEXT field, with its positions in our codec's format (codec.NewsPositions) when it keeps them."""
    field = fields.TEXT(**kwargs)
    if type(field.format) is formats.Positions:
        field.format = NewsPositions(field_boost=field.format.field_boost)
    return field


def name_fields() -> dict[str, Any]:
    """Return the fields of people, organisations and places (indexer/entities.py), by name: for each kind, its query
    field (`person`: the canonical names and their variants, analysed as names), its facet (`person_exact`: the
    canonical names as they are) and the stored names (`people`). Indexes made before them get them on first write."""
    made: dict[str, Any] = {}
    for kind in KINDS:
        made[kind.facet] = text_field(analyzer=name_analyzer())
        made[f"{kind.facet}_exact"] = fields.TEXT(analyzer=value_analyzer(), phrase=False)
        made[kind.attribute] = fields.STORED()
    return made


def build_schema() -> fields.Schema:
    """Return the schema of a newsarchive index."""
    news, names = news_analyzer(), name_analyzer()
    exact = fields.TEXT(analyzer=value_analyzer(), phrase=False)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        headline=text_field(analyzer=news, stored=True),
        body=text_field(analyzer=news, stored=True),
        author=text_field(analyzer=names, stored=True),
        topic=text_field(analyzer=names, stored=True),
        source=text_field(analyzer=names, stored=True),
        date=fields.DATETIME(stored=True, sortable=True),
        url=fields.ID(stored=True),
        related_headlines=fields.STORED(),
        fingerprint=fields.STORED(),
        author_exact=exact,
        topic_exact=exact,
        source_exact=exact,
        year=fields.ID(),
        month=fields.ID(),
        story=STORY_FIELD,
        language=LANGUAGE_FIELD,
        **name_fields(),
    )


def article_to_document(article: Article, languages: bool = True, aliases: Aliases | None = None) -> dict[str, Any]:
    """Return the keyword arguments that add an article to a Whoosh writer.

    languages: the index's analyzer reads language markers (analysis.language_aware), so headline and body are
    indexed marked with the article's language and stored as given; an index built before languages gets them as
    they are (analysed as English, as all its articles were). aliases: the variants of names (None: the alias file
    in effect).
    """
    doc: dict[str, Any] = {
        "id": article.id,
        "headline": article.headline,
        "body": article.body,
        "url": article.url,
        "related_headlines": list(article.related_headlines),
        "fingerprint": article.fingerprint,
    }
    if article.story:
        doc["story"] = article.story
    language = article.language or ENGLISH
    doc["language"] = language
    if languages:
        for name in ("headline", "body"):
            text = doc[name]
            doc[name], doc[f"_stored_{name}"] = marked(language, text), text
    # Multi-valued fields are indexed as one text and stored as the list, so they come back as given.
    for name in ("author", "topic"):
        values = getattr(article, name)
        if values:
            doc[name] = "\n".join(values)
            doc[f"_stored_{name}"] = list(values)
            doc[f"{name}_exact"] = VALUE_SEPARATOR.join(values)
    for kind in KINDS:
        names = names_of(article, kind)
        if names:
            doc[kind.facet] = "\n".join(searched_names(kind, names, aliases))
            doc[f"{kind.facet}_exact"] = VALUE_SEPARATOR.join(names)
            doc[kind.attribute] = list(names)
    if article.source:
        doc["source"] = article.source
        doc["source_exact"] = article.source
    if article.date is not None:
        doc["date"] = article.date
        doc["year"] = f"{article.date.year:04d}"
        doc["month"] = f"{article.date.year:04d}-{article.date.month:02d}"
    return doc


def document_to_article(stored: dict[str, Any]) -> Article:
    """Return the Article of a stored document."""
    date = stored.get("date")
    return Article(
        id=stored["id"],
        headline=stored.get("headline", ""),
        body=stored.get("body", ""),
        author=_as_tuple(stored.get("author")),
        date=date if isinstance(date, datetime) else None,
        topic=_as_tuple(stored.get("topic")),
        source=stored.get("source", ""),
        url=stored.get("url", ""),
        related_headlines=_as_tuple(stored.get("related_headlines")),
        language=stored.get("language", ""),
        people=_as_tuple(stored.get("people")),
        orgs=_as_tuple(stored.get("orgs")),
        places=_as_tuple(stored.get("places")),
        story=stored.get("story", ""),
    ).stored_as(stored.get("fingerprint"))


def _as_tuple(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


class StoredArticles(Iterator[Article]):
    """Articles read as they are asked for, from a searcher of their own, closed at the end or by close(): even
    before the first article (a generator's finally would not run then), or when dropped unfinished."""

    def __init__(self, searcher: Any, docnums: list[int]) -> None:
        self._searcher: Any = searcher
        self._docnums = iter(docnums)

    def __next__(self) -> Article:
        docnum = next(self._docnums, None) if self._searcher is not None else None
        if docnum is None:
            self.close()
            raise StopIteration
        return document_to_article(self._searcher.stored_fields(docnum))

    def close(self) -> None:
        """Close the searcher (once)."""
        searcher, self._searcher = self._searcher, None
        if searcher is not None:
            searcher.close()

    def __del__(self) -> None:
        self.close()

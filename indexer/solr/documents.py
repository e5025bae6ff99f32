"""The conversion between an Article and the JSON document Solr indexes, its text analysed here, in Python.

Headline, body, author, topic, source, person, org and place are Solr PreAnalyzedFields: each value is sent as the
JSON string that Solr's JsonPreAnalyzedParser reads,
`{"v":"1","str":TEXT,"tokens":[{"t":TERM,"s":START,"e":END,"i":POSINCR}]}`, made by the Whoosh analyzers
(indexer/whoosh/analysis.py), so both engines index the same terms at the same positions. Offsets are in UTF-16
code units, as Java counts them. Solr drops a field whose JSON it cannot parse (with only a log line), so this
module is the one place that writes it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..aliases import Aliases
from ..entities import KINDS, names_of
from ..languages import ENGLISH
from ..names import searched_names
from ..records import Article
from ..suggest import WORDS_FIELD

PREANALYZED_VERSION = "1"  # JsonPreAnalyzedParser.VERSION in Solr 9
# The story of an article without a story id: this and its own id (the collection is routed by story, which every
# document must have). Story ids from indexer/stories.py never start with it.
NO_STORY = "~"
NEWS_FIELDS = ("headline", "body")
NAME_FIELDS = ("author", "topic", "source", *(kind.facet for kind in KINDS))

# One names analyzer per process (the news analyzers are per language: analysis.language_analyzer). NewsFilter
# keeps a stem cache.
_ANALYZERS: dict[str, Any] = {}


def preanalyzed_words(text: str) -> str:
    """Return autocomplete's `words` of a text as a pre-analysed JSON value: the terms only, nothing stored."""
    from ..whoosh.wordforms import word_forms  # imported here, as in _analyzer

    value = {"v": PREANALYZED_VERSION, "tokens": [{"t": term} for term in sorted(word_forms(text))]}
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _analyzer(kind: str, language: str) -> Any:
    # Imported here, not at the top: reading documents back (solr_to_article) needs neither Whoosh nor NLTK, and
    # tests/test_architecture.py counts indexer/solr as neutral core until "solr" is in indexer.backend.BACKENDS.
    from ..whoosh.analysis import language_analyzer, name_analyzer

    if kind == "news":
        return language_analyzer(language)
    if kind not in _ANALYZERS:
        _ANALYZERS[kind] = name_analyzer()
    return _ANALYZERS[kind]


def preanalyzed(text: str, kind: str = "news", language: str = ENGLISH) -> str:
    """Return a text's pre-analysed JSON value: the text to store and its tokens ("news" analysis in the text's
    language, or "names" analysis)."""
    tokens: list[dict[str, Any]] = []
    wide = not all(ord(char) < 0x10000 for char in text)  # Java offsets count UTF-16 units
    previous = -1
    for token in _analyzer(kind, language)(text, positions=True, chars=True):
        start, end = token.startchar, token.endchar
        if wide:
            start, end = _utf16_offset(text, start), _utf16_offset(text, end)
        # Whoosh renumbers positions over dropped stop words, so every increment is 1, as in the Whoosh index.
        tokens.append({"t": token.text, "s": start, "e": end, "i": token.pos - previous})
        previous = token.pos
    value = {"v": PREANALYZED_VERSION, "str": text, "tokens": tokens}
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _utf16_offset(text: str, index: int) -> int:
    return index + sum(1 for char in text[:index] if ord(char) >= 0x10000)


def solr_date(value: datetime) -> str:
    """Return a naive (wall-clock) datetime as Solr's UTC form, milliseconds kept when there are any."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    text = value.strftime("%Y-%m-%dT%H:%M:%S") if value.year >= 1000 else f"{value.year:04d}" + value.strftime(
        "-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text + "Z"


def parse_solr_date(text: str) -> datetime:
    """Return a date Solr gave back ("2020-01-15T09:00:00Z") as the naive datetime it was sent as."""
    return datetime.fromisoformat(text).replace(tzinfo=None)


def article_to_solr(article: Article, aliases: Aliases | None = None) -> dict[str, Any]:
    """Return the JSON update document of an article (the fields of the configset's schema.xml); aliases: the
    variants of its names (None: the alias file in effect)."""
    language = article.language or ENGLISH  # an article of an index built before languages was analysed as English
    doc: dict[str, Any] = {"id": article.id, "fingerprint": article.fingerprint,
                           "story": article.story or NO_STORY + article.id, "language": language}
    for name in NEWS_FIELDS:
        text = getattr(article, name)
        if text:
            doc[name] = preanalyzed(text, "news", language)
    doc[WORDS_FIELD] = preanalyzed_words(f"{article.headline}\n{article.body}")
    for name in ("author", "topic"):
        values = getattr(article, name)
        if values:
            doc[name] = [preanalyzed(value, "names") for value in values]
            doc[f"{name}_exact"] = list(values)
    for kind in KINDS:
        names = names_of(article, kind)
        if names:
            doc[kind.facet] = [preanalyzed(name, "names") for name in searched_names(kind, names, aliases)]
            doc[f"{kind.facet}_exact"] = list(names)
            doc[kind.attribute] = list(names)
    if article.source:
        doc["source"] = preanalyzed(article.source, "names")
        doc["source_exact"] = article.source
    if article.date is not None:
        date = article.date
        doc["date"] = solr_date(date)
        doc["year"] = f"{date.year:04d}"
        doc["month"] = f"{date.year:04d}-{date.month:02d}"
        doc["day"] = f"{date.year:04d}-{date.month:02d}-{date.day:02d}"
    if article.url:
        doc["url"] = article.url
    if article.related_headlines:
        doc["related_headlines"] = list(article.related_headlines)
    return doc


def solr_to_article(doc: dict[str, Any]) -> Article:
    """Return the Article of a document's stored fields, as the Whoosh backend gives it back."""
    date = doc.get("date")
    return Article(
        id=str(doc["id"]),
        headline=str(doc.get("headline", "")),
        body=str(doc.get("body", "")),
        author=_as_tuple(doc.get("author")),
        date=parse_solr_date(date) if isinstance(date, str) else None,
        topic=_as_tuple(doc.get("topic")),
        source=str(doc.get("source", "")),
        url=str(doc.get("url", "")),
        related_headlines=_as_tuple(doc.get("related_headlines")),
        language=str(doc.get("language", "")),
        people=_as_tuple(doc.get("people")),
        orgs=_as_tuple(doc.get("orgs")),
        places=_as_tuple(doc.get("places")),
        story=story_id(doc.get("story")),
    ).stored_as(doc.get("fingerprint"))


def story_id(value: Any) -> str:
    """Return the story id a document's story field holds ("" for an article without one)."""
    text = str(value or "")
    return "" if text.startswith(NO_STORY) else text


def _as_tuple(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(item) for item in value)

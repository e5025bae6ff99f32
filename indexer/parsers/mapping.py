"""One record of named fields (a JSON object, a CSV row) to an Article, whatever the common field names.

Field names match case-insensitively and without "_", "-" or spaces ("publishedAt" = "published_at"). When a
record has several names for one field, the first one below with a value wins ("topic" before "tags").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache

from ..dates import EARLIEST_YEAR, LATEST_YEAR
from ..languages import normalise_language
from ..records import Article, Notice, Skipped, clean_values, make_id
from .text import MAX_DATE_CHARS, first_words, read_date, split_names, tidy_line, tidy_paragraphs

HEADLINE_KEYS = ("headline", "title", "name")
BODY_KEYS = ("body", "text", "content", "articlebody", "article", "description", "summary")
AUTHOR_KEYS = ("author", "authors", "byline", "creator", "writer")
DATE_KEYS = ("date", "published", "pubdate", "publishedat", "datepublished", "created", "timestamp")
TOPIC_KEYS = ("topic", "topics", "section", "category", "categories", "tags", "keywords")
URL_KEYS = ("url", "link", "href", "permalink")
ID_KEYS = ("id", "guid", "_id", "uuid", "articleid")
SOURCE_KEYS = ("source", "publisher", "site", "outlet", "publication")
LANGUAGE_KEYS = ("language", "lang", "inlanguage", "locale")
# The people, organisations and places a record names (a list, or a string of names separated by ";").
PEOPLE_KEYS = ("people", "persons", "person")
ORG_KEYS = ("organizations", "organisations", "orgs", "organization", "organisation", "org")
PLACE_KEYS = ("places", "locations", "place", "location")

# Nested values name their text under one of these (JSON-LD "name", NYT "main", Atom "href", Mongo "$oid").
_TEXT_KEYS = ("name", "main", "value", "text", "href", "url", "$oid", "$date", "#text", "label", "term")
_SEPARATOR = re.compile(r"(?<=\w)[_\- ]+")
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")
_TOPIC_SEPARATORS = re.compile(r"[,;]")
# Epoch numbers above this are milliseconds (JavaScript's Date.now()), not seconds.
_MILLISECONDS_FROM = 10**11
# Text is looked for this deep in nested objects and lists; deeper, a value has none. JSON nested almost as deep as
# json.loads allows would otherwise exhaust Python's recursion limit here (jsonlines.py refuses such records).
MAX_NESTING = 64

Result = tuple[Article | Skipped, list[Notice]]


@lru_cache(maxsize=4096)  # a file's records repeat their field names
def normalise_key(key: str) -> str:
    """Fold a field name for matching: lower case, no "_", "-" or spaces inside ("pub_date" -> "pubdate")."""
    return _SEPARATOR.sub("", key.strip().lower())


def article_from_mapping(record: object, path: str, where: str, default_source: str) -> Result:
    """Build an Article from one record, or a Skipped saying why not; notices list the fields left out."""
    if not isinstance(record, Mapping):
        return Skipped(path, where, f"not an object but {kind_of(record)}"), []
    values, plan = _fields(record)
    headline = tidy_line(text_of(_first(values, plan["headline"])))
    body = tidy_paragraphs(_body_text(_first(values, plan["body"])))
    if not headline and not body:
        found = ", ".join(str(key) for key in record) or "none"
        return Skipped(path, where, f"no headline or body (fields found: {found})"), []
    notices: list[Notice] = []
    date = _date(_first(values, plan["date"]), path, where, notices)
    url = tidy_line(text_of(_first(values, plan["url"])))
    source = tidy_line(text_of(_first(values, plan["source"]))) or default_source
    # A record without a headline is indexed without one (invented words would be counted twice in ranking);
    # results show its first words instead. The id is made as before, from those first words.
    article = Article(
        id=make_id(text_of(_first(values, plan["id"])), url, source, headline or first_words(body), date),
        headline=headline,
        body=body,
        author=authors_of(_first(values, plan["author"])),
        date=date,
        topic=topics_of(_first(values, plan["topic"])),
        source=source,
        url=url,
        language=normalise_language(text_of(_first(values, plan["language"]))),
        people=names_of(_first(values, plan["people"])),
        orgs=names_of(_first(values, plan["orgs"])),
        places=names_of(_first(values, plan["places"])),
    )
    return article, notices


# The names each field is found under, in the order they win.
_FIELD_KEYS = {
    "headline": HEADLINE_KEYS, "body": BODY_KEYS, "author": AUTHOR_KEYS, "date": DATE_KEYS, "topic": TOPIC_KEYS,
    "url": URL_KEYS, "id": ID_KEYS, "source": SOURCE_KEYS, "language": LANGUAGE_KEYS, "people": PEOPLE_KEYS,
    "orgs": ORG_KEYS, "places": PLACE_KEYS,
}
_TEXT_TYPE = frozenset((str,))
# Where a record's values answer each field of _FIELD_KEYS: the positions of its names' values, in the order they win.
_Plan = dict[str, tuple[int, ...]]


def _fields(record: Mapping[object, object]) -> tuple[tuple[object, ...], _Plan]:
    """A record's values and the plan of which of them answer each field."""
    keys = tuple(record)
    # The records of a file repeat their field names: the plan is made once for them. Only for keys that are all
    # str: equal keys of other types can fold apart (1 == 1.0 == True, whose str() differ).
    if type(record) is dict and _TEXT_TYPE.issuperset(map(type, keys)):
        return tuple(record.values()), _plan_of_keys(keys)
    folded = _fold_keys(record)
    return tuple(folded.values()), _plan(folded)


@lru_cache(maxsize=1024)  # bounded: the records of some files each have their own field names
def _plan_of_keys(keys: tuple[str, ...]) -> _Plan:
    return _plan(map(normalise_key, keys))


def _plan(names: Iterable[str]) -> _Plan:
    """The plan for values with these folded names, in their order."""
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        positions.setdefault(name, position)  # the first spelling of a name wins, as in the file
    return {field: tuple(positions[key] for key in keys if key in positions) for field, keys in _FIELD_KEYS.items()}


def _fold_keys(record: Mapping[object, object]) -> dict[str, object]:
    folded: dict[str, object] = {}
    for key, value in record.items():
        folded.setdefault(normalise_key(str(key)), value)  # the first spelling of a name wins, as in the file
    return folded


def _first(values: tuple[object, ...], positions: tuple[int, ...]) -> object:
    """The first value at these positions that is not empty (None, blank text, [] or {}), else None."""
    for position in positions:
        value = values[position]
        empty = not value or value.isspace() if isinstance(value, str) else value in (None, [], {})
        if not empty:
            return value
    return None


def kind_of(value: object) -> str:
    """Name the kind of a JSON-like value for messages: "a list", "a string", "a number", "null"."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def text_of(value: object, depth: int = 0) -> str:
    """Text of a scalar, of an object's name-like field, or of a list's first text (none past MAX_NESTING)."""
    if type(value) is str:  # most values: tested first
        return value.strip() if depth <= MAX_NESTING else ""
    if value is None or isinstance(value, bool) or depth > MAX_NESTING:
        return ""
    if isinstance(value, Mapping):
        for key in _TEXT_KEYS:
            if key in value:
                return text_of(value[key], depth + 1)
        return ""
    if isinstance(value, list):
        return next((text for text in (text_of(item, depth + 1) for item in value) if text), "")
    return str(value).strip()


def _body_text(value: object) -> str:
    if isinstance(value, list):  # scrapers often store a body as its list of paragraphs
        return "\n\n".join(text_of(item) for item in value)
    return text_of(value)


def authors_of(value: object) -> tuple[str, ...]:
    """Names in an author value: a byline ("By A and B"), a list of them, or objects with a name."""
    if value is None:  # a record without one (split_names would find none in "")
        return ()
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        names.extend(split_names(text_of(item)))
    return clean_values(names)


def topics_of(value: object) -> tuple[str, ...]:
    """Topics in a topic value: a list, or a string split on "," and ";"."""
    items = value if isinstance(value, list) else [value]
    topics: list[str] = []
    for item in items:
        text = text_of(item)
        if "," in text or ";" in text:  # most topics are one word: no expression to run
            topics.extend(_TOPIC_SEPARATORS.split(text))
        else:
            topics.append(text)
    return clean_values(topics)


def names_of(value: object) -> tuple[str, ...]:
    """Names in a people, organisations or places value: a list (of names, or objects with a name), or a string
    split on ";" (not on ",": "Volcker, Paul" is one name)."""
    if value is None:
        return ()
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        names.extend(text_of(item).split(";"))
    return clean_values(names)


def _date(value: object, path: str, where: str, notices: list[Notice]) -> datetime | None:
    """Parse a date value (text or Unix epoch); an impossible one becomes a notice and None."""
    if value is None:  # a record without one
        return None
    if type(value) is not str and isinstance(value, Mapping):  # (the test of a Mapping is slow: text is none)
        value = text_of(value)
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _from_epoch(float(value))
        text = text_of(value)
        if _EPOCH.match(text):
            return _from_epoch(float(text))
        return read_date(text)
    except (ValueError, OverflowError, OSError) as err:
        notices.append(Notice(path, where, f"date left out: {_date_problem(value, err)}"))
        return None


def _from_epoch(seconds: float) -> datetime:
    if seconds >= _MILLISECONDS_FROM:
        seconds /= 1000
    # Epoch numbers count from UTC; like parse_date, keep the wall-clock time without a zone.
    value = datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:  # the range parse_date keeps to for dates in text
        raise ValueError(f"date out of range: {value.isoformat()}")
    return value


def _date_problem(value: object, err: Exception) -> str:
    message, text = str(err), text_of(value)
    return message if len(text) > MAX_DATE_CHARS or repr(text) in message else f"{text!r}: {message}"

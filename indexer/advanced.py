"""The advanced search form, engine-neutral: its fields declared once, the ordinary search a filled-in form asks for
(query text in newsarchive's query language, docs/search.md, and the filters), and a search read back into it.

What is typed into a word box is words, never syntax: a chunk (a word, or words in double quotes) that is one plain
word of the analysis (indexer/words.py) and no operator is written as it is; any other chunk ("re:invent", "-opec",
"OR", "NEAR/3", "storm*") is written as a quoted phrase, which the query language reads as the words of its text,
next to each other, as it reads the same characters in an article. Quotes inside a phrase are spaces; a chunk with
no word in it ("*", "-") asks for nothing and is left out. Only the query box (`q`) is syntax, as on the search page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from .entities import KINDS
from .errors import QueryError
from .request import (
    DEFAULT_NEAR_DISTANCE,
    EVERYTHING,
    FIELD_ALIASES,
    MAX_NEAR_DISTANCE,
    MAX_QUERY_LENGTH,
    Search,
    check_search,
    checked_query_text,
    date_range,
    parse_params,
    whole_number,
)
from .words import STOP_WORDS, TOKEN_PATTERN

# Where the words are looked for: "any" is where a query looks when it names no field (the headline or the body).
SCOPES = ("any", "headline", "body", "author", "topic", "source", *(kind.facet for kind in KINDS))
# Scopes whose words are stemmed and stop-listed; names (author, topic, source, person, org, place) keep every word.
_TEXT_SCOPES = ("any", "headline", "body")
# Words the query language reads as operators when written in capitals (Whoosh's operators and NEAR; TO in ranges).
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "NEAR", "TO"})
_TOKEN = re.compile(TOKEN_PATTERN)
_CHUNK = re.compile(r'"([^"]*)"?|([^\s"]+)')  # words in quotes (to the end if unclosed), or a run of non-spaces


class EmptyFormError(QueryError):
    """A form sent with nothing to search for: no words, no date, no facet value."""


@dataclass(frozen=True)
class FormField:
    """One field of the form: its name in query strings, the Words attribute it sets, its label and its hint."""

    name: str
    attribute: str
    label: str
    hint: str


@dataclass(frozen=True)
class Words:
    """What the form asks for in words: each box as typed, the NEAR distance, where to look, and the query box."""

    all_words: str = ""
    exact_phrase: str = ""
    any_words: str = ""
    none_words: str = ""
    near_words: str = ""
    within: int = DEFAULT_NEAR_DISTANCE
    scope: str = "any"
    query: str = ""  # in the query language, as typed on the search page (the `q` parameter)


# The form's own fields, declared once: the page, the query-string parsing and the API document derive from these.
# The rest of the form are the search parameters of indexer.request.PARAMS, by their names (q, topic, from, sort...).
FORM_FIELDS = (
    FormField("all", "all_words", "All these words", "each must appear: oil prices"),
    FormField("exact", "exact_phrase", "This exact phrase", "these words in this order: interest rates"),
    FormField("any", "any_words", "Any of these words", "at least one of them: opec cartel"),
    FormField("none", "none_words", "None of these words", "none may appear: gas"),
    FormField("near", "near_words", "These words near each other", "two or more, within the distance below: "
                                                                   "oil prices"),
    FormField("within", "within", "Within this many words", f"1 (next to each other) to {MAX_NEAR_DISTANCE:,}"),
    FormField("field", "scope", "Look for the words in", "where the boxes above look (the query box names its own "
                                                         "fields)"),
)
_BY_NAME = {f.name: f for f in FORM_FIELDS}


def submitted(names: Callable[[str], bool]) -> bool:
    """Return whether a query string is the form sent (it has the form's own fields), not a search to prefill it."""
    return any(names(f.name) for f in FORM_FIELDS)


def read_form(getlist: Callable[[str], list[str]]) -> tuple[Words, Search]:
    """Return the words and the filters (the search parameters, indexer.request.PARAMS) of a sent form, or raise
    QueryError naming the field to change."""
    typed: dict[str, str] = {}
    for f in FORM_FIELDS:
        values = getlist(f.name)
        if len(values) > 1:
            raise QueryError(f"{f.name} was given {len(values)} times: give it once")
        typed[f.attribute] = values[0] if values else ""
        if len(typed[f.attribute]) > MAX_QUERY_LENGTH:
            raise QueryError(f"“{f.label}” is too long (the limit is {MAX_QUERY_LENGTH} characters)")
    filters, _ = parse_params(getlist, page=True)
    check_search(filters)
    if len(filters.query) > MAX_QUERY_LENGTH:  # as for the boxes: longer than the form's field lets anyone type
        raise QueryError(f"the query is too long ({len(filters.query):,} characters; the limit is "
                         f"{MAX_QUERY_LENGTH:,})")
    within = typed.pop("within").strip()
    distance = whole_number("within", within) if within else DEFAULT_NEAR_DISTANCE
    if not 1 <= distance <= MAX_NEAR_DISTANCE:
        raise QueryError(f"“{_BY_NAME['within'].label}” must be from 1 to {MAX_NEAR_DISTANCE:,}")
    scope = typed.pop("scope").strip() or "any"
    if scope not in SCOPES:
        raise QueryError(f"unknown field {scope!r}: choose one of {', '.join(SCOPES)}")
    return Words(**typed, within=distance, scope=scope, query=filters.query), filters


def build_query(words: Words) -> str:
    """Return the query text the words ask for ("" for none), or raise QueryError for what it cannot say."""
    field = "" if words.scope == "any" else f"{words.scope}:"
    raw = words.query.strip()
    parts = [raw] if raw not in EVERYTHING else []
    parts += [field + chunk for chunk in chunks(words.all_words)]
    exact = phrase(words.exact_phrase)
    if exact:
        parts.append(field + exact)
    alternatives = [field + chunk for chunk in chunks(words.any_words)]
    if alternatives:
        parts.append(alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})")
    near = chunks(words.near_words)
    if len(near) == 1:
        raise QueryError(f"“{_BY_NAME['near'].label}” needs two different words or more (or move "
                         f"{near[0]} to “{_BY_NAME['all'].label}”)")
    if near:
        _check_near_sides(near, words.scope)
        parts.append(f" NEAR/{words.within} ".join(field + chunk for chunk in near))
    parts += [f"-{field}{chunk}" for chunk in chunks(words.none_words)]
    parts = list(dict.fromkeys(parts))  # a part twice (a word in two boxes) asks for nothing more
    if raw and len(parts) > 1:
        parts[0] = f"({raw})"  # the query box's own operators (OR) then stay within it
    return " ".join(parts)


def built_search(words: Words, filters: Search) -> Search:
    """Return the ordinary search of a sent form: its query text with the filters (every word required: "any" is a box
    of the form), or raise QueryError: the query cannot be run, or the form asks for nothing at all."""
    text = build_query(words)
    checked_query_text(text)  # the query language's own checks (its length, fields, dates, operators)
    date_range(filters.date_from, filters.date_to)  # from after to: an empty range
    search = replace(filters, query=text, match="all")
    if not text and not (search.selections() or search.date_from or search.date_to or search.story):
        raise EmptyFormError("the form asks for nothing: fill in some words, or choose a date or a topic, author "
                             "or source")
    return search


def chunks(text: str) -> list[str]:
    """Return the words of a box as the query language must be written to mean them: plain words as they are, others
    (and words in quotes) as quoted phrases; once each, without the chunks that hold no word."""
    found = []
    for quoted, bare in _CHUNK.findall(text):
        chunk = " ".join((quoted or bare).split())
        if not _TOKEN.search(chunk):
            continue
        found.append(chunk if is_plain(chunk) else f'"{chunk}"')
    return list(dict.fromkeys(found))


def phrase(text: str) -> str:
    """Return the text as one quoted phrase (its quotes as spaces; one plain word as it is), or "" without a word."""
    words = " ".join(text.replace('"', " ").split())
    if not _TOKEN.search(words):
        return ""
    return words if is_plain(words) else f'"{words}"'


def is_plain(chunk: str) -> bool:
    """Return whether a chunk is one word of the analysis that the query language reads as that word."""
    return bool(_TOKEN.fullmatch(chunk)) and chunk not in OPERATORS


def _check_near_sides(near: list[str], scope: str) -> None:
    """Raise QueryError for a side of NEAR made only of words not indexed (in the stemmed fields), naming it."""
    if scope not in _TEXT_SCOPES:
        return
    for chunk in near:
        if all(word.lower() in STOP_WORDS for word in _TOKEN.findall(chunk)):
            raise QueryError(f"{chunk} is too common to be indexed, so nothing is near it: choose another word for "
                             f"“{_BY_NAME['near'].label}”")


# --- A search read back into the form (the results page's "Advanced search" link).

_ELEMENT = re.compile(r'\s*(?:(?P<bracket>[()])|(?P<atom>-?(?:\w+:)?(?:"[^"]*"|[^\s"()]+)))')
_NEAR_OPERATOR = re.compile(r"NEAR(?:/([0-9]{1,9}))?")
_SCOPED = re.compile(r'(?:(\w+):)?(.*)', re.S)
_FIELD_NAMES = {**{name: name for name in SCOPES}, **{a: name for name, aliases in FIELD_ALIASES.items()
                                                      for a in aliases if name in SCOPES}}


def form_of(search: Search) -> Words:
    """Return the form filled in with a search's query: in its boxes when the form can say it (what the form builds,
    and plain queries), else as it is in the query box."""
    text = search.query.strip()
    read = _read_back(text) if text not in EVERYTHING else Words()
    if read is not None and search.match == "any":
        only_words = read == Words(all_words=read.all_words, scope=read.scope)
        read = Words(any_words=read.all_words, scope=read.scope) if only_words else None
    return read if read is not None else Words(query=text if text not in EVERYTHING else "")


def _read_back(text: str) -> Words | None:
    """Return the boxes that build the text's meaning, or None when it holds what they cannot say."""
    elements = _elements(text)
    if elements is None:
        return None
    boxes: dict[str, list[str]] = {"all": [], "any": [], "none": [], "near": []}
    exact, within, fields = "", DEFAULT_NEAR_DISTANCE, set()
    i = 0
    while i < len(elements):
        element = elements[i]
        if element == "(":
            group, i = _group(elements, i)
            if group is None or boxes["any"]:
                return None
            boxes["any"], scopes = group
        elif element.startswith("-"):
            scopes, value = _atom(element[1:])
            boxes["none"].append(value)
            i += 1
        else:
            chain, distance, i = _chain(elements, i)
            if chain is None or (len(chain) > 1 and boxes["near"]):
                return None
            scopes = {s for s, _ in chain}
            values = [v for _, v in chain]
            if len(chain) > 1:
                boxes["near"], within = values, distance
            else:
                boxes["all"].append(values[0])
        fields |= scopes
        if None in fields or len(fields) > 1:
            return None
    if boxes["all"] and " " in boxes["all"][-1]:  # a phrase last among the words: the form's exact phrase
        exact = boxes["all"].pop().strip('"')
    return Words(all_words=" ".join(boxes["all"]), exact_phrase=exact, any_words=" ".join(boxes["any"]),
                 none_words=" ".join(boxes["none"]), near_words=" ".join(boxes["near"]), within=within,
                 scope=next((f for f in fields if f), "any"))


def _elements(text: str) -> list[str] | None:
    """Return the brackets and atoms of the text, or None where it holds something else (an unclosed quote)."""
    found, position = [], 0
    while text[position:].strip():
        match = _ELEMENT.match(text, position)
        if not match:
            return None
        found.append(match.group("bracket") or match.group("atom"))
        position = match.end()
    return found


def _atom(element: str) -> tuple[set[str | None], str]:
    """Return the field of an atom (None: one the form cannot choose) and its value as a box holds it."""
    name, value = _SCOPED.fullmatch(element).groups()  # type: ignore[union-attr]
    scope = _FIELD_NAMES.get(name) if name else "any"
    if value.startswith('"'):
        inner = value.strip('"')
        return {scope}, inner if is_plain(inner) else f'"{inner}"'
    return ({scope} if is_plain(value) else {None}), value


def _group(elements: list[str], i: int) -> tuple[tuple[list[str], set[str | None]] | None, int]:
    """Return the alternatives of a group `(a OR b ...)` starting at i and their fields, and the position after it."""
    if ")" not in elements[i:]:
        return None, len(elements)
    end = elements.index(")", i)
    inner = elements[i + 1 : end]
    words, operators = inner[0::2], inner[1::2]
    if len(words) < 2 or len(inner) % 2 == 0 or any(o != "OR" for o in operators):
        return None, end + 1
    scopes: set[str | None] = set()
    values = []
    for word in words:
        if word in ("(", ")") or word.startswith("-") or word in OPERATORS or _NEAR_OPERATOR.fullmatch(word):
            return None, end + 1
        found, value = _atom(word)
        scopes |= found
        values.append(value)
    return (values, scopes), end + 1


def _chain(elements: list[str], i: int) -> tuple[list[tuple[str | None, str]] | None, int, int]:
    """Return the atoms of `a` or `a NEAR/n b NEAR/n c ...` starting at i (None: not one), n, and the next position."""
    chain: list[tuple[str | None, str]] = []
    distance = None
    while True:
        element = elements[i] if i < len(elements) else ""
        if element in ("", "(", ")") or element.startswith("-") or element in OPERATORS:
            return None, DEFAULT_NEAR_DISTANCE, i
        (scope,), value = _atom(element)
        chain.append((scope, value))
        operator = _NEAR_OPERATOR.fullmatch(elements[i + 1]) if i + 1 < len(elements) else None
        if not operator:
            return chain, distance or DEFAULT_NEAR_DISTANCE, i + 1
        n = int(operator.group(1) or DEFAULT_NEAR_DISTANCE)
        if distance not in (None, n):
            return None, DEFAULT_NEAR_DISTANCE, i
        distance, i = n, i + 2

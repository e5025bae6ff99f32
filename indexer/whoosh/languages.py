"""Queries analysed in the languages searched, for both engines (Solr translates the result).

Each article's words were stemmed in its own language (analysis.py), so a query is parsed once per language
searched, its words analysed as that language analyses them, and each article is matched by the query of its
language: Or(Require(query in French, language fr), Require(query in English, language en), ...). Languages whose
queries come out the same share one (most names and numbers are the same in every language), and one query for
every language needs no language clause at all. The languages searched are those of the `language` filter, else
every language in the index; an index built before languages, or holding English alone, is searched exactly as
before (its own parser, no clause). Synonyms (synonyms.py) expand each language's query with names analysed in
that language, and highlights use the query and the analysis of the hit's own language.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from ..errors import QueryError
from ..languages import ENGLISH
from .analysis import language_analyzer
from .query import make_parser, parse_query
from .schema import SEARCH_FIELDS
from .synonyms import QuerySynonyms


def language_schema(schema: Any, language: str) -> Any:
    """Return a copy of a schema whose searched text fields analyse query text in one language."""
    copied = schema.copy()
    for name in SEARCH_FIELDS:
        text_field = copy.copy(schema[name])
        text_field.analyzer = language_analyzer(language)
        copied._fields[name] = text_field
    return copied


class LanguageParsers:
    """The query parsers of one index schema, by word matching ("all", "any") and language, made on first use."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self._parsers: dict[tuple[str, str], Any] = {}

    def parser(self, match: str, language: str = ENGLISH) -> Any:
        """Return the parser of a language (English: the index's own schema, whose analysis is English unmarked)."""
        key = (match, language)
        if key not in self._parsers:
            schema = self.schema if language == ENGLISH else language_schema(self.schema, language)
            self._parsers[key] = make_parser(schema, match)
        return self._parsers[key]


@dataclass(frozen=True)
class LanguageQuery:
    """A query as searched: one query over every article, and the query each language's articles matched."""

    query: Any  # None: every article
    by_language: dict[str, Any] = field(default_factory=dict)
    also_searched: tuple[str, ...] = ()  # the synonyms added, in any language

    def of(self, language: str) -> Any:
        """Return the query an article of this language is matched by (its highlights' query)."""
        return self.by_language.get(language or ENGLISH, self.query)


def searched_languages(present: Iterable[str], chosen: Iterable[str]) -> tuple[str, ...]:
    """Return the languages a search analyses its query in: those chosen that the index has, else all it has;
    none when that is English alone (the query is parsed as before languages)."""
    have = set(present)
    wanted = set(chosen) & have or have
    return () if wanted <= {ENGLISH} else tuple(sorted(wanted))


def analysed_query(parsers: LanguageParsers, text: str, match: str, languages: tuple[str, ...],
                   synonyms: QuerySynonyms | None) -> LanguageQuery:
    """Return the query text parsed in each language (none: English, the index's own way), with synonyms."""
    if not languages:
        query = parse_query(parsers.parser(match), text)
        if synonyms is None:
            return LanguageQuery(query)
        query, added = synonyms.expand(query, parsers.schema["body"].analyzer)
        return LanguageQuery(query, {}, added)
    by_language: dict[str, Any] = {}
    also: dict[str, None] = {}
    refused: QueryError | None = None  # the first language whose analysis left no word
    for language in languages:
        try:
            query = parse_query(parsers.parser(match, language), text)
        except QueryError as err:  # its words are all stop words in this language: it matches none of its articles
            refused = refused or err
            continue
        if synonyms is not None:
            query, added = synonyms.expand(query, language_analyzer(language))
            also.update(dict.fromkeys(added))
        by_language[language] = query
    if not by_language:
        raise refused or QueryError(f"the query {text!r} has no searchable words")
    return LanguageQuery(combined(by_language, every=refused is None), by_language, tuple(also))


def combined(by_language: dict[str, Any], every: bool = True) -> Any:
    """Return one query matching each article by its language's query: each distinct query required to the
    languages it serves (by their `language` terms), or the query alone when it is every searched language's
    (every: no searched language is left out)."""
    groups: list[tuple[Any, list[str]]] = []
    for language, query in by_language.items():
        same = next((group for group in groups if group[0] == query), None)
        if same is None:
            groups.append((query, [language]))
        else:
            same[1].append(language)
    if len(groups) == 1 and every:
        return groups[0][0]
    return wq.Or([wq.Require(query, _any_of(languages)) for query, languages in groups])


def _any_of(languages: list[str]) -> Any:
    terms = [wq.Term("language", language) for language in languages]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def per_language(analyzed: LanguageQuery, terms: Callable[[Any], frozenset[str]]) -> dict[str, frozenset[str]]:
    """Return the highlight terms of each language's query ("" for the query over every article)."""
    found = {"": terms(analyzed.query)}
    found.update({language: terms(query) for language, query in analyzed.by_language.items()})
    return found

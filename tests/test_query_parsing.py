"""Queries of plain words are built without Whoosh's query parser (query._plain_query): the same query objects as
the parser's, for every language's parser and both ways of matching words."""

from __future__ import annotations

import random
import re

import pytest
from whoosh.query import NullQuery

from indexer.errors import QueryError
from indexer.whoosh import query as news_query
from indexer.whoosh.languages import LanguageParsers
from indexer.whoosh.schema import build_schema
from indexer.words import STOP_WORDS

PLAIN = r"\s*[A-Za-z]+(\s+[A-Za-z]+)*\s*"

READY_WORDS = ["oil", "prices", "Running", "ABOUT", "and", "or", "not", "near", "to", "the", "of", "a", "I",
               "Économie", "naïve", "McDonald", "dollar", "yen", "Bundesbank", "wheat", "eggs", "x", "zzzz"]
NOT_PLAIN = ["oil AND gas", "oil OR gas", "NOT oil", "oil -gas", '"crude oil"', "oil NEAR gas", "oil NEAR/3 gas",
             "topic:crude", "wheat~1", "corn*", "U.S. dollar", "dollar-yen", "oil 1987", "(oil gas)", "café"]


def parsed(parser: object, text: str) -> object:
    """What the parser makes of the text (parse_query's other way)."""
    try:
        return parser.parse(text, normalize=False).normalize()  # type: ignore[attr-defined]
    except Exception as err:  # noqa: BLE001
        return type(err)


@pytest.fixture(scope="module")
def parsers() -> LanguageParsers:
    return LanguageParsers(build_schema())


def queries() -> list[str]:
    rng = random.Random(7)
    words = READY_WORDS + sorted(STOP_WORDS)[:20]
    made = [" ".join(rng.sample(words, rng.randint(1, 4))) for _ in range(300)]
    return [*READY_WORDS, *made, "  oil   prices ", "oil\tprices", "the of", "oil oil"]


@pytest.mark.parametrize("match", ["all", "any"])
@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_plain_queries_are_the_parsers(parsers: LanguageParsers, match: str, language: str) -> None:
    parser = parsers.parser(match, language)
    built = 0
    for text in queries():
        plain = news_query._plain_query(parser, text)
        if plain is None:  # not letters alone, or no word left to search
            assert not re.fullmatch(PLAIN, text) or isinstance(parsed(parser, text), type(NullQuery)), text
            continue
        built += 1
        assert plain == parsed(parser, text), text
        assert repr(plain) == repr(news_query.parse_query(parser, text)), text
    assert built > 100  # the fast way was taken, not only the parser


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_queries_go_to_the_parser(parsers: LanguageParsers, text: str) -> None:
    parser = parsers.parser("all")
    assert news_query._plain_query(parser, text) is None
    assert news_query.parse_query(parser, text) == parsed(parser, text)


def test_a_query_of_stop_words_still_explains(parsers: LanguageParsers) -> None:
    with pytest.raises(QueryError, match="no searchable words"):
        news_query.parse_query(parsers.parser("all"), "the of and")

"""The contract of match_spans: where a query occurs in an article, what its page marks, and what the search finds."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.backend import SearchBackend
from indexer.build import IndexOptions, index_paths
from indexer.errors import QueryError
from indexer.request import Search

from ..conftest import write_jsonl

ARTICLES = [
    {"id": "k1", "title": "Rates rise as U.S. rates policy shifts", "date": "2021-01-04", "source": "Gazette",
     "body": "Interest rates rose on Monday. The rate rise surprised the US Treasury; interest in rates grew, and "
             "rated bonds fell.\n\nOil prices fell as OPEC met. Oil output rose while gas prices held, and prices "
             "of oil steadied."},
    {"id": "k2", "title": "Café owners", "date": "2021-01-05", "source": "Courier",
     "body": "Owners of the cafe near the harbour said the café was busy. Cafe, café, CAFÉ."},
    {"id": "k3", "title": "Exporters gather", "date": "2021-01-06", "source": "Gazette",
     "body": "Exports rose; exporting firms and the exporter said export growth was strong."},
    {"id": "k4", "title": "Weather", "date": "2021-01-07", "source": "Wire",
     "body": "A storm, a storm and another storm."},
    {"id": "k5", "title": "Bank of England", "date": "2021-01-08", "source": "Wire",
     "body": "The Bank of England held rates. A bank in England closed."},
]


@pytest.fixture
def archive(tmp_path: Path, make_backend: Callable[[Path], SearchBackend]) -> SearchBackend:
    index_paths([write_jsonl(tmp_path / "k.jsonl", ARTICLES)], make_backend(tmp_path / "ix"), IndexOptions(procs=1))
    return make_backend(tmp_path / "ix")


def occurrences(backend: SearchBackend, article_id: str, query: str) -> list[tuple[str, str]]:
    article = backend.article(article_id)
    return [(span.field, span.text_of(article)) for span in backend.match_spans(article, query)]


@pytest.mark.parametrize(("article_id", "query", "expected"), [
    # Stems: every form of the word, in the headline first, then the body, in text order.
    ("k1", "rates", [("headline", "Rates"), ("headline", "rates"), ("body", "rates"), ("body", "rate"),
                     ("body", "rates"), ("body", "rated")]),
    # A phrase is one occurrence where its words stand in sequence (function words do not count), never a word alone.
    ("k1", '"interest rates"', [("body", "Interest rates"), ("body", "interest in rates")]),
    ("k1", '"oil prices"', [("body", "Oil prices")]),
    ("k5", '"bank of england"', [("headline", "Bank of England"), ("body", "Bank of England"),
                                 ("body", "bank in England")]),
    # NEAR: the words that stand within the distance, each an occurrence; not the same words elsewhere.
    ("k1", "oil NEAR/2 prices", [("body", "Oil"), ("body", "prices"), ("body", "prices"), ("body", "oil")]),
    ('k1', '"oil prices" NEAR/3 opec', [("body", "Oil prices"), ("body", "OPEC")]),
    # Dotted acronyms and accents, as indexed.
    ("k1", "U.S.", [("headline", "U.S."), ("body", "US")]),
    ("k1", "us", [("headline", "U.S."), ("body", "US")]),
    ("k2", "cafe", [("headline", "Café"), ("body", "cafe"), ("body", "café"), ("body", "Cafe"), ("body", "café"),
                    ("body", "CAFÉ")]),
    ("k2", "café", [("headline", "Café"), ("body", "cafe"), ("body", "café"), ("body", "Cafe"), ("body", "café"),
                    ("body", "CAFÉ")]),
    # Field scopes: only in that field; other fields' scopes are not in the text.
    ("k1", "headline:rates", [("headline", "Rates"), ("headline", "rates")]),
    ("k1", "body:oil", [("body", "Oil"), ("body", "Oil"), ("body", "oil")]),
    ("k1", "source:gazette", []),
    # Excluded words never occur.
    ("k1", "oil NOT gas", [("body", "Oil"), ("body", "Oil"), ("body", "oil")]),
    ("k1", "oil -opec -prices", [("body", "Oil"), ("body", "Oil"), ("body", "oil")]),
    # Wildcards and fuzzy words: every word they match.
    ("k3", "export*", [("headline", "Exporters"), ("body", "Exports"), ("body", "exporting"), ("body", "exporter"),
                       ("body", "export")]),
    ("k4", "stoorm~", [("body", "storm"), ("body", "storm"), ("body", "storm")]),
    # Every occurrence counts: three times is three.
    ("k4", "storm", [("body", "storm"), ("body", "storm"), ("body", "storm")]),
    ("k4", "", []),
    ("k4", "*", []),
])
def test_spans_are_what_the_index_matches(archive: SearchBackend, article_id: str, query: str,
                                          expected: list[tuple[str, str]]) -> None:
    assert occurrences(archive, article_id, query) == expected


def test_spans_are_character_offsets_in_the_text(archive: SearchBackend) -> None:
    article = archive.article("k1")
    spans = archive.match_spans(article, '"interest rates"')
    assert [(s.field, s.start, s.end) for s in spans] == [
        ("body", 0, 14), ("body", article.body.index("interest in"), article.body.index("interest in") + 17)]


def test_a_query_that_cannot_run_is_refused(archive: SearchBackend) -> None:
    with pytest.raises(QueryError, match="unknown field"):
        archive.match_spans(archive.article("k1"), "nosuchfield:x")


QUERIES = ["rates", '"interest rates"', '"oil prices"', '"prices oil"', "oil NEAR/2 prices", "oil NEAR/3 output",
           "headline:rates", "body:rates", "cafe", "export*", "stoorm~", '"bank of england"', "U.S.", '"rates policy"',
           '"rates rose"', "prices NEAR/1 oil", "gas NEAR/1 oil", '"oil prices" NEAR/3 opec']


@pytest.mark.parametrize("query", QUERIES)
def test_an_article_has_spans_exactly_when_the_search_finds_it(archive: SearchBackend, query: str) -> None:
    found = {article.id for article in archive.iter_matches(Search(query=query), 100)}
    spanned = {record["id"] for record in ARTICLES if archive.match_spans(archive.article(str(record["id"])), query)}
    assert found == spanned


def _marks(marked_html: str) -> tuple[str, list[tuple[int, int]]]:
    """Return the text of highlighted HTML and the character ranges of its <mark>s."""
    text, marks = "", []
    for number, part in enumerate(re.split(r"</?mark>", marked_html)):
        start = len(text)
        text += html.unescape(part)
        if number % 2:
            marks.append((start, len(text)))
    return text, marks


@pytest.mark.parametrize("query", [*QUERIES, "oil NOT gas", "rates -interest", "*"])
def test_an_article_page_marks_exactly_the_spans(archive: SearchBackend, query: str) -> None:
    for record in ARTICLES:
        article = archive.article(str(record["id"]))
        text, marks = _marks(archive.highlight_article(article, query))
        assert text == article.body
        assert marks == [(s.start, s.end) for s in archive.match_spans(article, query) if s.field == "body"]

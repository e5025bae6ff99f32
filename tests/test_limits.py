"""Expensive queries stop with a clear "too expensive" message instead of tying up a worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.errors import QueryError, QueryTooExpensiveError
from indexer.request import Search
from indexer.whoosh import WhooshBackend, limits
from newsarchive.cli import main


@pytest.fixture
def few_expansions(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(limits, "MAX_EXPANSIONS", 2)
    return 2


def test_a_wildcard_standing_for_too_many_words_is_refused(service: WhooshBackend, few_expansions: int) -> None:
    with pytest.raises(QueryTooExpensiveError, match=r"'r\*' matches more than 2 different words"):
        service.search(Search(query="r*"))
    assert service.search(Search(query="rat*")).total > 0  # a longer prefix is fine


def test_fuzzy_terms_and_word_ranges_are_limited_too(service: WhooshBackend, few_expansions: int) -> None:
    with pytest.raises(QueryTooExpensiveError, match="more than 2 different words"):
        service.search(Search(query="headline:[a TO z]"))


def test_the_too_expensive_error_is_a_query_error(service: WhooshBackend, few_expansions: int) -> None:
    # Everything that reports bad queries (the CLI, the web app's 400s) reports this one too.
    with pytest.raises(QueryError, match="too expensive"):
        service.search(Search(query="*a*"))


@pytest.mark.parametrize("query", ["rates", "oil OR bank", '"interest rates"', "rat*", ""])
def test_a_search_past_its_time_limit_stops_with_advice(index_dir: Path, query: str) -> None:
    hurried = WhooshBackend(index_dir, time_limit=1e-9)
    try:
        if not query:  # browsing needs no matching: nothing to stop
            assert hurried.search(Search()).total > 0
            return
        with pytest.raises(QueryTooExpensiveError, match=r"stopped after 1e-09 s\. Make it more specific"):
            hurried.search(Search(query=query))
    finally:
        hurried.close()


def test_exports_keep_the_time_limit(index_dir: Path) -> None:
    hurried = WhooshBackend(index_dir, time_limit=1e-9)
    try:
        with pytest.raises(QueryTooExpensiveError):
            list(hurried.iter_matches(Search(query="rates"), 100))
    finally:
        hurried.close()


def test_the_cli_prints_the_message(index_dir: Path, few_expansions: int) -> None:
    result = CliRunner().invoke(main, ["search", "r*", "--index", str(index_dir)])
    assert result.exit_code == 1
    assert "Error: the query is too expensive: 'r*' matches more than 2 different words" in result.output


def test_fuzzy_matching_allows_at_most_two_edits(service: WhooshBackend) -> None:
    with pytest.raises(QueryTooExpensiveError, match=r"~6 allows 6 edits to a word; fuzzy matching allows at most 2"):
        service.search(Search(query="rates~6"))
    assert service.search(Search(query="rtaes~2")).total > 0

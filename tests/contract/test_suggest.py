"""The contract of autocomplete: words as the archive writes them, most frequent first, and matching headlines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.backend import SearchBackend
from indexer.build import IndexOptions, index_paths
from indexer.errors import QueryError
from indexer.maintenance import delete_articles, optimize_index
from indexer.suggest import MAX_SUGGESTIONS, Suggestions

from ..conftest import CORPUS, write_jsonl
from .test_languages import RECORDS as LANGUAGES

Make = Callable[[Path], SearchBackend]


def words(found: Suggestions) -> list[tuple[str, int]]:
    return [(w.text, w.articles) for w in found.words]


def headlines(found: Suggestions) -> list[str]:
    return [h.id for h in found.headlines]


def test_the_last_word_is_completed_most_frequent_first(backend: SearchBackend) -> None:
    found = backend.suggest("in")
    # inflation: a1, a4, a5; interest: a1, a5; inside: a4. Ties are in alphabetical order.
    assert words(found) == [("inflation", 3), ("interest", 2), ("inside", 1)]
    assert [w.word for w in found.words] == ["inflation", "interest", "inside"]
    assert words(backend.suggest("in", limit=1)) == [("inflation", 3)]


def test_the_words_before_are_kept_and_headlines_hold_every_word(backend: SearchBackend) -> None:
    found = backend.suggest("Fed ra")
    assert words(found) == [("Fed rates", 2), ("Fed race", 1), ("Fed raised", 1), ("Fed raises", 1)]
    # Headlines holding "fed" and the first completion, "rates" (stemmed: "rate"), newest first.
    assert headlines(found) == ["a1"]
    assert [h.headline for h in found.headlines] == ["Fed raises interest rates again"]
    assert headlines(backend.suggest("rat")) == ["a5", "a1"]  # newest first
    only = backend.suggest("storm")
    assert words(only) == [("storm", 2)] and headlines(only) == ["a2"]
    assert only.headlines[0].source == "Gazette" and only.headlines[0].date is not None


def test_matching_ignores_case_and_accents_and_shows_the_archive_s_spelling(backend: SearchBackend) -> None:
    for prefix in ("caf", "CAF", "cafe", "Café"):
        assert words(backend.suggest(prefix)) == [("café", 1)], prefix  # "Café" in a headline, "café" in its body
    assert headlines(backend.suggest("CAFE")) == ["a6"]
    assert words(backend.suggest("u.s")) == [("U.S.", 1)]  # acronyms as written; their dots are not typed


def test_stop_words_and_query_syntax(backend: SearchBackend) -> None:
    assert words(backend.suggest("th")) == [("thousands", 1)]  # not "the", "their", "then", "there", "this"
    assert words(backend.suggest("inflation -sto")) == [("inflation -storm", 2), ("inflation -story", 1)]
    excluded = backend.suggest("rates -bank -in")
    assert headlines(excluded) == ["a5", "a1"]  # excluded words do not have to be in the headline
    assert headlines(backend.suggest("headline:sto")) == []  # a field's words are not looked for in headlines
    nothing = backend.suggest("storm ")  # nothing being typed: no words, headlines holding those typed
    assert words(nothing) == [] and headlines(nothing) == ["a2"]
    assert backend.suggest("zzz").words == () and backend.suggest("zzz").headlines == ()


def test_text_comes_back_as_it_is_stored_for_the_client_to_escape(backend: SearchBackend) -> None:
    found = backend.suggest("hosti")
    assert words(found) == [("hostile", 1)]
    assert [h.headline for h in found.headlines] == ["<script>alert(1)</script> hostile headline"]


@pytest.mark.parametrize(("prefix", "limit"), [("i", 5), (" i ", 5), ("", 5), ("x" * 1001, 5), ("in", 0),
                                              ("in", MAX_SUGGESTIONS + 1)])
def test_a_prefix_or_limit_out_of_bounds_is_refused(backend: SearchBackend, prefix: str, limit: int) -> None:
    with pytest.raises(QueryError, match="prefix must be|limit must be"):
        backend.suggest(prefix, limit)


def test_replaced_and_deleted_articles_leave_the_suggestions(tmp_path: Path, make_backend: Make) -> None:
    source = write_jsonl(tmp_path / "c.jsonl", CORPUS)
    index_paths([source], make_backend(tmp_path / "ix"), IndexOptions(procs=1))
    reader = make_backend(tmp_path / "ix")
    assert words(reader.suggest("harb")) == [("harbour", 1)]
    changed = [dict(r, title="Café owners welcome visitors", body="Zürich's visitors were back.")
               if r["id"] == "a6" else r for r in CORPUS]
    index_paths([write_jsonl(source, changed)], make_backend(tmp_path / "ix"), IndexOptions(procs=1))
    delete_articles(make_backend(tmp_path / "ix"), ["a2"])
    # Solr counts replaced and deleted articles until their segments merge (Lucene's document frequencies).
    optimize_index(make_backend(tmp_path / "ix"))
    assert words(reader.suggest("zur")) == [("Zürich", 1)]  # the possessive is dropped
    assert words(reader.suggest("harb")) == [] and words(reader.suggest("caf")) == [("Café", 1)]
    assert words(reader.suggest("storm")) == [("storm", 1)]  # a7 still has it; a2 is gone
    assert headlines(reader.suggest("storm")) == [] and headlines(reader.suggest("visit")) == ["a6"]


def test_headlines_are_matched_in_their_own_language(tmp_path: Path, make_backend: Make) -> None:
    index_paths([write_jsonl(tmp_path / "c.jsonl", LANGUAGES)], make_backend(tmp_path / "ix"), IndexOptions(procs=1))
    backend = make_backend(tmp_path / "ix")
    # Headlines were stemmed in their article's language: "fête" is "fet" in French and "fete" in English, "Häuser"
    # is "haus" in German and "hauser" in English (and the English shop's "Haus" is "haus", not "Häuser").
    found = backend.suggest("la fê")
    assert words(found) == [("la fête", 1)] and headlines(found) == ["fr-fete"]
    assert headlines(backend.suggest("Häuser ")) == ["de-bau"]
    assert words(backend.suggest("häu")) == [("Haus", 1), ("Häuser", 1), ("Hauses", 1)]
    assert headlines(backend.suggest("hats")) == ["en-shop"]
    assert headlines(backend.suggest("élections mun")) == ["fr-vote"]

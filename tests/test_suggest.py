"""Autocomplete's parts: the words an article gives, the text typed, and the Whoosh index folder's word counts."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.maintenance import delete_articles
from indexer.records import Article
from indexer.suggest import Typed, completions
from indexer.whoosh.bulk import _written
from indexer.whoosh.schema import article_to_document, build_schema
from indexer.whoosh.wordforms import FoundWords, fold_word, word_forms
from indexer.whoosh.words import WORDS_NAME, WordStore, count_terms, document_terms, index_terms

from .conftest import CORPUS, write_jsonl
from .test_index_format import FIXTURE


def test_an_article_gives_each_word_once_in_the_form_that_says_most() -> None:
    text = ("ZÜRICH BANKS REPORT: Zürich's banks and the U.S. economy. Economy grew; VOLCKER said Volcker's "
            "O’Neill café Café 1987 3.5 G7 a I " + "x" * 41)
    assert sorted(word_forms(text)) == [
        "banks", "cafe café", "economy", "g7 G7", "grew", "o'neill O’Neill", "report REPORT", "said", "us U.S.",
        "volcker Volcker", "zurich Zürich"]  # no stop words, numbers, one-letter or overlong words
    assert sorted(word_forms("Economy ECONOMY")) == ["economy Economy"]
    assert word_forms("") == []


def test_the_words_a_writer_found_count_as_each_articles_words(tmp_path: Path) -> None:
    # A segment's words counted at once (wordforms.counted_forms, from what the writer found) are each article's
    # word_forms summed: forms chosen per article (the key, else lowercase, else not all capitals, else the first).
    texts = [("ZÜRICH BANKS REPORT", "Zürich's banks and the U.S. economy. VOLCKER said Volcker's café."),
             ("Café CAFÉ Cafe", "CAFE cafe's VOLCKER Economy ECONOMY us U.S. 1987 G7 a I " + "x" * 41),
             ("", "Volcker VOLCKER Zurich ZURICH zürich O’Neill O'NEILL"), ("Economy", ""), ("", ""),
             ("Ünïcode ÜNÏCODE ünïcode's", "Zürich Zurich ZÜRICH Café Cafe CAFÉ café's")]
    documents = [article_to_document(Article(id=f"a{i}", headline=h, body=b, language="en"))
                 for i, (h, b) in enumerate(texts)]
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    _, found = _written(ix, documents)
    assert set(found.fields) == {"headline", "body"}
    expected = count_terms(f"{h}\n{b}" for h, b in texts)
    assert document_terms(documents, found) == expected
    assert document_terms(documents, FoundWords([], {})) == expected  # nothing found: the texts read again
    assert (expected["cafe café"], expected["cafe"], expected["volcker Volcker"], expected["volcker VOLCKER"]) == (
        2, 1, 2, 1)


def test_a_prefix_is_keyed_as_the_words_are() -> None:
    assert [fold_word(w) for w in ("Zür", "U.S", "U.S.", "CAFÉ", "O’Ne", "volcker's")] == [
        "zur", "us", "us", "cafe", "o'ne", "volcker"]


def test_forms_of_a_word_are_summed_and_the_most_frequent_shown() -> None:
    found = completions([("economy", 5), ("economy Economy", 2), ("ec EC", 9), ("zurich Zürich", 3),
                         ("zurich ZURICH", 3)])
    assert [(c.key, c.form, c.articles) for c in found] == [
        ("ec", "EC", 9), ("economy", "economy", 7), ("zurich", "ZURICH", 6)]  # a tie: the first by code point


@pytest.mark.parametrize(
    ("text", "head", "last", "in_headlines"),
    [
        ("trade defi", "trade ", "defi", "trade deficit"),
        ('"trade defi', '"trade ', "defi", '"trade deficit'),
        ("oil ", "oil ", "", "oil deficit"),
        ("oil -op", "oil -", "op", "oil"),  # an excluded word is not looked for
        ("oil NOT op", "oil NOT ", "op", "oil"),
        ("topic:earn pro", "topic:earn ", "pro", "deficit"),  # nor a field's words
        ("headline:op", "headline:", "op", ""),
        ("U.S", "", "U.S", "deficit"),
        ("o'ne", "", "o'ne", "deficit"),
        ("expor* AND oil OR ga", "expor* AND oil OR ", "ga", "oil deficit"),  # nor operators and wildcards
    ],
)
def test_typed_text_is_split_at_the_word_being_typed(text: str, head: str, last: str, in_headlines: str) -> None:
    typed = Typed.of(text)
    assert (typed.head, typed.last) == (head, last)
    assert typed.completed("deficit") == head + "deficit"
    assert " ".join(typed.headline_words("deficit").split()) == in_headlines


@pytest.fixture
def index(tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    index_paths([write_jsonl(tmp_path / "c.jsonl", CORPUS)], open_backend("whoosh", folder), IndexOptions(procs=1))
    return folder


def test_an_index_named_by_a_relative_path_offers_its_words(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `newsarchive serve` in the folder holding ./index (the README's first command): the words store is opened
    # read-only by file URI, which a relative path cannot be.
    monkeypatch.chdir(index.parent)
    assert counts(Path("index"), "stor") == counts(index, "stor") != []


def counts(folder: Path, prefix: str) -> list[tuple[str, int]]:
    backend = open_backend("whoosh", folder)
    try:
        return [(w.word, w.articles) for w in backend.suggest(prefix).words]
    finally:
        backend.close()


def test_deleted_articles_leave_the_counts_at_once(index: Path) -> None:
    assert counts(index, "infl") == [("inflation", 3)]
    delete_articles(open_backend("whoosh", index), ["a1", "a4"])
    assert counts(index, "infl") == [("inflation", 1)]  # no merge needed: the counts are kept exactly
    assert counts(index, "payl") == []


def test_a_store_behind_the_index_is_counted_again_by_the_next_run(index: Path, tmp_path: Path) -> None:
    # A crash between the index's commit and the words': the store says another generation, and lacks counts.
    with sqlite3.connect(index / WORDS_NAME) as db:
        db.execute("DELETE FROM keys")
        db.execute("UPDATE meta SET value = '-1' WHERE name = 'generation'")
    assert counts(index, "infl") == []
    more = write_jsonl(tmp_path / "more.jsonl", [{"id": "n1", "title": "Inflation eases", "body": "Prices fell."}])
    index_paths([more], open_backend("whoosh", index), IndexOptions(procs=1))
    assert counts(index, "infl") == [("inflation", 4)]


def test_a_reader_without_a_store_offers_headlines_only_and_creates_nothing(index: Path) -> None:
    (index / WORDS_NAME).unlink()
    backend = open_backend("whoosh", index)
    try:
        found = backend.suggest("storm")
        assert found.words == () and [h.id for h in found.headlines] == ["a2"]
    finally:
        backend.close()
    assert not (index / WORDS_NAME).exists()


def test_an_index_made_before_autocomplete_gets_its_words_on_its_next_run(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("README.md", "articles.jsonl"))
    backend = open_backend("whoosh", folder)
    try:
        assert backend.suggest("coun").words == ()  # until an indexing run counts them
        assert backend.suggest("county council").headlines  # headlines are searched in the index itself
    finally:
        backend.close()
    more = write_jsonl(tmp_path / "more.jsonl", [{"id": "new-1", "title": "Harbour councils merge",
                                                  "body": "The councils merged."}])
    index_paths([more], open_backend("whoosh", folder), IndexOptions(procs=1))
    found = counts(folder, "coun")
    assert ("council", 2) in found and ("councils", 1) in found  # the old articles' words as well as the new


def test_a_bulk_load_on_two_processes_counts_every_articles_words(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Each commit's words are written by one of the writing processes (Builders.call): the store counts what
    # counting every stored article from scratch counts, at the index's generation.
    for name in ("indexer.whoosh.backend.PARALLEL_MIN_DOCS", "indexer.whoosh.bulk.PARALLEL_MIN_DOCS",
                 "indexer.whoosh.bulk.RUNNING_MIN_DOCS"):
        monkeypatch.setattr(name, 4)
    records = [{"id": f"n{i}", "title": f"Storm {i} hits the coast", "body": f"Winds of {i} knots. Stormy seas."}
               for i in range(40)]
    folder = tmp_path / "index"
    report = index_paths([write_jsonl(tmp_path / "c.jsonl", CORPUS + records)], open_backend("whoosh", folder),
                         IndexOptions(procs=2, batch_size=10))
    assert report.commits >= 4
    ix = whoosh_index.open_dir(str(folder))
    generation, stored = WordStore(folder).read_only() or (None, Counter())
    assert generation == ix.latest_generation()
    assert stored == index_terms(ix)
    assert counts(folder, "knot") == [("knots", 40)]

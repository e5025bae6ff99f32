"""Synonyms and variant names on every backend (NEWSARCHIVE_SYNONYMS): applied at query time, visible, switchable."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from indexer.backend import Batch, SearchBackend
from indexer.records import Article
from indexer.request import Search
from indexer.settings import SettingError

SYNONYMS = """# variant names: a group a line
Myanmar, Burma
Istanbul, Constantinople
New York City, NYC   # a phrase and a word
"""


def article(article_id: str, headline: str, body: str) -> Article:
    return Article(article_id, headline, body, date=datetime(2021, 2, 1, 9), source="Wire")


ARTICLES = [
    article("m1", "Army seizes power in Myanmar", "Soldiers detained the elected leaders of Myanmar on Monday."),
    article("b1", "Burma's generals take over", "The generals of Burma declared a state of emergency."),
    article("i1", "Ferries resume in Istanbul", "Ferries crossed the Bosphorus again after the storm."),
    article("c1", "Old Constantinople maps found", "A box of maps of Constantinople was found in an archive."),
    article("n1", "Snow closes schools in New York City", "Schools in New York City closed for the snow."),
    article("n2", "NYC subway flooded", "The NYC subway flooded after the storm; the mayor spoke."),
]


@pytest.fixture
def synonyms_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "synonyms.txt"
    path.write_text(SYNONYMS, encoding="utf-8")
    monkeypatch.setenv("NEWSARCHIVE_SYNONYMS", str(path))
    return path


@pytest.fixture
def archive(tmp_path: Path, synonyms_file: Path, make_backend: Callable[[Path], SearchBackend]) -> SearchBackend:
    backend = make_backend(tmp_path / "index")
    backend.prepare()
    backend.commit(Batch(articles={a.id: (a, False) for a in ARTICLES}))
    return make_backend(tmp_path / "index")


def ids(backend: SearchBackend, search: Search) -> set[str]:
    return {hit.id for hit in backend.search(search).hits}


def test_a_name_also_finds_its_variants_and_says_so(archive: SearchBackend) -> None:
    page = archive.search(Search(query="myanmar"))
    assert {hit.id for hit in page.hits} == {"m1", "b1"} and page.also_searched == ("Burma",)
    assert page.to_dict()["also_searched"] == ["Burma"]
    assert "<mark>Burma</mark>" in next(h.snippet for h in page.hits if h.id == "b1")
    assert ids(archive, Search(query="Burma")) == {"m1", "b1"}  # both ways
    assert ids(archive, Search(query="constantinople")) == {"i1", "c1"}


def test_switched_off_the_words_are_searched_as_typed(archive: SearchBackend) -> None:
    page = archive.search(Search(query="myanmar", synonyms="off"))
    assert {hit.id for hit in page.hits} == {"m1"} and page.also_searched == ()


def test_phrases_fields_and_exclusions_keep_their_meaning(archive: SearchBackend) -> None:
    assert ids(archive, Search(query='"new york city"')) == {"n1", "n2"}
    assert ids(archive, Search(query="nyc")) == {"n1", "n2"}
    assert ids(archive, Search(query="headline:burma")) == {"m1", "b1"}  # in the headline only, both names
    assert ids(archive, Search(query="body:burma")) == {"m1", "b1"}
    assert ids(archive, Search(query="storm -nyc")) == {"i1"}  # excluding a name excludes its variants
    assert ids(archive, Search(query="generals burma")) == {"b1"}  # AND still holds
    # NEAR is left as typed (a search tip of the served archive once made one, and the page answered 500)
    assert ids(archive, Search(query="army NEAR/3 myanmar")) == {"m1"}
    assert ids(archive, Search(query="generals NEAR burma OR soldiers NEAR myanmar")) == {"m1", "b1"}


def test_highlights_and_spans_follow_the_search(archive: SearchBackend) -> None:
    myanmar = ARTICLES[0]
    marked = archive.highlight_article(myanmar, "burma")
    assert "<mark>Myanmar</mark>" in marked
    assert "<mark>" not in archive.highlight_article(myanmar, "burma", synonyms=False)
    assert [s.field for s in archive.match_spans(myanmar, "burma")] == ["headline", "body"]


def test_the_file_is_read_again_when_it_changes(archive: SearchBackend, synonyms_file: Path) -> None:
    assert ids(archive, Search(query="ferries")) == {"i1"}
    synonyms_file.write_text(SYNONYMS + "ferries, maps\n", encoding="utf-8")
    os.utime(synonyms_file, ns=(1, 2_000_000_000_000_000_000))  # another modification time, whatever the clock
    assert ids(archive, Search(query="ferries")) == {"i1", "c1"}


def test_a_file_that_is_not_synonyms_is_refused_naming_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 make_backend: Callable[[Path], SearchBackend]
                                                                 ) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Myanmar, Burma\nlonely\n", encoding="utf-8")
    monkeypatch.setenv("NEWSARCHIVE_SYNONYMS", str(bad))
    with pytest.raises(SettingError, match=r"NEWSARCHIVE_SYNONYMS: .*line 2 names one thing \('lonely'\)"):
        make_backend(tmp_path / "index")
    monkeypatch.setenv("NEWSARCHIVE_SYNONYMS", str(tmp_path / "missing.txt"))
    with pytest.raises(SettingError, match="cannot read"):
        make_backend(tmp_path / "index")

"""Languages on every backend: each article stemmed in its language, a language facet and filter, and queries
analysed in the languages searched (with synonyms, highlights and spans in the hit's own language)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.backend import SearchBackend
from indexer.build import IndexOptions, index_paths
from indexer.request import Search

# Written for these tests (fictional); "language" stated on some records, detected on the others.
RECORDS = [
    {"id": "fr-vote", "language": "fr-FR", "title": "Les élections municipales à Saint-Ombrelle",
     "body": "Les élections municipales de dimanche ont donné la mairie à une nouvelle liste, avec une "
             "participation record selon la préfecture."},
    {"id": "fr-fete", "title": "La fête du jumelage",
     "body": "Depuis l’élection de la nouvelle maire, le comité de jumelage a doublé le nombre d’échanges "
             "scolaires entre les deux villes, et la fête a réuni quatre cents personnes sur la place."},
    {"id": "de-bau", "title": "Zwölf neue Häuser am Lindbach",
     "body": "Zwei Jahre nach dem Hochwasser sind am Lindbach zwölf neue Häuser bezugsfertig; das Erdgeschoss "
             "jedes Hauses liegt über dem höchsten bisher gemessenen Pegel des Flusses."},
    {"id": "en-vote", "title": "Greens win the county elections",
     "body": "The Greens won Thursday's county council elections with a record turnout, officials said after "
             "the count in the town hall on Friday morning."},
    {"id": "en-elected", "title": "Mayor elected", "body": "The council elected a new mayor on Monday."},
    {"id": "en-shop", "title": "Haus of Hats opens", "body": "The Haus of Hats shop opened on the high street."},
]


@pytest.fixture
def archive(tmp_path: Path, make_backend: Callable[[Path], SearchBackend],
            monkeypatch: pytest.MonkeyPatch) -> SearchBackend:
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("scrutin, élection\n", encoding="utf-8")
    monkeypatch.setenv("NEWSARCHIVE_SYNONYMS", str(synonyms))
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    index_paths([corpus], make_backend(tmp_path / "index"), IndexOptions(procs=1))
    return make_backend(tmp_path / "index")


def ids(backend: SearchBackend, search: Search) -> set[str]:
    return {hit.id for hit in backend.search(search).hits}


def test_the_language_facet_counts_stated_and_detected_languages(archive: SearchBackend) -> None:
    page = archive.search(Search())
    assert {v.value: v.count for v in page.facets["language"]} == {"en": 3, "fr": 2, "de": 1}
    assert {hit.id: hit.language for hit in page.hits}["fr-fete"] == "fr"  # detected
    assert archive.article("fr-vote").language == "fr"  # stated ("fr-FR")


def test_a_french_query_finds_french_inflections_when_searching_french(archive: SearchBackend) -> None:
    page = archive.search(Search(query="élection", language=("fr",)))
    assert {hit.id for hit in page.hits} == {"fr-vote", "fr-fete"}
    snippets = " ".join(hit.snippet for hit in page.hits)
    assert "<mark>élections</mark>" in snippets and "<mark>l’élection</mark>" in snippets
    assert {v.value: v.count for v in page.facets["language"]} == {"fr": 2, "en": 2}  # its own selection left out


def test_the_same_query_stays_english_in_english(archive: SearchBackend) -> None:
    assert ids(archive, Search(query="élection", language=("en",))) == {"en-vote", "en-elected"}
    assert ids(archive, Search(query="elections", language=("fr", "en"))) == {"fr-vote", "fr-fete", "en-vote",
                                                                              "en-elected"}


def test_each_article_is_matched_in_its_own_language(archive: SearchBackend) -> None:
    # Without a filter every language in the archive is searched, each article by its own language's stems:
    # "Häuser" is "haus" in German text and "hauser" in English text, so the English shop is not found by it.
    assert ids(archive, Search(query="Häuser")) == {"de-bau"}
    assert ids(archive, Search(query="haus")) == {"de-bau", "en-shop"}
    assert ids(archive, Search(query="haus", language=("en",))) == {"en-shop"}
    assert ids(archive, Search(query="élections municipales")) == {"fr-vote"}
    assert ids(archive, Search(query="language:de")) == {"de-bau"}


def test_synonyms_are_analysed_in_each_language(archive: SearchBackend) -> None:
    page = archive.search(Search(query="scrutin", language=("fr",)))
    assert {hit.id for hit in page.hits} == {"fr-vote", "fr-fete"} and page.also_searched == ("élection",)
    assert ids(archive, Search(query="scrutin", language=("fr",), synonyms="off")) == set()


def test_an_article_is_highlighted_in_its_language(archive: SearchBackend) -> None:
    french = archive.article("fr-fete")
    assert "<mark>l’élection</mark>" in archive.highlight_article(french, "élection")
    german = archive.article("de-bau")
    marked = archive.highlight_article(german, "Haus")
    assert "<mark>Häuser</mark>" in marked and "<mark>Hauses</mark>" in marked

"""An index built by an earlier release opens, searches and takes updates (tests/fixtures/index-0.1.0/README.md)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Search
from indexer.results import SearchPage

from .conftest import whoosh_own_codec

FIXTURE = Path(__file__).parent / "fixtures" / "index-0.1.0"


@pytest.fixture
def old_index(tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    folder.mkdir()
    for path in FIXTURE.iterdir():
        if path.name not in ("README.md", "articles.jsonl"):
            shutil.copy(path, folder / path.name)
    return folder


def test_the_fixture_names_the_analyzers_by_their_old_import_path() -> None:
    (toc,) = FIXTURE.glob("_MAIN_*.toc")
    data = toc.read_bytes()
    assert b"indexer.analysis" in data and b"indexer.whoosh" not in data


def test_an_index_built_before_the_engine_moved_opens_and_searches(old_index: Path) -> None:
    backend = open_backend("whoosh", old_index)
    try:
        assert backend.stats().documents == 6
        page = backend.search(Search(query='"county council"'))
        assert [hit.id for hit in page.hits] == ["avw-20190503-county-election-2019",
                                                 "avw-20191112-brackenford-flood-clean-up"]
        assert "<mark>" in page.hits[0].snippet  # highlighting runs the unpickled analyzer
        assert backend.search(Search(query="catches")).total == 1  # stemmed: "catch"
    finally:
        backend.close()


def test_an_index_built_before_the_engine_moved_takes_updates(old_index: Path, tmp_path: Path) -> None:
    articles = tmp_path / "more.jsonl"
    articles.write_text('{"id": "new-1", "title": "Harbour councils merge", "body": "The councils merged."}\n',
                        encoding="utf-8")
    report = index_paths([articles], open_backend("whoosh", old_index), IndexOptions(procs=1))
    assert report.added == 1
    backend = open_backend("whoosh", old_index)
    try:
        assert backend.stats().documents == 7
        assert [hit.id for hit in backend.search(Search(query="council merged")).hits] == ["new-1"]
    finally:
        backend.close()


def test_an_index_built_before_languages_counts_its_articles_english(old_index: Path) -> None:
    backend = open_backend("whoosh", old_index)
    try:
        page = backend.search(Search())
        assert [(v.value, v.count) for v in page.facets["language"]] == [("en", 6)]
        assert backend.search(Search(language=("en",))).total == 6
        assert backend.search(Search(query="catches", language=("en",))).total == 1
        assert backend.search(Search(language=("fr",))).total == 0
    finally:
        backend.close()


def test_an_index_built_before_languages_takes_a_french_article_as_english_text(old_index: Path,
                                                                                tmp_path: Path) -> None:
    # Its pickled analyzer reads no language marker: the article is stored with its language, analysed as the
    # index's others were (English), and found as they are; rebuilding analyses it as French.
    articles = tmp_path / "fr.jsonl"
    articles.write_text('{"id": "fr-1", "language": "fr", "title": "Les élections municipales", '
                        '"body": "Les élections ont eu lieu."}\n', encoding="utf-8")
    index_paths([articles], open_backend("whoosh", old_index), IndexOptions(procs=1))
    backend = open_backend("whoosh", old_index)
    try:
        assert {v.value: v.count for v in backend.search(Search()).facets["language"]} == {"en": 6, "fr": 1}
        french = backend.search(Search(query="elections", language=("fr",)))
        assert [hit.id for hit in french.hits] == ["fr-1"] and french.hits[0].language == "fr"
        assert "<mark>élections</mark>" in french.hits[0].snippet
        assert backend.article("fr-1").headline == "Les élections municipales"  # stored without a marker
    finally:
        backend.close()


def test_an_index_built_before_names_searches_them_as_none_and_takes_articles_with_names(old_index: Path,
                                                                                        tmp_path: Path) -> None:
    backend = open_backend("whoosh", old_index)
    try:
        page = backend.search(Search())
        assert page.facets["person"] == page.facets["place"] == () and page.hits[0].people == ()
        assert backend.search(Search(query="person:council")).total == 0  # no field yet: nothing, not an error
        assert backend.search(Search(place=("Kestrel Bay",))).total == 0
    finally:
        backend.close()
    articles = tmp_path / "named.jsonl"
    articles.write_text('{"id": "n-1", "title": "Harbour master named", "body": "Mara Quell will run the harbour.", '
                        '"people": ["Mara Quell"], "places": "Kestrel Bay"}\n', encoding="utf-8")
    index_paths([articles], open_backend("whoosh", old_index), IndexOptions(procs=1))  # the fields are added
    backend = open_backend("whoosh", old_index)
    try:
        assert [(v.value, v.count) for v in backend.search(Search()).facets["person"]] == [("Mara Quell", 1)]
        assert [hit.id for hit in backend.search(Search(query="person:quell")).hits] == ["n-1"]
        assert backend.search(Search(place=("Kestrel Bay",))).total == 1  # older articles get names when rewritten
        assert backend.stats().documents == 7
    finally:
        backend.close()


W3_FIXTURE = Path(__file__).parent / "fixtures" / "index-w3"
W3_QUERIES = {"flood": 2, '"county council"': 6, "council*": 8, "harbour OR ferry": 8, '"flood wall"': 2,
              "ferry -harbour": 2, "": 32}


@pytest.fixture
def w3_index(tmp_path: Path) -> Path:
    folder = tmp_path / "w3"
    shutil.copytree(W3_FIXTURE, folder, ignore=shutil.ignore_patterns("README.md"))
    return folder


def codecs(folder: Path) -> list[str]:
    return sorted(type(segment.codec()).__name__ for segment in whoosh_index.open_dir(str(folder))._segments())


def pages(folder: Path) -> dict[str, SearchPage]:
    backend = open_backend("whoosh", folder)
    try:
        return {query: replace(backend.search(Search(query=query)), took_ms=0.0) for query in W3_QUERIES}
    finally:
        backend.close()


def test_an_index_of_whoosh_s_own_codec_opens_and_searches(w3_index: Path) -> None:
    assert codecs(w3_index) == ["W3Codec", "W3Codec"]
    found = pages(w3_index)
    assert {query: page.total for query, page in found.items()} == W3_QUERIES
    assert "<mark>Flood</mark>" in found["flood"].hits[0].snippet


def test_an_index_of_whoosh_s_own_codec_takes_updates_in_ours_beside_its_segments(w3_index: Path,
                                                                                 tmp_path: Path) -> None:
    articles = tmp_path / "more.jsonl"
    articles.write_text('{"id": "new-1", "title": "Flood wall council vote", "body": "The county council voted '
                        'for the flood wall."}\n', encoding="utf-8")
    assert index_paths([articles], open_backend("whoosh", w3_index), IndexOptions(procs=1)).added == 1
    assert codecs(w3_index) == ["NewsCodec", "W3Codec", "W3Codec"]
    found = pages(w3_index)
    assert found['"county council"'].total == 7 and found['"flood wall"'].total == 3
    assert found['"flood wall"'].hits[0].id == "new-1"


def optimized(folder: Path) -> Path:
    backend = open_backend("whoosh", folder)
    try:
        backend.optimize()
    finally:
        backend.close()
    return folder


def test_optimize_converts_an_index_of_whoosh_s_own_codec_with_every_result_unchanged(w3_index: Path,
                                                                                     tmp_path: Path) -> None:
    before = pages(w3_index)
    with whoosh_own_codec():  # what optimize did before our codec
        kept_in_w3 = pages(optimized(shutil.copytree(w3_index, tmp_path / "kept")))
    assert codecs(optimized(w3_index)) == ["NewsCodec"]
    converted = pages(w3_index)
    assert converted == kept_in_w3
    # Merging recomputes a field's total length from the documents' one-byte lengths (Whoosh's merge, either
    # codec), so scores move a little; what users see does not.
    for query, page in before.items():
        assert [hit.id for hit in converted[query].hits] == [hit.id for hit in page.hits]
        assert [hit.snippet for hit in converted[query].hits] == [hit.snippet for hit in page.hits]
        assert (converted[query].total, converted[query].facets) == (page.total, page.facets)

"""Analysis: one definition for documents and queries; acronyms, accents, stop words, stems."""

from __future__ import annotations

import pickle

import pytest

from indexer.whoosh.analysis import analyze, name_analyzer, news_analyzer, stem
from indexer.whoosh.schema import build_schema
from indexer.words import STOP_WORDS


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("U.S. troops", ["us", "troop"]),
        ("the U.K. and U.S.A.", ["uk", "usa"]),
        ("U.S.-led coalition", ["us", "led", "coalit"]),
        ("Running runners ran", ["run", "runner", "ran"]),
        ("Café résumé Zürich", ["cafe", "resum", "zurich"]),
        ("Grynkewich’s statement", ["grynkewich", "statement"]),
        ("3.5 percent of example.com", ["3.5", "percent", "example.com"]),
    ],
)
def test_terms(text: str, terms: list[str]) -> None:
    assert analyze(text) == terms


def test_news_words_are_not_stop_words() -> None:
    for word in ("us", "may", "new", "state", "will", "not", "who", "no"):
        assert word not in STOP_WORDS
        assert analyze(word), word
    assert analyze("the of and") == []


def test_names_are_not_stemmed() -> None:
    assert [t.text for t in name_analyzer()("Rich Miller, José")] == ["rich", "miller", "jose"]


def test_stem_is_snowball_english() -> None:
    assert stem("generously") == "generous" and stem("running") == "run"


def test_schema_pickles_the_analysis_by_its_import_path() -> None:
    # Whoosh stores the schema, analyzers included, in the index: our filter must be importable by name (indexes
    # built before the engine moved to indexer/whoosh/ name indexer.analysis: see tests/test_index_format.py).
    data = pickle.dumps(build_schema())
    assert b"indexer.whoosh.analysis" in data and b"NewsFilter" in data
    restored = pickle.loads(data)
    assert [t.text for t in restored["body"].analyzer("Soldiers marched")] == ["soldier", "march"]


def test_query_and_document_use_the_same_analyzer() -> None:
    schema = build_schema()
    assert schema["headline"].analyzer == schema["body"].analyzer
    assert [t.text for t in news_analyzer()("U.S.")] == ["us"]


def test_stems_are_cached_and_the_cache_is_not_stored_in_the_index() -> None:
    from indexer.whoosh.analysis import STEM_CACHE_SIZE, NewsFilter

    analyzer = news_analyzer()
    news_filter = [f for f in analyzer.items if isinstance(f, NewsFilter)][0]
    assert news_filter.cachesize == STEM_CACHE_SIZE
    list(analyzer("Running runners"))
    assert news_filter._cache == {"running": "run", "runners": "runner"}
    restored = pickle.loads(pickle.dumps(news_filter))
    assert restored._cache == {} and restored == news_filter


def test_the_fused_filter_gives_the_terms_and_positions_of_the_whoosh_chain() -> None:
    from indexer.whoosh.analysis import chained_news_analyzer

    text = ("After the U.S. killed Iranian general Qasem Soleimani, the U.K. and Zürich’s café owners said it "
            "was not the end of the affair: “We may see 3.5% more,” O’Neill told example.com on Tuesday.")
    for options in ({}, {"positions": True}, {"positions": True, "chars": True, "removestops": False}):
        fused = [(t.text, t.pos if t.positions else None, t.stopped) for t in news_analyzer()(text, **options)]
        chained = [(t.text, t.pos if t.positions else None, t.stopped)
                   for t in chained_news_analyzer()(text, **options)]
        assert fused == chained, options

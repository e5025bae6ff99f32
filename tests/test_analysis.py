"""Analysis: one definition for documents and queries; acronyms, accents, stop words, stems."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys

import pytest

from indexer.whoosh.analysis import analyze, name_analyzer, news_analyzer, stem
from indexer.whoosh.schema import build_schema
from indexer.words import STOP_WORDS, TOKEN_PATTERN, TOKENS

from .conftest import REUTERS


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


def test_stems_are_cached_for_the_process_and_the_cache_is_not_stored_in_the_index() -> None:
    from indexer.whoosh.analysis import STEM_CACHE_SIZE, NewsFilter

    analyzer = news_analyzer()
    news_filter = [f for f in analyzer.items if isinstance(f, NewsFilter)][0]
    assert news_filter.cachesize == STEM_CACHE_SIZE
    news_filter._cache.clear()
    list(analyzer("Running runners"))
    assert news_filter._cache == {"running": "run", "runners": "runner"}
    data = pickle.dumps(news_filter)
    assert b"runners" not in data
    restored = pickle.loads(data)  # an index opened again (each commit's writer): the stems met so far stay known
    assert restored._cache == {"running": "run", "runners": "runner"} and restored == news_filter


def test_the_fused_filter_gives_the_terms_and_positions_of_the_whoosh_chain() -> None:
    from indexer.whoosh.analysis import chained_news_analyzer

    text = ("After the U.S. killed Iranian general Qasem Soleimani, the U.K. and Zürich’s café owners said it "
            "was not the end of the affair: “We may see 3.5% more,” O’Neill told example.com on Tuesday.")
    for options in ({}, {"positions": True}, {"positions": True, "chars": True, "removestops": False}):
        fused = [(t.text, t.pos if t.positions else None, t.stopped) for t in news_analyzer()(text, **options)]
        chained = [(t.text, t.pos if t.positions else None, t.stopped)
                   for t in chained_news_analyzer()(text, **options)]
        assert fused == chained, options


FAST_PATH_TEXTS = [
    "",
    "the of and",  # only stop words
    "The U.S. and the U.K. said the the oil-price rise was 3.5% in Q1 (O’Neill’s view).",
    "Zürich’s café résumé: naïve coöperation, ÉTATS-UNIS, straße, İstanbul, ﬁnance",
    "a a a oil a oil oil the oil",  # stop words before, between and after repeated terms
    "٣ ١٢ 12.5 1,000 x_y __init__ e.g. i.e. U.S.A. a.b.c.d. U.S",
    "\ue000fr\ue001L'élection présidentielle d'après les États-Unis: l'économie",
    "\ue000de\ue001Die Häuser der Bundesländer wurden größer",
    "\ue000ru\ue001Выборы президента США прошли",
    "\ue000xx\ue001not a code: analysed as English",
    "\ue000en\ue001The markets rallied",
]


@pytest.mark.parametrize("text", FAST_PATH_TEXTS)
def test_the_fast_indexing_path_gives_the_terms_positions_and_weights_of_the_token_stream(text: str) -> None:
    from whoosh.formats import Positions

    from indexer.whoosh.codec import NewsPositions

    for analyzer in (news_analyzer(), news_analyzer()):  # a fresh cache, then one the first pass filled
        form = NewsPositions(field_boost=2.0)
        fast = list(form.word_values(text, analyzer, mode="index"))
        tokens = list(Positions.word_values(form, text, analyzer, mode="index"))
        assert fast == tokens


def test_the_fast_indexing_path_agrees_when_its_stem_cache_overflows() -> None:
    from whoosh.formats import Positions

    from indexer.whoosh.analysis import NewsFilter, NewsTokenizer
    from indexer.whoosh.codec import NewsPositions
    from indexer.words import TOKEN_PATTERN

    text = " ".join(FAST_PATH_TEXTS[2:6]) * 3
    form = NewsPositions()
    small = NewsTokenizer(TOKEN_PATTERN) | NewsFilter(cachesize=3)
    fast = list(form.word_values(text, small, mode="index"))
    assert fast == list(Positions.word_values(form, text, NewsTokenizer(TOKEN_PATTERN) | NewsFilter(), mode="index"))


def test_other_analyzers_and_values_take_whoosh_s_token_stream() -> None:
    from indexer.whoosh.analysis import index_positions

    assert index_positions(news_analyzer(), "oil prices") == {"oil": [0], "price": [1]}
    assert index_positions(name_analyzer(), "Jane Doe") is None
    assert index_positions(news_analyzer(), ["oil", "prices"]) is None
    assert index_positions(news_analyzer(), "oil prices", mode="query") is None
    assert index_positions(news_analyzer(), "oil prices", start_pos=4) is None


def test_nltk_is_imported_without_scipy_which_still_imports_after() -> None:
    """Every process that analyses text (the CLI, each server worker, each writer) imports NLTK; SciPy, which NLTK
    would import with it, is not needed, and whoever needs it later (datasketch) still gets it."""
    script = ("import sys, indexer.whoosh.backend\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))\n"
              "from scipy.stats import norm\n"
              "from datasketch import MinHash\n"
              "print(norm.cdf(0), len(MinHash(num_perm=4, seed=1).permutations[0]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "0.5 4"]
    assert stem("elections") == "elect"


def test_the_faster_token_pattern_finds_the_words_the_token_pattern_finds() -> None:
    # words.TOKENS, which the writers scan whole texts with, against TOKEN_PATTERN (which analyzers store): every
    # text here and, when the collection is at hand, Reuters-21578's first file (dotted acronyms, decimals, codes).
    texts = [*FAST_PATH_TEXTS, "A.B.C", "A.1.B.", "1.A.B.", "_A.B.", "AB.C.D.", "a.b", "a..b..c", "x.y.'z", "U.S.'s",
             "é.ü. Ä.Ö.x", "3.a.b.", "ab'cd’ef.gh", ".a.b.", "a.b.c.d.e.f.g.h.", "Ⅻ.Ⅻ.", "ǅ.ǅ.", "a\u0301.b\u0301."]
    if (REUTERS / "sgm-data").exists():
        texts.append((sorted((REUTERS / "sgm-data").glob("*.sgm"))[0]).read_text(encoding="latin-1"))
    pattern = re.compile(TOKEN_PATTERN)
    for text in texts:
        assert TOKENS.findall(text) == pattern.findall(text), text[:80]
        assert [m.span() for m in TOKENS.finditer(text)] == [m.span() for m in pattern.finditer(text)], text[:80]

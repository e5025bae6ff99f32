"""Phrases and NEAR from position arrays (indexer/whoosh/positional.py) and wildcards from the term dictionary match
exactly what Whoosh matches."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import query as wq
from whoosh.query import spans

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Search
from indexer.whoosh.facets import IndexView, SegmentCache
from indexer.whoosh.limits import Deadline
from indexer.whoosh.storage import open_index

from .conftest import REUTERS, whoosh_own_codec

DEMO = Path(__file__).resolve().parents[1] / "demo"


def random_queries(searcher: Any, count: int, seed: int) -> list[Any]:
    """Phrases (slop 1, 2, 4), NEAR of two words (1-10 apart, either order) and NEAR of a phrase and a word, made of
    words next to each other in the archive's own articles and of words picked at random."""
    rng = random.Random(seed)
    analyzer = searcher.schema["body"].analyzer
    texts = [fields["body"] for fields in searcher.all_stored_fields() if fields.get("body")]
    vocabulary = sorted({t.text for text in texts[:50] for t in analyzer(text)})
    made: list[Any] = []
    while len(made) < count:
        words = [t.text for t in analyzer(rng.choice(texts))]
        if len(words) < 4:
            continue
        at = rng.randrange(len(words) - 3)
        near, far = words[at:at + 3], [rng.choice(vocabulary) for _ in range(2)]
        kind = len(made) % 5
        if kind == 0:
            made.append(wq.Phrase("body", near[:rng.choice((2, 3))], slop=rng.choice((1, 2, 4))))
        elif kind == 1:
            made.append(spans.SpanNear2([wq.Term("body", near[2]), wq.Term("body", near[0])],
                                        slop=rng.randrange(1, 11), ordered=False))
        elif kind == 2:
            made.append(spans.SpanNear2([wq.Term("body", far[0]), wq.Term("body", near[1])],
                                        slop=rng.randrange(1, 30), ordered=False))
        elif kind == 3:
            phrase = spans.SpanNear2([wq.Term("body", near[0]), wq.Term("body", near[1])], slop=1, ordered=True)
            made.append(spans.SpanNear2([phrase, wq.Term("body", words[rng.randrange(len(words))])],
                                        slop=rng.randrange(1, 11), ordered=False))
        else:
            made.append(wq.Phrase("body", [near[0], far[0]], slop=rng.choice((1, 8))))
    return made


def compare(folder: Path, count: int, seed: int) -> int:
    """Check every random query's documents against Whoosh's; return how many matched something."""
    ix = open_index(folder)
    matched = 0
    with ix.searcher() as searcher:
        view = IndexView(searcher, SegmentCache())
        for query in random_queries(searcher, count, seed):
            ours = view.span_mask(query)
            assert ours is not None, query
            whooshs = sorted(searcher.docs_for_query(query))
            assert np.flatnonzero(ours).tolist() == whooshs, query
            matched += bool(whooshs)
    return matched


def random_expansions(searcher: Any, count: int, seed: int) -> list[Any]:
    """Prefixes, wildcards, fuzzy words and word ranges made from the archive's own words."""
    rng = random.Random(seed)
    words = sorted(text.decode() for field, text in searcher.reader().all_terms() if field == "body")
    made: list[Any] = []
    while len(made) < count:
        word = rng.choice([w for w in words if len(w) > 3])
        kind = len(made) % 4
        if kind == 0:
            made.append(wq.Prefix("body", word[:rng.randrange(2, 5)]))
        elif kind == 1:
            made.append(wq.Wildcard("body", f"{word[0]}?{word[2:3]}*"))
        elif kind == 2:
            made.append(wq.FuzzyTerm("body", word, maxdist=rng.choice((1, 2)), prefixlength=1))
        else:
            at = words.index(word)
            made.append(wq.TermRange("body", word, words[min(at + rng.randrange(1, 50), len(words) - 1)]))
    return made


def compare_expansions(folder: Path, count: int, seed: int) -> int:
    """Check every random expansion's documents against Whoosh's; return how many matched something."""
    matched = 0
    with open_index(folder).searcher() as searcher:
        view = IndexView(searcher, SegmentCache())
        for query in random_expansions(searcher, count, seed):
            ours = view.expansion_mask(query, Deadline(None))
            assert ours is not None, query
            whooshs = sorted(searcher.docs_for_query(query))
            assert np.flatnonzero(ours).tolist() == whooshs, query
            matched += bool(whooshs)
    return matched


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "index"
    # Commits of 8 articles: several segments, so the whole index's arrays join segments' (document numbers moved).
    index_paths([DEMO], open_backend("whoosh", folder), IndexOptions(procs=1, batch_size=8))
    assert len(open_index(folder)._segments()) > 1
    return folder


def test_random_phrases_and_near_match_what_whoosh_matches(demo: Path) -> None:
    assert compare(demo, 400, seed=1) > 150


def test_random_wildcards_fuzzy_words_and_ranges_match_what_whoosh_matches(demo: Path) -> None:
    assert compare_expansions(demo, 200, seed=2) == 200


def test_what_positions_cannot_answer_is_left_to_whoosh(demo: Path, tmp_path: Path) -> None:
    ix = open_index(demo)
    with ix.searcher() as searcher:
        view = IndexView(searcher, SegmentCache())
        assert view.span_mask(wq.Term("body", "flood")) is None  # words come from postings, not spans
        inside = spans.SpanNear2([wq.Prefix("body", "flood"), wq.Term("body", "wall")], slop=3)
        assert view.span_mask(inside) is None
    with whoosh_own_codec():
        index_paths([DEMO / "wire.jsonl"], open_backend("whoosh", tmp_path / "w3"), IndexOptions(procs=1))
    with open_index(tmp_path / "w3").searcher() as searcher:
        assert IndexView(searcher, SegmentCache()).span_mask(wq.Phrase("body", ["flood", "wall"])) is None
    backend = open_backend("whoosh", tmp_path / "w3")
    try:  # and Whoosh matches them as before
        assert backend.search(Search(query='"flood wall"')).total == 2
    finally:
        backend.close()


@pytest.mark.slow
@pytest.mark.skipif(not REUTERS.is_dir(), reason=f"Reuters-21578 not found at {REUTERS}")
def test_random_phrases_and_near_match_what_whoosh_matches_on_reuters(tmp_path: Path) -> None:
    files = sorted(REUTERS.glob("sgm-data/reut2-00[0-3].sgm"))
    assert len(files) == 4
    index_paths(files, open_backend("whoosh", tmp_path / "index"), IndexOptions(procs=2))
    assert compare(tmp_path / "index", 600, seed=7) > 300
    assert compare_expansions(tmp_path / "index", 200, seed=8) == 200

"""Array ranking (indexer/scoring.py): the same documents and BM25F scores as Whoosh scoring every match."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.build import IndexOptions, index_paths
from indexer.results import SearchRequest
from indexer.scoring import evaluate, top
from indexer.search import SearchService

from .conftest import REUTERS

DEMO = Path(__file__).resolve().parents[1] / "demo"
QUERIES = ("ferry", "council budget", "harbour OR ferry", "title:ferry", "(ferry OR bus) AND service", "storm^3 flood",
           "festival music band", "river")


def exhaustive(searcher: object, query: object, depth: int) -> list[tuple[int, float]]:
    """Whoosh's ranking with every match scored (limit=None), best first, ties by document number."""
    results = searcher.search(query, limit=None)  # type: ignore[attr-defined]
    ranked = sorted(((results.score(i), results.docnum(i)) for i in range(results.scored_length())),
                    key=lambda pair: (-pair[0], pair[1]))
    return [(docnum, score) for score, docnum in ranked[:depth]]


def assert_same_ranking(service: SearchService, queries: tuple[str, ...], match: str) -> None:
    with service._generation() as gen:
        for text in queries:
            query = gen.parsers[match].parse(text, normalize=False)
            evaluation = evaluate(query, gen.searcher, gen.view)
            assert evaluation.scores is not None, text
            ours = top(evaluation.scores, evaluation.mask, 0, 20)
            theirs = exhaustive(gen.searcher, query, 20)
            assert [d for d, _ in ours] == [d for d, _ in theirs], text
            assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], rel=1e-12), text


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    index = tmp_path_factory.mktemp("demo") / "index"
    for part in ("text", "wire.jsonl", "archive.csv", "features.json"):  # four commits: several segments
        index_paths([DEMO / part], index, IndexOptions(procs=1))
    return SearchService(index)


@pytest.mark.parametrize("match", ["all", "any"])
def test_word_queries_rank_as_whoosh_scoring_every_match(demo: SearchService, match: str) -> None:
    assert_same_ranking(demo, QUERIES, match)


def test_other_queries_are_left_to_whoosh(demo: SearchService) -> None:
    with demo._generation() as gen:
        for text in ('"ferry service"', "ferr*", "ferry -storm", "author:smith", "date:2021"):
            evaluation = evaluate(gen.parsers["all"].parse(text, normalize=False), gen.searcher, gen.view)
            assert evaluation.scores is None, text


def test_search_pages_agree_with_whoosh_for_every_kind_of_query(demo: SearchService) -> None:
    for text in (*QUERIES, '"ferry service"', "ferr*", "ferry -storm"):
        page = demo.search(SearchRequest(query=text, per_page=5))
        with demo._generation() as gen:
            expected = exhaustive(gen.searcher, gen.parsers["all"].parse(text, normalize=False), 5)
            ids = [gen.searcher.stored_fields(d)["id"] for d, _ in expected]
        assert [hit.id for hit in page.hits] == ids, text


@pytest.mark.slow
@pytest.mark.skipif(not REUTERS.exists(), reason="Reuters-21578 is not in ../shared/data")
def test_reuters_rankings_equal_whoosh_scoring_every_match(tmp_path: Path) -> None:
    # Whoosh's own top-10 search skips blocks by their best possible score and, for And over long postings,
    # misses some of the best documents; this compares with its exhaustive scoring instead.
    files = [REUTERS / "sgm-data" / f"reut2-00{n}.sgm" for n in (0, 1)]
    index_paths(files, tmp_path / "ix", IndexOptions(procs=1))
    service = SearchService(tmp_path / "ix")
    try:
        queries = ("oil prices", "interest rates", "(oil OR gas) AND prices", "dollar^3 yen", "trade deficit",
                   "opec OR cartel", "net loss profit")
        assert_same_ranking(service, queries, "all")
        assert_same_ranking(service, queries, "any")
    finally:
        service.close()

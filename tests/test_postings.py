"""The decoded-postings cache: the same results warm or cold, bounded memory, new commits seen."""

from __future__ import annotations

from pathlib import Path

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Search
from indexer.whoosh import WhooshBackend
from indexer.whoosh.postings import PostingsCache
from indexer.whoosh.storage import open_index

from .conftest import CORPUS, write_jsonl


def page(service: WhooshBackend, query: str) -> list[tuple[str, float | None]]:
    return [(hit.id, hit.score) for hit in service.search(Search(query=query)).hits]


def test_warm_and_cold_searches_give_the_same_pages(service: WhooshBackend) -> None:
    queries = ("rates", "oil prices", "bank OR market", "title:rates")
    cold = []
    for query in queries:
        service.clear_caches()
        cold.append(page(service, query))
    assert [page(service, q) for q in queries] == cold
    assert any(cold)


def test_the_least_recently_used_terms_go_when_the_budget_is_exceeded(index_dir: Path) -> None:
    reader = open_index(index_dir).reader()
    segment = reader if reader.is_atomic() else reader.leaf_readers()[0][0]
    one = PostingsCache().postings(segment, "body", "rate")  # an analysed term: "rates" stemmed
    assert len(one.docs) > 0
    cache = PostingsCache(budget_mb=one.nbytes * 1.5 / 1024 / 1024)
    cache.postings(segment, "body", "rate")
    cache.postings(segment, "body", "bank")
    assert cache.size <= cache.budget
    again = cache.postings(segment, "body", "rate")  # decoded again, equal to the first time
    assert again is not one and again.docs.tolist() == one.docs.tolist()
    assert again.weights.tolist() == one.weights.tolist()
    assert cache.postings(segment, "body", "no-such-word").docs.size == 0
    reader.close()


def test_a_new_commit_is_searched_with_the_cache_warm(tmp_path: Path, corpus_file: Path) -> None:
    index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    service = WhooshBackend(tmp_path / "ix")
    try:
        before = service.search(Search(query="rates")).total
        extra = write_jsonl(tmp_path / "extra.jsonl", [{**CORPUS[0], "id": "new1"}])
        index_paths([extra], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
        assert service.search(Search(query="rates")).total == before + 1
    finally:
        service.close()

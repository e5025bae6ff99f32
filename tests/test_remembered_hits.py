"""A hit's article and words are remembered (SegmentCache.hits): searched again, the page is the same as worked out
afresh, a commit's new text is never served from the memory, and the memory stays within its bytes."""

from __future__ import annotations

from pathlib import Path

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Paging, Search
from indexer.whoosh import WhooshBackend
from indexer.whoosh.facets import Remembered

from .conftest import write_jsonl

QUERIES = ["oil", "bank rates", "crude OR wheat", '"oil prices"', "pri*", "trade NEAR/5 deficit", ""]


def pages(backend: WhooshBackend) -> list[object]:
    return [backend.search(Search(query=q), Paging(per_page=50)).hits for q in QUERIES]


def test_remembered_hits_give_the_pages_worked_out_afresh(index_dir: Path) -> None:
    backend = WhooshBackend(index_dir)
    try:
        fresh = pages(backend)
        assert any(hit.snippet and "<mark>" in hit.snippet for found in fresh for hit in found)  # type: ignore[attr-defined]
        assert len(backend._cache.hits._values) > 0
        assert pages(backend) == fresh  # from the memory
        backend.clear_caches()
        assert len(backend._cache.hits._values) == 0
        assert pages(backend) == fresh
    finally:
        backend.close()


def test_a_changed_article_is_not_served_from_the_memory(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    first = {"id": "a1", "headline": "Grain report", "body": "Wheat harvest falls in the plains.", "date": "1987-03-01"}
    index_paths([write_jsonl(tmp_path / "one.jsonl", [first])], open_backend("whoosh", folder), IndexOptions(procs=1))
    backend = WhooshBackend(folder)
    try:
        assert [h.snippet for h in backend.search(Search(query="wheat")).hits] == [
            "<mark>Wheat</mark> harvest falls in the plains"]
        changed = {**first, "body": "Rain lifts the wheat crop."}
        index_paths([write_jsonl(tmp_path / "two.jsonl", [changed])], open_backend("whoosh", folder),
                    IndexOptions(procs=1))
        assert [h.snippet for h in backend.search(Search(query="wheat")).hits] == [
            "Rain lifts the <mark>wheat</mark> crop"]
        backend.optimize()  # one segment again: the new text has the old one's document number
        assert [h.snippet for h in backend.search(Search(query="wheat")).hits] == [
            "Rain lifts the <mark>wheat</mark> crop"]
    finally:
        backend.close()


def test_the_memory_keeps_to_its_weight() -> None:
    memory: Remembered[str] = Remembered(100, len)
    for key in range(30):
        assert memory.get(key, lambda key=key: "x" * 10) == "x" * 10
    assert memory._weight <= 100 and len(memory._values) == 10
    assert list(memory._values)[0] == 20  # the oldest forgotten first
    memory.get(25, lambda: "unused")  # used again: the newest now
    memory.get(99, lambda: "y" * 95)  # a heavy one: the others make room for it
    assert memory._weight <= 100 and list(memory._values) == [99]
    memory.get(99, lambda: "unused")
    memory.clear()
    assert memory._weight == 0 and not memory._values

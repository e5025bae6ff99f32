"""The contract of writing: indexing runs upsert by id and delete through any backend; readers see each commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from indexer.backend import Batch, SearchBackend
from indexer.build import IndexOptions, index_paths
from indexer.errors import ArticleNotFoundError, IndexNotFoundError
from indexer.maintenance import delete_articles, optimize_index
from indexer.records import Article
from indexer.request import Search

from ..conftest import CORPUS, write_jsonl

Make = Callable[[Path], SearchBackend]


def found(backend: SearchBackend, query: str) -> list[str]:
    return [hit.id for hit in backend.search(Search(query=query, sort="newest")).hits]


def test_a_backend_opens_before_its_index_exists_and_says_how_to_build_one(tmp_path: Path, make: Make) -> None:
    backend = make(tmp_path / "none")
    for call in (lambda: backend.search(Search()), backend.stats, backend.article_count,
                 lambda: backend.article("a1")):
        with pytest.raises(IndexNotFoundError, match="newsarchive index PATH"):
            call()
    assert not (tmp_path / "none").exists()
    assert not backend.check().healthy


def test_a_re_run_replaces_a_changed_article_by_id(tmp_path: Path, make: Make) -> None:
    source = write_jsonl(tmp_path / "c.jsonl", CORPUS)
    index_paths([source], make(tmp_path / "ix"), IndexOptions(procs=1))
    reader = make(tmp_path / "ix")
    assert found(reader, "storm battered") == ["a2"]
    changed = [dict(r, title="Flood swamps valley", body="The river flooded the valley.") if r["id"] == "a2" else r
               for r in CORPUS]
    report = index_paths([write_jsonl(source, changed)], make(tmp_path / "ix"), IndexOptions(procs=1))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 6)
    assert found(reader, "flooded valley") == ["a2"]  # the same reader sees the commit, without a restart
    assert found(reader, "storm battered") == []
    assert reader.stats().documents == len(CORPUS)
    assert reader.article("a2").headline == "Flood swamps valley"


def test_delete_removes_articles_and_names_the_missing(tmp_path: Path, make: Make) -> None:
    index_paths([write_jsonl(tmp_path / "c.jsonl", CORPUS)], make(tmp_path / "ix"), IndexOptions(procs=1))
    report = delete_articles(make(tmp_path / "ix"), ["a1", "a5", "nope"])
    assert report.deleted == ["a1", "a5"] and report.missing == ["nope"]
    reader = make(tmp_path / "ix")
    assert reader.stats().documents == len(CORPUS) - 2
    assert found(reader, "interest rates") == []
    with pytest.raises(ArticleNotFoundError):
        reader.article("a1")
    with pytest.raises(IndexNotFoundError):
        delete_articles(make(tmp_path / "none"), ["a1"])


def article(article_id: str, headline: str, day: int = 1) -> Article:
    return Article(id=article_id, headline=headline, body=f"{headline} in the body.", date=datetime(2022, 3, day),
                   source="Wire")


def test_a_batch_adds_replaces_and_deletes_in_one_commit(tmp_path: Path, make: Make) -> None:
    backend = make(tmp_path / "ix")
    backend.prepare()
    assert backend.article_count() == 0 and backend.segment_count() == 0
    backend.commit(Batch(articles={"x1": (article("x1", "Harbour crane collapses"), False),
                                   "x2": (article("x2", "Ferry strike ends", 2), False)}))
    assert backend.article_count() == 2 and found(backend, "crane") == ["x1"]
    backend.commit(Batch(articles={"x1": (article("x1", "Harbour crane repaired"), True)}, deletes=["x2"]))
    assert backend.article_count() == 1
    assert found(backend, "repaired") == ["x1"] and found(backend, "collapses") == [] and found(backend, "ferry") == []
    backend.prepare(rebuild=True)
    assert backend.article_count() == 0 and backend.search(Search()).total == 0


def test_optimize_keeps_every_article_and_every_answer(tmp_path: Path, make: Make) -> None:
    for n, record in enumerate(CORPUS):  # one commit each: several segments to merge
        index_paths([write_jsonl(tmp_path / f"c{n}.jsonl", [record])], make(tmp_path / "ix"), IndexOptions(procs=1))
    delete_articles(make(tmp_path / "ix"), ["a7"])
    reader = make(tmp_path / "ix")
    before = {query: found(reader, query) for query in ("rates", "storm", "")}
    report = optimize_index(make(tmp_path / "ix"))
    assert 1 <= report.segments_after <= report.segments_before  # Whoosh: one segment (test_merging.py)
    assert {query: found(reader, query) for query in before} == before
    assert reader.stats().documents == len(CORPUS) - 1


def test_a_healthy_index_checks_healthy(backend: SearchBackend) -> None:
    report = backend.check(thorough=True)
    assert report.healthy, [f.what for f in report.findings if f.level != "ok"]
    assert report.documents == len(CORPUS)


@pytest.fixture
def make(make_backend: Make) -> Make:
    return make_backend

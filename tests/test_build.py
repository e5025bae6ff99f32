"""Indexing: updates by id, unchanged re-runs, deletes, batches, locks, bad input and crashes."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import indexer.build
import indexer.whoosh.bulk
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.errors import IndexLockedError
from indexer.maintenance import delete_articles
from indexer.manifest import MANIFEST_NAME
from indexer.processes import GC_THRESHOLDS, collecting_less
from indexer.records import Article
from indexer.request import Search
from indexer.runlock import run_lock
from indexer.sourcefiles import count_files
from indexer.whoosh.storage import open_index

from .conftest import CORPUS, write_jsonl


def count(index_dir: Path, query: str = "") -> int:
    service = open_backend(folder=index_dir)
    try:
        return service.search(Search(query=query)).total
    finally:
        service.close()


def test_first_run_adds_everything(tmp_path: Path, corpus_file: Path) -> None:
    report = index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert (report.added, report.updated, report.unchanged, report.deleted) == (7, 0, 0, 0)
    assert report.files_read == 1 and report.commits == 1 and not report.skipped
    assert count(tmp_path / "ix") == 7


def test_rerun_over_unchanged_files_skips_them(tmp_path: Path, corpus_file: Path) -> None:
    index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    report = index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert (report.added, report.updated, report.unchanged) == (0, 0, 7)
    assert report.files_read == 0 and report.files_unchanged == 1 and report.commits == 0
    assert count(tmp_path / "ix") == 7


def test_touched_file_with_same_articles_changes_nothing(tmp_path: Path, corpus_file: Path) -> None:
    index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    os.utime(corpus_file, ns=(1, 1))
    report = index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert report.files_read == 1 and (report.added, report.updated, report.unchanged) == (0, 0, 7)
    assert report.commits == 0


def test_changed_and_removed_records_update_by_id(tmp_path: Path, corpus_file: Path) -> None:
    index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    records = [dict(r) for r in CORPUS if r["id"] != "a7"]
    records[0]["title"] = "Fed lifts interest rates once more"
    records.append({"id": "a8", "title": "Harvest festival opens", "body": "Farmers celebrated.", "date": "2022-09-01"})
    write_jsonl(corpus_file, records)
    report = index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert (report.added, report.updated, report.unchanged, report.deleted) == (1, 1, 5, 1)
    assert count(tmp_path / "ix") == 7
    assert count(tmp_path / "ix", "headline:lifts") == 1
    assert count(tmp_path / "ix", "headline:raises") == 0  # the old version is gone, not duplicated
    assert count(tmp_path / "ix", "undated") == 0


def test_same_articles_in_two_files_are_not_duplicated(tmp_path: Path, corpus_file: Path) -> None:
    copy = write_jsonl(tmp_path / "copy.jsonl", CORPUS[:2])
    report = index_paths([corpus_file, copy], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert count(tmp_path / "ix") == 7
    assert len([n for n in report.notices if "duplicate id" in n.reason]) == 2


def test_duplicate_ids_in_one_batch_keep_the_later_record(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dup.jsonl", [
        {"id": "x", "title": "First version", "body": "alpha"},
        {"id": "x", "title": "Second version", "body": "beta"},
    ])
    report = index_paths([path], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert count(tmp_path / "ix") == 1 and count(tmp_path / "ix", "beta") == 1
    assert any("duplicate id" in n.reason for n in report.notices)


def test_rebuild_starts_afresh(tmp_path: Path, corpus_file: Path) -> None:
    index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    other = write_jsonl(tmp_path / "other.jsonl", [{"id": "z", "title": "Only one", "body": "text"}])
    report = index_paths([other], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, rebuild=True))
    assert report.added == 1 and count(tmp_path / "ix") == 1


def test_batches_commit_separately(tmp_path: Path, corpus_file: Path) -> None:
    report = index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, batch_size=1))
    assert report.commits >= 1 and count(tmp_path / "ix") == 7
    many = write_jsonl(tmp_path / "many.jsonl", [{"id": f"m{i}", "title": f"Story {i}", "body": "x"} for i in range(9)])
    report = index_paths([many], open_backend(folder=tmp_path / "ix2"), IndexOptions(procs=1, batch_size=4))
    assert report.commits == 3 and count(tmp_path / "ix2") == 9  # a large file commits in batches too
    files = [write_jsonl(tmp_path / f"f{i}.jsonl", [{"id": f"f{i}", "title": "t", "body": "b"}]) for i in range(5)]
    report = index_paths(files, open_backend(folder=tmp_path / "ix3"), IndexOptions(procs=1, batch_size=2))
    assert report.commits == 3 and count(tmp_path / "ix3") == 5  # 2 + 2 + 1


def test_the_engine_hears_how_large_the_batch_being_read_has_grown(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every EXPECT_EVERY articles read into a batch, the engine is told (the Whoosh engine starts its writing
    processes then, for a batch that will be spread over them)."""
    monkeypatch.setattr(indexer.build, "EXPECT_EVERY", 4)
    backend = open_backend(folder=tmp_path / "ix")
    heard: list[tuple[int, int]] = []
    monkeypatch.setattr(backend, "expect", lambda articles, procs=1: heard.append((articles, procs)))
    records = [{"id": f"m{i}", "title": f"Story {i}", "body": "x"} for i in range(19)]
    many = write_jsonl(tmp_path / "many.jsonl", records)
    report = index_paths([many], backend, IndexOptions(procs=2, batch_size=10))
    assert report.commits == 2 and count(tmp_path / "ix") == 19
    assert heard == [(4, 2), (8, 2), (4, 2), (8, 2)]


def test_a_run_on_several_processes_sends_a_smaller_first_batch(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The writing processes start on a first batch of FIRST_BATCH articles rather than wait for a whole one."""
    monkeypatch.setattr(indexer.build, "FIRST_BATCH", 3)
    records = [{"id": f"m{i}", "title": f"Story {i}", "body": "x"} for i in range(19)]
    many = write_jsonl(tmp_path / "many.jsonl", records)
    for procs, sizes in ((2, [3, 10, 6]), (1, [10, 9])):
        backend = open_backend(folder=tmp_path / f"ix{procs}")
        committed: list[int] = []
        real_commit = backend.commit

        def commit(batch: Any, procs: int = 1, real_commit: Any = real_commit,
                   committed: list[int] = committed) -> None:
            committed.append(len(batch.articles))
            real_commit(batch, procs)

        monkeypatch.setattr(backend, "commit", commit)
        report = index_paths([many], backend, IndexOptions(procs=procs, batch_size=10))
        assert committed == sizes and report.commits == len(sizes) and count(tmp_path / f"ix{procs}") == 19


def _stories(index_dir: Path) -> dict[str, str]:
    with sqlite3.connect(index_dir / "stories.sqlite3") as db:
        return dict(db.execute("SELECT id, story FROM articles"))


def test_a_commit_that_fails_in_the_background_fails_the_run_and_a_rerun_completes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch commits while the next is read and given its names and stories: when that commit fails, the run
    raises its error once the next batch is ready, keeps the batches committed before, and a re-run gives what a
    run without the failure gives (the same articles, the same stories: copies of one story across batches)."""
    stories = [
        "Oil prices rose as traders weighed the supply outlook for the coming weeks and the cartel's next meeting, "
        "analysts in London and New York said on Thursday after a volatile session.",
        "The central bank left its main interest rate unchanged and signalled that inflation would ease later in the "
        "year, its governor told reporters at a news conference in the capital.",
        "Heavy rains flooded farmland across the northern provinces, damaging the wheat harvest and cutting roads "
        "to several villages, local officials said, as rescue teams reached stranded families.",
    ]
    records = [{"id": f"c{i}", "title": f"Wire story {i % 3}", "date": "2020-01-02", "body": stories[i % 3]}
               for i in range(12)]
    corpus = write_jsonl(tmp_path / "wire.jsonl", records)
    options = IndexOptions(procs=1, batch_size=4)
    clean = index_paths([corpus], open_backend(folder=tmp_path / "clean"), options)
    backend = open_backend(folder=tmp_path / "ix")
    real_commit = backend.commit
    commits: list[int] = []

    def fail_second(batch: Any, procs: int = 1) -> None:
        commits.append(len(batch.articles))
        if len(commits) == 2:
            raise OSError("disk full")
        real_commit(batch, procs)

    monkeypatch.setattr(backend, "commit", fail_second)
    with pytest.raises(OSError, match="disk full"):
        index_paths([corpus], backend, options)
    assert commits == [4, 4] and count(tmp_path / "ix") == 4
    assert set(_stories(tmp_path / "ix")) <= {f"c{i}" for i in range(12)}
    monkeypatch.setattr(backend, "commit", real_commit)
    again = index_paths([corpus], open_backend(folder=tmp_path / "ix"), options)
    assert (again.added + again.updated, clean.added) == (8, 12) and count(tmp_path / "ix") == 12
    assert _stories(tmp_path / "ix") == _stories(tmp_path / "clean")
    assert len(set(_stories(tmp_path / "clean").values())) == 3


def test_parallel_writer_gives_the_same_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexer.whoosh.bulk, "PARALLEL_MIN_DOCS", 10)
    records = [{"id": f"p{i}", "title": f"Story {i}", "body": f"word{i % 7} common",
                "date": f"2020-01-{i % 28 + 1:02d}"} for i in range(300)]
    path = write_jsonl(tmp_path / "p.jsonl", records)
    report = index_paths([path], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=2))
    assert report.added == 300
    assert count(tmp_path / "ix") == 300 and count(tmp_path / "ix", "word3") == len(range(3, 300, 7))
    again = index_paths([path], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=2, rebuild=True))
    assert again.added == 300 and count(tmp_path / "ix") == 300


def test_bad_records_are_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.jsonl").write_text(
        json.dumps({"id": "g1", "title": "Good one", "body": "fine"}) + "\n{not json\n"
        + json.dumps({"id": "g2", "title": "Good two", "body": "fine"}) + "\n", encoding="utf-8")
    (folder / "broken.json").write_text("[{\"title\": ", encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    report = index_paths([folder], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert report.added == 2 and count(tmp_path / "ix") == 2
    where = {(Path(s.path).name, s.where) for s in report.skipped}
    assert ("good.jsonl", "line 2") in where
    assert {"broken.json", "image.png"} <= {name for name, _ in where}


def test_files_with_problems_are_read_again_next_run(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "g1", "title": "Good", "body": "x"}) + "\n{bad\n", encoding="utf-8")
    index_paths([path], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    report = index_paths([path], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert len(report.skipped) == 1 and report.unchanged == 1  # still reported until fixed


def test_a_file_that_turns_unreadable_keeps_its_articles(tmp_path: Path, corpus_file: Path) -> None:
    index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    corpus_file.write_bytes(b"\x00\x01\x02 binary garbage \x00" * 50)
    report = index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, format="jsonl"))
    assert report.skipped and report.deleted == 0
    assert count(tmp_path / "ix") == 7


def test_delete_articles(tmp_path: Path, index_dir: Path) -> None:
    report = delete_articles(open_backend(folder=index_dir), ["a1", "a2", "nope"])
    assert report.deleted == ["a1", "a2"] and report.missing == ["nope"]
    assert count(index_dir) == 5 and count(index_dir, "storm") == 1


def test_a_second_run_is_refused_while_one_is_writing(tmp_path: Path, corpus_file: Path) -> None:
    with run_lock(tmp_path / "ix"), pytest.raises(IndexLockedError, match="another newsarchive process"):
        index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))


def test_another_whoosh_writer_gives_a_clear_error(index_dir: Path, corpus_file: Path) -> None:
    os.utime(corpus_file, ns=(5, 5))
    (corpus_file.parent / "new.jsonl").write_text(json.dumps({"id": "n", "title": "New", "body": "x"}) + "\n")
    writer = open_index(index_dir).writer()
    try:
        with pytest.raises(IndexLockedError, match="locked by another writer"):
            index_paths([corpus_file.parent / "new.jsonl"], open_backend(folder=index_dir), IndexOptions(procs=1))
    finally:
        writer.cancel()


def test_a_crash_keeps_committed_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [write_jsonl(tmp_path / f"f{i}.jsonl", [{"id": f"f{i}", "title": f"Title {i}", "body": "b"}])
             for i in range(6)]
    real_parse = indexer.build.parse_path

    def crash_on_fifth(path: Path, fmt: str | None, source: str) -> Iterator[Article]:
        if path.name == "f4.jsonl":
            raise RuntimeError("simulated crash")
        yield from real_parse(path, fmt, source)  # type: ignore[misc]

    monkeypatch.setattr(indexer.build, "parse_path", crash_on_fifth)
    with pytest.raises(RuntimeError, match="simulated crash"):
        index_paths(files, open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, batch_size=2))
    assert count(tmp_path / "ix") == 4  # two committed batches of two; nothing half-written
    monkeypatch.setattr(indexer.build, "parse_path", real_parse)
    report = index_paths(files, open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, batch_size=2))
    assert (report.added, report.unchanged) == (2, 4) and count(tmp_path / "ix") == 6


def test_a_large_file_s_committed_articles_are_recorded_once_each(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Each commit records the articles of the file being read that it wrote, not all of them again (a
    # million-article file made that quadratic: 99 million rows written for 1M articles in 5,000-article batches).
    big = write_jsonl(tmp_path / "big.jsonl", [{"id": f"r{i}", "title": f"Report {i}", "body": "t"} for i in range(10)])
    written: list[list[str]] = []
    real_add = indexer.build.Manifest.add_articles

    def add_articles(self: indexer.build.Manifest, path: str, articles: dict[str, str]) -> None:
        written.append(list(articles))
        real_add(self, path, articles)

    monkeypatch.setattr(indexer.build.Manifest, "add_articles", add_articles)
    index_paths([big], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, batch_size=3))
    assert written == [["r0", "r1", "r2"], ["r3", "r4", "r5"], ["r6", "r7", "r8"]]
    assert index_paths([big], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1)).files_unchanged == 1


def test_progress_is_reported_once_per_file(tmp_path: Path, corpus_file: Path) -> None:
    other = write_jsonl(tmp_path / "other.jsonl", [{"id": "o", "title": "Other", "body": "x"}])
    seen: list[str] = []
    index_paths([corpus_file, other], open_backend(folder=tmp_path / "ix"),
                IndexOptions(procs=1), progress=lambda p: seen.append(p.name))
    assert seen == ["corpus.jsonl", "other.jsonl"]
    assert count_files([corpus_file, other], tmp_path / "ix") == 2


def test_an_index_of_another_schema_version_must_be_rebuilt(tmp_path: Path, corpus_file: Path) -> None:
    import sqlite3

    from indexer.errors import NewsArchiveError

    index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    with sqlite3.connect(tmp_path / "ix" / "newsarchive.sqlite3") as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(NewsArchiveError, match="--rebuild"):
        open_backend(folder=tmp_path / "ix").stats()
    with pytest.raises(NewsArchiveError, match="schema 1"):
        index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    report = index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, rebuild=True))
    assert report.added == 7 and count(tmp_path / "ix") == 7


def test_a_crash_inside_a_large_file_keeps_its_committed_batches_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [{"id": f"r{i}", "title": f"Report {i}", "body": "text"} for i in range(10)]
    big = write_jsonl(tmp_path / "big.jsonl", records)
    real_parse = indexer.build.parse_path

    def crash_after_seven(path: Path, fmt: str | None, source: str) -> Iterator[Article]:
        for number, item in enumerate(real_parse(path, fmt, source)):  # type: ignore[misc]
            if number == 7:
                raise RuntimeError("simulated crash")
            yield item

    monkeypatch.setattr(indexer.build, "parse_path", crash_after_seven)
    with pytest.raises(RuntimeError):
        index_paths([big], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, batch_size=3))
    assert count(tmp_path / "ix") == 6  # two batches of three committed
    monkeypatch.setattr(indexer.build, "parse_path", real_parse)
    report = index_paths([big], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, batch_size=3))
    assert count(tmp_path / "ix") == 10 and (report.added, report.unchanged) == (4, 6)
    assert index_paths([big], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1)).files_unchanged == 1


def test_prune_removes_the_articles_of_files_that_are_gone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "old").mkdir(parents=True)
    write_jsonl(data / "old" / "a.jsonl", CORPUS[:3])
    write_jsonl(data / "b.jsonl", CORPUS[3:])
    elsewhere = write_jsonl(tmp_path / "elsewhere.jsonl", [{"id": "e1", "title": "Elsewhere", "body": "Kept."}])
    index_paths([data, elsewhere], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    (data / "old" / "a.jsonl").unlink()
    elsewhere.unlink()
    kept = index_paths([data], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert (kept.deleted, kept.files_pruned) == (0, 0) and count(tmp_path / "ix") == 8
    report = index_paths([data], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, prune=True))
    # Only files under the given paths are pruned: elsewhere.jsonl was not named, so its article stays.
    assert (report.deleted, report.files_pruned) == (3, 1)
    assert count(tmp_path / "ix") == 5 and count(tmp_path / "ix", "elsewhere") == 1


def test_an_article_moved_to_another_file_survives_pruning_the_old_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "a.jsonl", CORPUS[:2])
    index_paths([data], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    (data / "a.jsonl").rename(data / "renamed.jsonl")
    report = index_paths([data], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, prune=True))
    assert report.files_pruned == 1 and count(tmp_path / "ix") == 2
    again = index_paths([data], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, prune=True))
    assert (again.files_read, again.files_pruned, again.unchanged) == (0, 0, 2)


def test_an_index_inside_the_folder_being_indexed_is_not_read(tmp_path: Path, corpus_file: Path) -> None:
    index_paths([tmp_path], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    report = index_paths([tmp_path], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert not report.skipped and report.files_unchanged == 1 and count(tmp_path / "ix") == 7


def test_a_manifest_of_the_previous_release_is_upgraded_and_keeps_skipping_unchanged_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "a.jsonl", CORPUS[:3])
    write_jsonl(data / "b.jsonl", CORPUS[3:])
    index_paths([data], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    # The previous release keyed the articles table by id alone (one file per article).
    db = sqlite3.connect(tmp_path / "ix" / MANIFEST_NAME)
    db.executescript("""
        ALTER TABLE articles RENAME TO articles_now; DROP INDEX articles_path;
        CREATE TABLE articles (id TEXT PRIMARY KEY, path TEXT NOT NULL, fingerprint TEXT NOT NULL);
        CREATE INDEX articles_path ON articles (path);
        INSERT INTO articles SELECT id, path, fingerprint FROM articles_now; DROP TABLE articles_now;
    """)
    db.close()
    report = index_paths([data], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    assert (report.files_unchanged, report.unchanged, report.added, report.updated) == (2, 7, 0, 0)
    db = sqlite3.connect(tmp_path / "ix" / MANIFEST_NAME)
    keys = db.execute("SELECT name FROM pragma_table_info('articles') WHERE pk > 0 ORDER BY pk").fetchall()
    rows = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    db.close()
    assert [k[0] for k in keys] == ["id", "path"] and rows == 7
    (data / "a.jsonl").unlink()
    assert index_paths([data], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, prune=True)).deleted == 3
    assert count(tmp_path / "ix") == 4


def test_did_you_mean_is_remembered_per_commit_and_a_new_commit_forgets_it(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.whoosh import spelling

    index = tmp_path / "index"
    index_paths([write_jsonl(tmp_path / "corpus.jsonl", CORPUS)], open_backend(folder=index), IndexOptions(procs=1))
    looked_up: list[str] = []
    real = spelling.correct_word

    def counted(reader: object, analyzer: object, word: str) -> str | None:
        looked_up.append(word)
        return real(reader, analyzer, word)

    monkeypatch.setattr(spelling, "correct_word", counted)
    backend = open_backend(folder=index)
    try:
        assert backend.search(Search(query="inflaton")).suggestion == "inflation"
        assert backend.search(Search(query="inflaton")).suggestion == "inflation"
        assert backend.search(Search(query="stoorm inflaton", match="any")).suggestion == "storm inflation"
        assert looked_up == ["inflaton", "stoorm"]  # each word looked up once while the index is unchanged
        # An article that prints the "misspelling" makes it a word the archive knows: no correction any more.
        more = write_jsonl(tmp_path / "more.jsonl", [{"id": "n1", "title": "Inflaton", "body": "The inflaton field."}])
        index_paths([more], open_backend(folder=index), IndexOptions(procs=1))
        page = backend.search(Search(query="inflaton"))
        assert page.total == 1 and page.suggestion is None
    finally:
        backend.close()


def test_a_run_collects_garbage_less_often_and_as_before_once_it_ends(tmp_path: Path, corpus_file: Path) -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    backend = open_backend(folder=tmp_path / "ix")
    real_commit = backend.commit

    def commit(batch: Any, procs: int = 1) -> None:
        seen.append(gc.get_threshold())
        real_commit(batch, procs)

    backend.commit = commit  # type: ignore[method-assign]
    with collecting_less():  # a run inside another's (two folders indexed at once): the outer one restores
        index_paths([corpus_file], backend, IndexOptions(procs=1))
        assert gc.get_threshold() == GC_THRESHOLDS
    assert seen == [GC_THRESHOLDS] and gc.get_threshold() == before and gc.get_freeze_count() == 0

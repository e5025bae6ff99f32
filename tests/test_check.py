"""`newsarchive check`: a healthy index passes; each kind of damage is found and comes with what to do."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.results import PROBLEM, WARNING, CheckReport
from indexer.runlock import run_lock
from indexer.whoosh.check import check_index


def levels(report: CheckReport, level: str) -> list[str]:
    return [f"{f.what} -> {f.advice}" for f in report.findings if f.level == level]


def test_a_healthy_index(index_dir: Path) -> None:
    for thorough in (False, True):
        report = check_index(index_dir, thorough=thorough)
        assert report.healthy and not levels(report, WARNING), report.findings
        assert (report.documents, report.segments) == (7, 1)


def test_no_index_says_how_to_build_one(tmp_path: Path) -> None:
    report = check_index(tmp_path / "nothing")
    assert not report.healthy and "newsarchive index PATH... --index" in levels(report, PROBLEM)[0]


def test_another_schema_version_says_rebuild(index_dir: Path) -> None:
    with sqlite3.connect(index_dir / "newsarchive.sqlite3") as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    report = check_index(index_dir)
    assert not report.healthy and "--rebuild" in levels(report, PROBLEM)[0]


# Whoosh leaves the file of a segment it failed to open for the garbage collector to close.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_damaged_segment_is_a_problem(index_dir: Path) -> None:
    segment = next(index_dir.glob("MAIN_*.seg"))
    data = segment.read_bytes()
    segment.write_bytes(data[: len(data) // 2])
    report = check_index(index_dir, thorough=True)
    assert not report.healthy
    assert any("cannot" in p and "--rebuild" in p for p in levels(report, PROBLEM)), report.findings


def test_articles_the_manifest_records_but_the_index_lacks(index_dir: Path) -> None:
    with sqlite3.connect(index_dir / "newsarchive.sqlite3") as db:
        db.execute("INSERT INTO articles VALUES ('ghost', '/gone.jsonl', 'x')")
    quick = check_index(index_dir)
    assert quick.healthy and "records 8 articles, the index holds 7" in levels(quick, WARNING)[0]
    assert "--thorough" in levels(quick, WARNING)[0]
    with sqlite3.connect(index_dir / "newsarchive.sqlite3") as db:
        db.execute("DELETE FROM articles WHERE id = 'a1'")
    thorough = check_index(index_dir, thorough=True)
    assert not thorough.healthy and "'ghost'" in levels(thorough, PROBLEM)[0]
    assert "'a1'" in levels(thorough, WARNING)[0]


def test_leftover_files_and_a_running_writer_are_warnings(index_dir: Path) -> None:
    (index_dir / "MAIN_leftover0000000.seg").write_bytes(b"half written")
    with run_lock(index_dir):
        report = check_index(index_dir)
    warnings = levels(report, WARNING)
    assert report.healthy and len(warnings) == 2
    assert "MAIN_leftover0000000.seg" in warnings[0] and "is writing now" in warnings[1]


def test_check_command(index_dir: Path, tmp_path: Path) -> None:
    from newsarchive.cli import main

    ok = CliRunner().invoke(main, ["check", "--index", str(index_dir)])
    assert ok.exit_code == 0 and f"{index_dir}: healthy (" in ok.output
    assert "     ok  1 segment(s) open" in ok.output
    as_json = json.loads(CliRunner().invoke(main, ["check", "--index", str(index_dir), "--json"]).output)
    assert as_json["healthy"] is True and as_json["documents"] == 7
    missing = CliRunner().invoke(main, ["check", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "PROBLEM  no index at" in missing.output and "NOT healthy" in missing.output


def test_autocomplete_s_word_store_is_checked(index_dir: Path) -> None:
    words = index_dir / "words.sqlite3"
    with sqlite3.connect(words) as db:
        word, count = db.execute("SELECT key, articles FROM terms ORDER BY key LIMIT 1").fetchone()
        db.execute("UPDATE terms SET articles = articles + 5 WHERE key = ?", (word,))
    assert check_index(index_dir).healthy  # the quick check sees the store counts the latest commit
    thorough = check_index(index_dir, thorough=True)
    assert not thorough.healthy
    assert f"{word!r}: {count + 5} articles, not {count}" in levels(thorough, PROBLEM)[0]
    assert "delete" in levels(thorough, PROBLEM)[0] and "words.sqlite3" in levels(thorough, PROBLEM)[0]
    with sqlite3.connect(words) as db:
        db.execute("UPDATE meta SET value = '0' WHERE name = 'generation'")
    assert "an earlier commit of the index (0 of" in levels(check_index(index_dir), WARNING)[0]
    words.unlink()
    report = check_index(index_dir, thorough=True)
    assert report.healthy and "no autocomplete word store" in levels(report, WARNING)[0]
    assert not words.exists()  # checking writes nothing

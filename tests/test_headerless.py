"""Folders of headerless plain-text articles (headline, blank line, paragraphs), one folder per section.

The most common plain-text news dataset layout: `business/001.txt`, `sport/042.txt`, no byline or date. Indexed
with `--folder-as topic`, every distinct story is one article with its section as topic; copies filed twice
count once; what is not an article (a README, a licence, a table, one paragraph) is skipped with the reason.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.parsers import reuters
from indexer.records import Article
from indexer.request import Paging, Search
from newsarchive.cli import main

from .conftest import REUTERS

DEMO = Path(__file__).resolve().parents[1] / "demo"
NOT_ARTICLES = {
    "README.txt": "About this collection\n\nStories from the Valley Courier, 2019 to 2024, one folder a section.\n",
    "terms.txt": "Terms of use\n\nCopyright 2024 Valley Courier. All rights reserved. Permission is hereby granted "
                 "to copy for research.\n",
    "table.txt": "Tides at Kestrel Bay\n\n" + "".join(
        f"{day} {week} | 06:{week}2 | 18:{week}0\n" for week in range(1, 4) for day in ("Mon", "Tue", "Wed", "Thu")),
    "note.txt": "Call the newsdesk about Thursday's ferry piece and the photographs from the quay.\n",
}


def write_sections(root: Path) -> dict[str, str]:
    """Write the demo's wire stories as section/NNN.txt (headline, blank, paragraphs); return file -> section."""
    written: dict[str, str] = {}
    records = [json.loads(line) for line in (DEMO / "wire.jsonl").read_text(encoding="utf-8").splitlines()]
    for number, record in enumerate(records, start=1):
        section = record["section"].lower()
        path = root / section / f"{number:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{record['title']}\n\n{record['body']}\n", encoding="utf-8")
        written[str(path.relative_to(root))] = section
    return written


def test_a_folder_of_sections_indexes_every_distinct_story_with_its_section(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    files = write_sections(root)
    sections = Counter(files.values())
    # The same story filed twice: in its own folder under another name, and with other spacing.
    first = sorted(files)[0]
    copy = (root / first).read_text(encoding="utf-8")
    (root / first).with_name("copy.txt").write_text(copy.replace("\n", "\r\n") + "\n\n", encoding="utf-8")
    for name, text in NOT_ARTICLES.items():
        (root / name).write_text(text, encoding="utf-8")

    result = CliRunner().invoke(main, ["index", str(root), "--index", str(tmp_path / "ix"), "--folder-as", "topic"])
    assert result.exit_code == 0, result.output
    # README.txt in a folder is passed over as documentation (not read); the other three are read and skipped.
    assert f"{len(files)} added" in result.stdout and f"{len(NOT_ARTICLES) - 1} skipped" in result.stdout
    for name, reason in [("README.txt", None), ("terms.txt", "a licence, not an article"),
                         ("table.txt", "not prose"), ("note.txt", "nothing after the first line")]:
        if reason:
            assert re.search(rf"{re.escape(name)}: not in the plain-text article layout: .*{reason}", result.stderr)
    assert "duplicate id" in result.stderr  # the copy is reported, and counted once

    service = open_backend(folder=tmp_path / "ix")
    try:
        everything = service.search(Search(), Paging(per_page=100))
        assert everything.total == len(files)
        assert {f.value: f.count for f in everything.facets["topic"]} == dict(sections)
        assert all(hit.author == () and hit.date is None for hit in everything.hits)
        hit = service.search(Search(query='"record spring catch"')).hits[0]
        assert hit.headline == "Kestrel Bay crab boats land a record spring catch" and hit.topic == ("business",)
    finally:
        service.close()


def test_folder_as_source_and_files_named_on_their_own(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    files = write_sections(root)
    single = root / next(name for name, section in sorted(files.items()) if section != "business")
    options = IndexOptions(procs=1, folder_as="source", source="Valley Courier")
    index_paths([root / "business", single], open_backend(folder=tmp_path / "ix"), options)
    service = open_backend(folder=tmp_path / "ix")
    try:
        sources = {f.value: f.count for f in service.search(Search()).facets["source"]}
        # Files found in the folder take its name; the file named on its own, --source.
        assert sources == {"business": Counter(files.values())["business"], "Valley Courier": 1}
    finally:
        service.close()


def test_folder_as_leaves_values_the_files_give(tmp_path: Path) -> None:
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / "a.jsonl").write_text(json.dumps(
        {"id": "x", "title": "Ferry", "body": "The ferry sailed.", "topic": "Transport", "source": "Gazette"}) + "\n"
        + json.dumps({"id": "y", "title": "Bus", "body": "The bus ran."}) + "\n", encoding="utf-8")
    index_paths([tmp_path], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, folder_as="topic"))
    service = open_backend(folder=tmp_path / "ix")
    try:
        assert service.article("x").topic == ("Transport",) and service.article("y").topic == ("wire",)
    finally:
        service.close()


def test_deleting_one_copy_of_a_story_filed_twice_keeps_the_story(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    files = write_sections(root)
    first = root / sorted(files)[0]
    copy = first.with_name("copy.txt")
    copy.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    options = IndexOptions(procs=1, folder_as="topic", prune=True)
    index_paths([root], open_backend(folder=tmp_path / "ix"), options)
    for gone in (copy, first):  # whichever copy goes first, the story stays while the other remains
        gone.unlink()
        report = index_paths([root], open_backend(folder=tmp_path / "ix"), options)
        service = open_backend(folder=tmp_path / "ix")
        try:
            total = service.search(Search()).total
        finally:
            service.close()
        assert total == len(files) - (gone == first), gone.name
        assert report.files_pruned == 1


@pytest.mark.skipif(not REUTERS.exists(), reason="Reuters-21578 is not in ../shared/data")
def test_real_newswire_as_headerless_files_by_topic(tmp_path: Path) -> None:
    # Reuters stories with one topic, written as BBC-style files: TITLE, blank line, one paragraph per line.
    # Not "earn": its stories are tables of results ("Shr loss six cts vs profit 19 cts"), not prose.
    topics = ("acq", "crude", "trade", "money-fx", "grain")
    stories = [a for name in ("reut2-001.sgm", "reut2-002.sgm", "reut2-003.sgm")
               for a in reuters.parse(REUTERS / "sgm-data" / name, "")
               if isinstance(a, Article) and len(a.topic) == 1 and a.topic[0] in topics and len(a.body.split()) >= 40]
    root = tmp_path / "reuters"
    for number, story in enumerate(stories):
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n {3,}", story.body)]
        path = root / story.topic[0] / f"{number:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(story.headline + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    report = index_paths([root], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, folder_as="topic"))
    # Measured: 425 stories, 1 skipped (a table of trading volumes), 1 filed twice by Reuters itself.
    assert len(stories) > 400 and len(report.skipped) <= 0.01 * len(stories), [str(s) for s in report.skipped]
    assert all("not prose" in s.reason for s in report.skipped)
    skipped = {s.path for s in report.skipped}
    distinct = {(p.parent.name, " ".join(p.read_text(encoding="utf-8").split())) for p in root.rglob("*.txt")
                if str(p) not in skipped}
    service = open_backend(folder=tmp_path / "ix")
    try:
        page = service.search(Search(), Paging(per_page=100))
        assert page.total == report.added == len(distinct)
        assert {f.value: f.count for f in page.facets["topic"]} == Counter(topic for topic, _ in distinct)
        assert service.search(Search(query="opec", topic=("crude",))).total > 0
    finally:
        service.close()

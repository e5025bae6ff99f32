"""The format registry: detection by extension and by content, forcing a format, and walking folders."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from indexer.errors import ParseError
from indexer.parsers import FORMATS, detect_format, iter_files, parse_path
from indexer.records import Article, Skipped

SGML = (
    '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n<REUTERS TOPICS="NO" NEWID="7">\n<DATE>26-FEB-1987 15:02:20.00</DATE>\n'
    "<TEXT>&#2;\n<TITLE>GRAIN SHIPS WAITING</TITLE>\n<BODY>Ten ships waited.\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n"
)
RECORD = {"title": "Dam opens", "body": "The dam opened."}
CONTENTS = {
    "reuters": SGML,
    "jsonl": json.dumps(RECORD) + "\n" + json.dumps({"title": "Second", "body": "Two."}) + "\n",
    "json": json.dumps([RECORD], indent=2),
    "csv": "title,body\nDam opens,The dam opened.\n",
    "text": "Dam opens\n\nJane Doe\nJune 4, 2021 - 10:30 am\nEnvironment\n\nThe dam opened.\n",
    "html": '<!DOCTYPE html>\n<html><head><meta property="og:type" content="article"><title>Dam opens</title></head>'
    "<body><article><h1>Dam opens</h1><p>The dam opened on Friday after ten years of work.</p></article></body></html>",
    "feed": '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>River Times</title>'
    "<item><title>Dam opens</title><description>The dam opened.</description></item></channel></rss>",
}


def test_every_format_is_registered() -> None:
    assert sorted(FORMATS) == ["csv", "feed", "html", "json", "jsonl", "reuters", "text", "warc"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("reut2-000.sgm", "reuters"),
        ("a.SGML", "reuters"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.json", "json"),
        ("a.csv", "csv"),
        ("a.tsv", "csv"),
        ("a.txt", "text"),
        ("story.html", "html"),
        ("STORY.HTM", "html"),
        ("news.rss", "feed"),
        ("news.atom", "feed"),
        ("crawl.warc", "warc"),
        ("crawl-00001.warc.gz", "warc"),
        ("CRAWL.WARC.GZ", "warc"),
    ],
)
def test_extension_decides(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text("whatever the content says", encoding="utf-8")
    assert detect_format(path) == expected


@pytest.mark.parametrize("expected", sorted(CONTENTS))
def test_content_decides_without_a_known_extension(tmp_path: Path, expected: str) -> None:
    path = tmp_path / "export.dat"
    path.write_text(CONTENTS[expected], encoding="utf-8")
    assert detect_format(path) == expected
    assert [type(item) for item in parse_path(path)][:1] == [Article]


def test_gzip_that_is_not_a_warc_is_unrecognised(tmp_path: Path) -> None:
    path = tmp_path / "backup.tar.gz"
    path.write_bytes(gzip.compress(b"not a web archive" * 100))
    assert detect_format(path) is None


def test_unrecognised_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "notes"
    path.write_text("just some notes\nwith no article layout\n", encoding="utf-8")
    assert detect_format(path) is None
    assert list(parse_path(path)) == [Skipped(str(path), "", "unrecognised format (use --format to choose one)")]


def test_binary_file_without_extension_is_unrecognised(tmp_path: Path) -> None:
    path = tmp_path / "image"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)
    assert detect_format(path) is None


def test_forcing_a_format(tmp_path: Path) -> None:
    path = tmp_path / "articles.txt"
    path.write_text(CONTENTS["jsonl"], encoding="utf-8")
    headlines = [item.headline for item in parse_path(path, format="jsonl") if isinstance(item, Article)]
    assert headlines == ["Dam opens", "Second"]


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    choices = "reuters, jsonl, json, warc, feed, html, csv, text"
    with pytest.raises(ParseError, match=rf"unknown format 'xml'; choose one of: {choices}"):
        list(parse_path(tmp_path / "a.xml", format="xml"))


def test_source_reaches_the_articles(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(CONTENTS["text"], encoding="utf-8")
    articles = [item for item in parse_path(path, source="River Times") if isinstance(item, Article)]
    assert [article.source for article in articles] == ["River Times"]


def test_missing_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "gone.json"
    assert list(parse_path(path)) == [Skipped(str(path), "", "cannot read file: No such file or directory")]


def test_readme_in_an_archive_folder_is_skipped_not_indexed(tmp_path: Path) -> None:
    path = tmp_path / "README.txt"
    path.write_text("About this archive\n\nThese files were exported from the CMS.\n", encoding="utf-8")
    (item,) = parse_path(path)
    assert isinstance(item, Skipped)
    assert item.reason == ("not in the plain-text article layout: too little text after the headline (7 words; an "
                           "article has at least 25)")


def test_iter_files_recurses_in_order_and_skips_hidden_files(tmp_path: Path) -> None:
    for relative in [
        "b.json",
        "a.txt",
        "sub/z.csv",
        "sub/deeper/y.jsonl",
        ".hidden.txt",
        ".git/config",
        "sub/.cache/x.json",
        "sub/.DS_Store",
        "Thumbs.db",
    ]:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    single = tmp_path / "sub" / "z.csv"
    found = [path.relative_to(tmp_path).as_posix() for path in iter_files([tmp_path, single])]
    assert found == ["a.txt", "b.json", "sub/z.csv", "sub/deeper/y.jsonl", "sub/z.csv"]


def test_documentation_in_folders_is_passed_over(tmp_path: Path) -> None:
    for name in ("README.md", "readme.txt", "LICENSE", "Licence.txt", "COPYING", "CHANGELOG.md", "story.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in iter_files([tmp_path])] == ["story.txt"]
    assert [p.name for p in iter_files([tmp_path / "README.md"])] == ["README.md"]  # named on its own: read

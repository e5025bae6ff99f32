"""JSON Lines and JSON files: field names, wrappers, bad lines, bad files, notices."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from indexer.parsers import jsonlines
from indexer.parsers.mapping import MAX_NESTING
from indexer.records import Article, Notice, ParseItem, Skipped

FIRST = {
    "id": "a-1",
    "title": "Dam opens after ten years",
    "body": "The dam opened on Friday.\n\nIt cost 2 billion dollars.",
    "author": "By Jane Doe and John Roe",
    "date": "2021-06-04T10:30:00+02:00",
    "section": "Environment",
    "url": "https://example.org/dam",
    "source": "River Times",
}
SECOND = {
    "Headline": "Mayor resigns",
    "Content": "The mayor resigned.",
    "authors": [{"name": "Ann Poe"}, {"name": "Bo Li"}],
    "publishedAt": 1622802600,
    "tags": ["politics", "city hall"],
    "publisher": {"name": "City Wire"},
    "link": "https://example.org/mayor",
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _lines(tmp_path: Path, text: str, source: str = "") -> list[ParseItem]:
    return list(jsonlines.parse_lines(_write(tmp_path, "news.jsonl", text), source))


def _array(tmp_path: Path, text: str, source: str = "") -> list[ParseItem]:
    return list(jsonlines.parse_array(_write(tmp_path, "news.json", text), source))


def _articles(items: list[ParseItem]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def test_json_lines_fields(tmp_path: Path) -> None:
    first, second = _articles(_lines(tmp_path, f"{json.dumps(FIRST)}\n\n{json.dumps(SECOND)}\n"))
    assert first.id == "a-1"
    assert first.headline == "Dam opens after ten years"
    assert first.body == "The dam opened on Friday.\n\nIt cost 2 billion dollars."
    assert first.author == ("Jane Doe", "John Roe")
    assert first.date == datetime(2021, 6, 4, 10, 30)  # the offset is dropped, the wall-clock time kept
    assert first.topic == ("Environment",)
    assert (first.url, first.source) == ("https://example.org/dam", "River Times")
    assert second.id == "https://example.org/mayor"  # no id field: the url is the id
    assert (second.headline, second.body) == ("Mayor resigns", "The mayor resigned.")
    assert second.author == ("Ann Poe", "Bo Li")
    assert second.date == datetime(2021, 6, 4, 10, 30)  # Unix epoch, read as UTC
    assert second.topic == ("politics", "city hall")
    assert second.source == "City Wire"


def test_source_argument_is_only_a_default(tmp_path: Path) -> None:
    record = {"title": "No source named", "text": "Body."}
    articles = _articles(_lines(tmp_path, f"{json.dumps(record)}\n{json.dumps(FIRST)}\n", source="My Archive"))
    assert [article.source for article in articles] == ["My Archive", "River Times"]


def test_bad_line_amid_good_ones(tmp_path: Path) -> None:
    text = "\n".join([json.dumps(FIRST), '{"title": "broken", ', json.dumps(SECOND), "[1, 2]", "{}"]) + "\n"
    items = _lines(tmp_path, text)
    assert [article.headline for article in _articles(items)] == ["Dam opens after ten years", "Mayor resigns"]
    skipped = [(item.where, item.reason) for item in items if isinstance(item, Skipped)]
    assert skipped == [
        ("line 2", "invalid JSON: Expecting property name enclosed in double quotes (column 21)"),
        ("line 4", "not an object but a list"),
        ("line 5", "no headline or body (fields found: none)"),
    ]


def test_impossible_date_is_left_out_with_a_notice(tmp_path: Path) -> None:
    record = {"title": "Leap year story", "body": "Text.", "date": "2021-02-30"}
    items = _lines(tmp_path, json.dumps(record) + "\n")
    assert [article.date for article in _articles(items)] == [None]
    assert [(n.where, n.reason) for n in items if isinstance(n, Notice)] == [
        ("line 1", "date left out: not a date: '2021-02-30'")
    ]


def test_array_of_objects(tmp_path: Path) -> None:
    items = _array(tmp_path, json.dumps([FIRST, SECOND, "stray string"], indent=2))
    assert [article.headline for article in _articles(items)] == ["Dam opens after ten years", "Mayor resigns"]
    assert [(s.where, s.reason) for s in items if isinstance(s, Skipped)] == [
        ("record 3", "not an object but a string")
    ]


@pytest.mark.parametrize(
    "document",
    [
        FIRST,
        {"status": "ok", "articles": [FIRST]},
        {"Items": [FIRST]},
        {"response": {"results": [FIRST]}},
        {"data": {"records": [FIRST]}},
    ],
)
def test_one_object_or_a_wrapper(tmp_path: Path, document: object) -> None:
    items = _array(tmp_path, json.dumps(document))
    assert [(type(item).__name__, item.id) for item in items if isinstance(item, Article)] == [("Article", "a-1")]
    assert len(items) == 1


def test_file_that_is_not_json(tmp_path: Path) -> None:
    path = _write(tmp_path, "news.json", '[{"title": "ok"},\n {"title": oops}]')
    assert list(jsonlines.parse_array(path, "")) == [
        Skipped(str(path), "", "invalid JSON: Expecting value at line 2 column 12")
    ]


def test_json_file_holding_json_lines_is_read_as_lines(tmp_path: Path) -> None:
    items = _array(tmp_path, f"{json.dumps(FIRST)}\n{json.dumps(SECOND)}\n")
    assert [article.headline for article in _articles(items)] == ["Dam opens after ten years", "Mayor resigns"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[]", "no articles: the JSON list is empty"),
        ('"hello"', "no articles: the JSON file holds a string, not objects"),
    ],
)
def test_json_without_articles(tmp_path: Path, text: str, reason: str) -> None:
    items = _array(tmp_path, text)
    assert [(item.where, item.reason) for item in items if isinstance(item, Skipped)] == [("", reason)]


@pytest.mark.parametrize("parse", [jsonlines.parse_lines, jsonlines.parse_array])
@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"\n\n", "empty file"), (bytes(range(256)) * 8, "binary file, not text")],
)
def test_empty_and_binary_files(tmp_path: Path, parse: object, content: bytes, reason: str) -> None:
    path = tmp_path / "news.json"
    path.write_bytes(content)
    assert list(parse(path, "")) == [Skipped(str(path), "", reason)]  # type: ignore[operator]


def test_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(FIRST, ensure_ascii=False).encode("utf-8") + b"\n")
    assert [article.id for article in _articles(list(jsonlines.parse_lines(path, "")))] == ["a-1"]


def test_cp1252_curly_quotes(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    record = {"title": "\u201cWe won\u201d, says coach", "body": "It\u2019s over."}
    path.write_bytes(json.dumps(record, ensure_ascii=False).encode("cp1252") + b"\n")
    (article,) = _articles(list(jsonlines.parse_lines(path, "")))
    assert (article.headline, article.body) == ("\u201cWe won\u201d, says coach", "It\u2019s over.")


def test_sniffing() -> None:
    lines = f"{json.dumps(FIRST)}\n{json.dumps(SECOND)}\n".encode()
    pretty = json.dumps([FIRST], indent=2).encode()
    assert jsonlines.sniff_lines(lines) and jsonlines.sniff_array(lines)
    assert jsonlines.sniff_array(pretty) and not jsonlines.sniff_lines(pretty)
    assert jsonlines.sniff_array(json.dumps(FIRST, indent=2).encode())
    assert jsonlines.sniff_lines(b'{"title": "' + b"x" * 5000)  # a first line longer than the sniffed bytes
    for other in (b"title,body\nA,B\n", b"Headline\n\nBy Jane\n", b"[1, 2, 3]", b"\x00\x01" * 100):
        assert not jsonlines.sniff_lines(other) and not jsonlines.sniff_array(other)


@pytest.mark.parametrize("parse", [_lines, _array])
def test_records_nested_up_to_the_limit_are_read(tmp_path: Path, parse: Callable[[Path, str], list[ParseItem]]) -> None:
    def nested(levels: int) -> dict[str, object]:  # a record of this many levels of objects and lists
        return {"title": f"{levels} levels", "tags": json.loads("[" * (levels - 1) + '"x"' + "]" * (levels - 1))}

    shallow = {"title": "{[" * 100, "body": "Brackets in text are no nesting."}
    records = [nested(MAX_NESTING), nested(MAX_NESTING + 1), shallow]
    text = "\n".join(map(json.dumps, records)) if parse is _lines else json.dumps(records)
    items = parse(tmp_path, text)
    assert [item.headline if isinstance(item, Article) else item.reason for item in items] == [
        f"{MAX_NESTING} levels", f"nested too deeply: more than {MAX_NESTING} levels of objects and lists", "{[" * 100
    ]

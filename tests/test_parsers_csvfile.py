"""CSV and TSV files: delimiters, column names, bad rows, files without usable columns, encodings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from indexer.parsers import csvfile
from indexer.records import Article, Notice, ParseItem, Skipped

CSV = (
    "Title,Body,Author,Published,Category,URL\n"
    'Dam opens,"The dam opened on Friday.\n\nIt cost a lot.","Doe, Jane",2021-06-04 10:30,"Environment; Energy",'
    "https://example.org/dam\n"
    "\n"
    "Mayor resigns,The mayor resigned.,Ann Poe & Bo Li,04/06/2021,Politics,\n"
)


def _parse(tmp_path: Path, text: str, name: str = "news.csv", source: str = "") -> list[ParseItem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(csvfile.parse(path, source))


def _articles(items: list[ParseItem]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def test_rows_become_articles(tmp_path: Path) -> None:
    first, second = _articles(_parse(tmp_path, CSV, source="Archive"))
    assert first.headline == "Dam opens"
    assert first.body == "The dam opened on Friday.\n\nIt cost a lot."
    assert first.author == ("Doe, Jane",)  # "Last, First" is one person
    assert first.date == datetime(2021, 6, 4, 10, 30)
    assert first.topic == ("Environment", "Energy")
    assert first.id == first.url == "https://example.org/dam"
    assert first.source == "Archive"
    assert second.author == ("Ann Poe", "Bo Li")
    assert second.date == datetime(2021, 4, 6)  # month first, as dateutil reads it
    assert second.url == ""


@pytest.mark.parametrize(
    ("delimiter", "name"), [(";", "news.csv"), ("\t", "news.tsv"), ("|", "news.csv"), ("\t", "x.csv")]
)
def test_delimiters(tmp_path: Path, delimiter: str, name: str) -> None:
    text = f"headline{delimiter}text{delimiter}tags\nA, b and c{delimiter}Body one.{delimiter}x, y\n"
    (article,) = _articles(_parse(tmp_path, text, name=name))
    assert (article.headline, article.body, article.topic) == ("A, b and c", "Body one.", ("x", "y"))


def test_rows_with_wrong_column_counts_are_skipped_by_line(tmp_path: Path) -> None:
    text = "title,body\nGood one,Text.\nExtra,Text.,surplus\n\nShort\nAlso good,More text.\n"
    items = _parse(tmp_path, text)
    assert [article.headline for article in _articles(items)] == ["Good one", "Also good"]
    assert [(item.where, item.reason) for item in items if isinstance(item, Skipped)] == [
        ("row 3", "3 columns where the header has 2"),
        ("row 5", "1 columns where the header has 2"),
    ]


def test_unclosed_quote_is_pointed_out(tmp_path: Path) -> None:
    items = _parse(tmp_path, 'title,body\nGood,Text.\nBad,"open quote\nNext,row\nLast,row\n')
    assert [article.headline for article in _articles(items)] == ["Good"]
    assert [(item.where, item.reason) for item in items if isinstance(item, Skipped)] == [
        ("row 3", "a quote is left open: the row runs on to the end (line 5)"),
    ]


def test_quote_closed_lines_later_is_pointed_out(tmp_path: Path) -> None:
    items = _parse(tmp_path, 'title,body\nBad,"open, quote\nNext,row",x\nGood,Text.\n')
    assert [article.headline for article in _articles(items)] == ["Good"]
    assert [(item.where, item.reason) for item in items if isinstance(item, Skipped)] == [
        ("row 2", "3 columns where the header has 2; the row runs on to line 3: is a quote left open?"),
    ]


def test_row_without_headline_or_body_is_skipped(tmp_path: Path) -> None:
    items = _parse(tmp_path, "title,body,date\n,,2020-01-01\nKept,,\n")
    assert [article.headline for article in _articles(items)] == ["Kept"]
    assert [(s.where, s.reason) for s in items if isinstance(s, Skipped)] == [
        ("row 2", "no headline or body (fields found: title, body, date)")
    ]


def test_impossible_date_is_left_out_with_a_notice(tmp_path: Path) -> None:
    items = _parse(tmp_path, "title,date\nLeap story,2021-02-30\n")
    assert [article.date for article in _articles(items)] == [None]
    assert [(n.where, n.reason) for n in items if isinstance(n, Notice)] == [
        ("row 2", "date left out: not a date: '2021-02-30'")
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "name_of_file,size\nx.txt,12\n",
            "no headline or body column in the header row (columns found: name_of_file, size)",
        ),
        (
            "Dam opens,The dam opened.\n",
            "no headline or body column in the header row (columns found: Dam opens, The dam opened.)",
        ),
        ("title,body\n", "no rows after the header"),
        ("", "empty file"),
    ],
)
def test_files_without_usable_rows(tmp_path: Path, text: str, reason: str) -> None:
    assert _parse(tmp_path, text) == [Skipped(str(tmp_path / "news.csv"), "", reason)]


def test_large_fields(tmp_path: Path) -> None:
    body = "word " * 100_000  # 500 KB, past csv's default 128 KB field limit
    (article,) = _articles(_parse(tmp_path, f'title,body\nLong one,"{body}"\n'))
    assert len(article.body.split()) == 100_000


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 10)
    assert list(csvfile.parse(path, "")) == [Skipped(str(path), "", "binary file, not text")]


def test_utf8_bom_does_not_stick_to_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_bytes(b"\xef\xbb\xbftitle,body\r\nBOM file,Excel wrote it.\r\n")
    (article,) = _articles(list(csvfile.parse(path, "")))
    assert (article.headline, article.body) == ("BOM file", "Excel wrote it.")


def test_cp1252_curly_quotes(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_bytes("title;body\n\u201cWe won\u201d;It\u2019s over \u2013 finally.\n".encode("cp1252"))
    (article,) = _articles(list(csvfile.parse(path, "")))
    assert (article.headline, article.body) == ("\u201cWe won\u201d", "It\u2019s over \u2013 finally.")


def test_sniff() -> None:
    assert csvfile.sniff(CSV.encode())
    assert csvfile.sniff(b"id\theadline\ttext\n1\tA\tB\n")
    assert not csvfile.sniff(b"file,size\nx,1\n")  # no headline or body column
    assert not csvfile.sniff(b"Title, text and more\n\nBy Jane Doe\n")  # a plain-text headline with commas
    assert not csvfile.sniff(b'{"title": "x", "body": "y"}\n')
    assert not csvfile.sniff(b"\x00\x01\x02" * 100)

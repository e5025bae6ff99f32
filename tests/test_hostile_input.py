"""Hostile and malformed input for every format, indexed next to a good file as a user would index a folder.

Each case writes one kind of damage into a folder that also holds a sentinel article, indexes the folder with
index_paths and checks what a user sees: no exception and no hang; the sentinel indexed and searchable; the
hostile file indexed as it should read, or reported (Skipped or Notice) with the file, the line, record or offset
where that applies, and the reason in words. Every article that reaches the index, whatever the input, has text
without NUL or lone surrogates and within the size limits (indexer/parsers/__init__.py).

Everything is generated here, nothing is committed as a binary fixture.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import json
import os
import random
import re
import stat
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from indexer.backend import open_backend
from indexer.build import IndexOptions, IndexReport, index_paths
from indexer.parsers import MAX_BODY_CHARS, MAX_HEADLINE_CHARS, decoding
from indexer.parsers.html import MAX_PAGE_BYTES
from indexer.records import Article, Notice, Skipped
from indexer.request import Paging, Search

from .webarchives import Capture, page, write_warc

SENTINEL = {
    "id": "sentinel-1",
    "title": "Zebracorn sentinel story",
    "body": "The zebracorn sentinel is indexed whatever its neighbours hold.",
    "date": "2020-01-02",
}
SENTINEL_NAME = "good.jsonl"
HANG_SECONDS = 60.0  # a run that takes longer has hung (a FIFO opened for reading blocks for ever)
_INVALID_TEXT = re.compile("[\x00\ud800-\udfff]")


# --- What a case expects -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A Skipped or Notice the hostile file must give: where it is (regex, whole) and why (regex, searched)."""

    kind: type[Skipped] | type[Notice]
    where: str
    why: str


def skipped(where: str, why: str) -> Problem:
    return Problem(Skipped, where, why)


def notice(where: str, why: str) -> Problem:
    return Problem(Notice, where, why)


WHOLE_FILE = ""  # the `where` of a problem with the whole file


@dataclass(frozen=True)
class Case:
    """A hostile input: what to write into the folder (returning the hostile file) and what the user must see."""

    id: str
    write: Callable[[Path], Path]
    problems: tuple[Problem, ...] = ()
    headlines: tuple[str, ...] = ()  # articles of the hostile file that must be indexed, as their headline reads
    clean: bool = False  # the hostile file reads without a Skipped
    check: Callable[[list[Article]], None] | None = None  # more about the indexed articles
    progress: Callable[[Path], None] | None = None  # called after each file is read (the folder changes meanwhile)
    max_peak_mb: float | None = None  # Python memory allocated at the peak of the run (tracemalloc)


# --- Writing inputs ------------------------------------------------------------------------------------------------


def _bytes(name: str, data: bytes | str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
        return path

    return write


def _jsonl(name: str, *records: object) -> Callable[[Path], Path]:
    return _bytes(name, "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))


def _junk(size: int = 4096, seed: int = 6) -> bytes:
    return random.Random(seed).randbytes(size)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _junk(2048, seed=7)
HEADLINE = "Harbour café reopens after winter"
BODY = "The harbour café reopened on Monday; naïve tourists queued for crêpes in the “cold” sun."


def _layout(headline: str = HEADLINE, date: str = "March 3, 2021 - 9:15 am", body: str = BODY) -> str:
    """An article in the plain-text layout."""
    return f"{headline}\n\nSam Writer\n{date}\nTransport\n\n{body}\n"


def _story(newid: str, title: str, date: str = "26-FEB-1987 15:01:01.79", body: str = "Cocoa prices rose.") -> str:
    """One Reuters-21578 story."""
    attributes = f' NEWID="{newid}"' if newid else ""
    return (
        f'<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5544"{attributes}>\n'
        f"<DATE>{date}</DATE>\n<TOPICS><D>cocoa</D></TOPICS>\n<TEXT>&#2;\n<TITLE>{title}</TITLE>\n"
        f"<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>{body}\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n"
    )


SGML_HEAD = '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
COCOA = "COCOA EXPORTERS EXPECTED TO LIMIT SALES"


def _sgml(*stories: str) -> str:
    return SGML_HEAD + "".join(stories)


def _html(headline: str = HEADLINE, body: str = BODY, charset: str = "utf-8", head: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>{headline}</title>'
        f'<meta property="og:type" content="article">{head}</head>\n'
        f"<body><article><h1>{headline}</h1><p>{body}</p><p>Second paragraph of the story.</p></article>"
        "</body></html>\n"
    )


def _rss(items: str, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}<rss version="2.0"><channel><title>Hostile Wire</title>'
        f"<link>https://wire.example/</link>{items}</channel></rss>\n"
    )


def _item(title: str, body: str = "Item text.", date: str = "Tue, 02 Mar 2021 10:00:00 GMT", n: int = 1) -> str:
    return (
        f"<item><title>{title}</title><link>https://wire.example/{n}</link><description>{body}</description>"
        f"<pubDate>{date}</pubDate></item>"
    )


def _billion_laughs() -> str:
    entities = '<!ENTITY lol "lol">\n' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    return _rss(_item("&lol9;"), prolog=f"<!DOCTYPE lolz [\n{entities}]>\n")


def _external_entity(folder: Path) -> Path:
    secret = folder.parent / "secret.txt"
    secret.write_text("topsecretpassword\n")
    prolog = f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    return _bytes("xxe.rss", _rss(_item("Leaky &xxe; headline"), prolog=prolog))(folder)


SEALS = "Harbour seals return to Gullstone sandbar"  # the headline of tests/fixtures/web/opengraph.html
CRAWL = [
    Capture("https://tribune.example/environment/2021/11/seals-return", page("opengraph.html")),
    Capture("https://www.lowmoor-gazette.example/2020/05/12/library-reopens", page("plain-meta.html")),
]


def _warc(name: str, change: Callable[[bytes], bytes], compress: bool = False) -> Callable[[Path], Path]:
    """A web archive of CRAWL, its bytes changed (damaged) by `change`."""

    def write(folder: Path) -> Path:
        path = write_warc(folder / name, CRAWL, compress=compress)
        path.write_bytes(change(path.read_bytes()))
        return path

    return write


def _last_response_length(data: bytes, replacement: Callable[[int], bytes]) -> bytes:
    """Replace the Content-Length in the WARC header of the last response record."""
    start = data.rindex(b"WARC-Type: response")
    end = data.index(b"\r\n\r\n", start)
    match = re.compile(rb"Content-Length: (\d+)").search(data, start, end)
    assert match is not None
    return data[: match.start(1)] + replacement(int(match.group(1))) + data[match.end(1) :]


def _halved(length: int) -> bytes:
    return b"%d" % (length // 2)


def _nine_times(length: int) -> bytes:
    return b"%d" % (length * 9)


def _thirty_digits(length: int) -> bytes:
    return b"9" * 30


def _warc_gz_bomb(folder: Path, size: int = 200_000_000) -> Path:
    """A .warc.gz of a few hundred KB holding one HTML response of `size` bytes."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    head, tail = b"<html><head><title>Bomb</title></head><body><p>", b"</p></body></html>"
    header = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        b"WARC-Date: 2023-03-20T10:15:00Z\r\nWARC-Target-URI: https://bomb.example/\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: %d\r\n\r\n" % (len(http) + len(head) + size + len(tail))
    )
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: a gzip member
    chunk = b"a " * (1 << 19)
    path = folder / "bomb.warc.gz"
    with path.open("wb") as output:
        output.write(compressor.compress(header + http + head))
        for start in range(0, size, len(chunk)):
            output.write(compressor.compress(chunk[: min(len(chunk), size - start)]))
        output.write(compressor.compress(tail + b"\r\n\r\n") + compressor.flush())
    return path


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.jsonl"
    os.mkfifo(path)
    return path


def _symlink(name: str, target: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        (folder / name).symlink_to(target)
        return folder / name

    return write


def _file_symlink_loop(folder: Path) -> Path:
    (folder / "a.jsonl").symlink_to(folder / "b.jsonl")
    (folder / "b.jsonl").symlink_to(folder / "a.jsonl")
    return folder / "a.jsonl"


def _unreadable(folder: Path) -> Path:
    path = _jsonl("locked.jsonl", {"title": "Locked away"})(folder)
    path.chmod(0)
    return path


def _non_utf8_name(folder: Path) -> Path:
    name = os.fsdecode(b"caf\xe9-latin1-name.jsonl")  # a name in Latin-1 on a UTF-8 system: not decodable
    return _jsonl(name, {"title": "Badly named file story", "body": "Its name is not UTF-8."})(folder)


def _folder_named_like_a_file(folder: Path) -> Path:
    inner = folder / "looks-like.jsonl"
    inner.mkdir()
    return _jsonl("inside.jsonl", {"title": "Story inside an oddly named folder"})(inner)


def _vanishing(folder: Path) -> Path:
    return _jsonl("zz-vanishing.jsonl", {"title": "Vanished before it was read"})(folder)


def _duplicate_across_files(folder: Path) -> Path:
    _jsonl("first.jsonl", {"id": "dup-9", "title": "Earlier copy of the story"})(folder)
    return _jsonl("second.jsonl", {"id": "dup-9", "title": "Later copy of the story"})(folder)


# --- Checks on the articles ------------------------------------------------------------------------------------------


def _one(articles: list[Article], headline: str) -> Article:
    found = [article for article in articles if article.headline == headline]
    assert len(found) == 1, f"{headline!r} among {[a.headline for a in articles]}"
    return found[0]


def _dated(headline: str, expected: datetime | None) -> Callable[[list[Article]], None]:
    def check(articles: list[Article]) -> None:
        assert _one(articles, headline).date == expected

    return check


def _body_has(headline: str, *parts: str) -> Callable[[list[Article]], None]:
    def check(articles: list[Article]) -> None:
        body = _one(articles, headline).body
        for part in parts:
            assert part in body, f"{part!r} not in {body[:200]!r}"

    return check


def _no_secret(articles: list[Article]) -> None:
    assert not any("topsecretpassword" in f"{a.headline} {a.body}" for a in articles)


def _not_expanded(articles: list[Article]) -> None:
    assert all(len(a.headline) + len(a.body) < 1000 for a in articles)


def _ids(*ids: str) -> Callable[[list[Article]], None]:
    def check(articles: list[Article]) -> None:
        assert set(ids) <= {a.id for a in articles}

    return check


def _cut(headline_limit: bool) -> Callable[[list[Article]], None]:
    def check(articles: list[Article]) -> None:
        hostile = [a for a in articles if a.id != SENTINEL["id"]]
        assert hostile
        for article in hostile:
            if headline_limit:
                assert MAX_HEADLINE_CHARS * 0.9 <= len(article.headline) <= MAX_HEADLINE_CHARS
            else:
                assert MAX_BODY_CHARS * 0.9 <= len(article.body) <= MAX_BODY_CHARS

    return check


def _topics(count: int) -> Callable[[list[Article]], None]:
    def check(articles: list[Article]) -> None:
        assert len(_one(articles, "Story with three thousand topics").topic) == count

    return check


# --- The cases -------------------------------------------------------------------------------------------------------

DATE_LEFT_OUT = "date left out"
BINARY = "binary file, not text"
EMPTY = "empty file"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
UTF16_LAYOUT = _layout()
MIXED = (
    f"{HEADLINE}\n\nSam Writer\nMarch 3, 2021\n\n".encode()
    + "Crêpes – ‘fresh’ at €2 today.\n".encode("cp1252")
    + "Naïve UTF-8 line after it.\n".encode()
)
# GBK text whose last line ("聙聛", bytes C2 80 C2 81) is also valid UTF-8: the file is still read whole as GBK.
GBK_HEADLINE = "港口咖啡馆在冬季后重新开业"
GBK_PARAGRAPH = "游客们在寒冷的阳光下排队购买可丽饼。港口的咖啡馆重新开放。\n"
GBK = f"{GBK_HEADLINE}\n\n王小明\n2021-03-03\n\n{GBK_PARAGRAPH * 3}聙聛\n"
TEN_MB_DATE = "1 " * 5_000_000  # took dateutil nine minutes
REFS = "Bad \ufffd and \ufffd and \ufffd refs"  # character references to no character, made U+FFFD
HUGE_ROW = "headline,body\nMillion columns header,fine\n" + "x," * 999_999 + "x\n"

CASES = [
    # Plain text
    Case("txt-empty-file", _bytes("empty.txt", b""), (skipped(WHOLE_FILE, EMPTY),)),
    Case("txt-only-whitespace", _bytes("blank.txt", " \n\t \r\n  \n"), (skipped(WHOLE_FILE, EMPTY),)),
    Case("txt-binary-junk", _bytes("junk.txt", _junk()), (skipped(WHOLE_FILE, BINARY),)),
    Case("txt-utf16-le-with-bom", _bytes("u16.txt", codecs.BOM_UTF16_LE + UTF16_LAYOUT.encode("utf-16-le")),
         headlines=(HEADLINE,), clean=True, check=_body_has(HEADLINE, "naïve", "“cold”")),
    Case("txt-utf16-le-without-bom", _bytes("u16le.txt", UTF16_LAYOUT.encode("utf-16-le")),
         headlines=(HEADLINE,), clean=True, check=_body_has(HEADLINE, "crêpes")),
    Case("txt-utf16-be-without-bom", _bytes("u16be.txt", UTF16_LAYOUT.encode("utf-16-be")),
         headlines=(HEADLINE,), clean=True, check=_body_has(HEADLINE, "crêpes")),
    Case("txt-utf8-bom-in-the-middle",
         _bytes("bom.txt", codecs.BOM_UTF8 + _layout(body="\ufeffFirst.\n\n\ufeffSecond.").encode()),
         headlines=(HEADLINE,), clean=True, check=_body_has(HEADLINE, "First.\n\nSecond.")),
    Case("txt-mixed-utf8-and-cp1252-lines", _bytes("mixed.txt", MIXED), headlines=(HEADLINE,), clean=True,
         check=_body_has(HEADLINE, "Crêpes – ‘fresh’ at €2", "Naïve UTF-8")),
    Case("txt-gbk-with-a-line-valid-as-utf8", _bytes("gbk.txt", GBK, encoding="gbk"), headlines=(GBK_HEADLINE,),
         clean=True, check=_body_has(GBK_HEADLINE, "排队购买可丽饼", "开放。\n聙聛")),
    Case("txt-nul-bytes", _bytes("nul.txt", _layout(body="Zebra\x00crossing repainted.")), headlines=(HEADLINE,),
         clean=True, check=_body_has(HEADLINE, "Zebra\ufffdcrossing")),
    Case("txt-not-an-article", _bytes("notes.txt", "Shopping list\nmilk\neggs\n"),
         (skipped(WHOLE_FILE, "not in the plain-text article layout"),)),
    Case("txt-date-31-february", _bytes("feb.txt", _layout(date="31 February 2021")),
         (notice("line 4", DATE_LEFT_OUT),), headlines=(HEADLINE,), check=_dated(HEADLINE, None)),
    Case("txt-cr-only-line-ends", _bytes("mac.txt", _layout().replace("\n", "\r")), headlines=(HEADLINE,), clean=True),
    # JSON Lines
    Case("jsonl-empty-file", _bytes("empty.jsonl", b""), (skipped(WHOLE_FILE, EMPTY),)),
    Case("jsonl-png-renamed", _bytes("image.jsonl", PNG), (skipped(WHOLE_FILE, BINARY),)),
    Case("jsonl-truncated-last-line",
         _bytes("cut.jsonl", '{"title": "Whole line one"}\n{"title": "Whole line two"}\n{"title": "Cut o'),
         (skipped("line 3", "invalid JSON: Unterminated string"),), headlines=("Whole line one", "Whole line two")),
    Case("jsonl-line-is-a-number", _bytes("n.jsonl", '42\n{"title": "After a number"}\n'),
         (skipped("line 1", "not an object but a number"),), headlines=("After a number",)),
    Case("jsonl-line-is-an-array", _bytes("a.jsonl", '[{"title": "In a list"}]\n'),
         (skipped("line 1", "not an object but a list"),)),
    Case("jsonl-line-is-null", _bytes("null.jsonl", "null\n"), (skipped("line 1", "not an object but null"),)),
    Case("jsonl-line-is-a-string", _bytes("s.jsonl", '"headline"\n'),
         (skipped("line 1", "not an object but a string"),)),
    Case("jsonl-nested-100k-levels", _bytes("deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n"),
         (skipped("line 1", "nested too deeply"),)),
    Case("jsonl-nested-600-levels",  # json.loads reads it; reading its text ran out of Python's recursion limit
         _bytes("deep600.jsonl", '{"title": ' + "[" * 600 + '"deep"' + "]" * 600 + "}\n"),
         (skipped("line 1", "nested too deeply: more than 64 levels"),)),
    Case("jsonl-number-of-5000-digits", _bytes("digits.jsonl", '{"title": "Long number", "n": ' + "9" * 5000 + "}\n"),
         (skipped("line 1", "invalid JSON: Exceeds the limit .4300 digits."),)),
    Case("jsonl-escaped-nul-and-lone-surrogates",
         _bytes("escapes.jsonl", '{"id": "x\\ud800", "title": "Escapes \\udc80 here", "body": "nul \\u0000 end",'
                                 ' "author": "Ann \\ud83d Lee"}\n'),
         headlines=("Escapes \ufffd here",), clean=True, check=_body_has("Escapes \ufffd here", "nul \ufffd end")),
    Case("jsonl-duplicate-ids-in-one-file",
         _jsonl("dups.jsonl", {"id": "dup-1", "title": "First copy"}, {"id": "dup-1", "title": "Second copy"}),
         (notice("id 'dup-1'", "duplicate id .also in .*dups.jsonl.; this later record is kept"),),
         headlines=("Second copy",)),
    Case("jsonl-duplicate-ids-across-files", _duplicate_across_files,
         (notice("id 'dup-9'", "duplicate id .also in .*first.jsonl."),), headlines=("Later copy of the story",)),
    Case("jsonl-ids-with-slash-newline-emoji",
         _jsonl("ids.jsonl", {"id": "a/b/../c", "title": "Slashed id"}, {"id": "line\nbreak", "title": "Newline id"},
                {"id": "🦄 \u200b id", "title": "Emoji id"}),
         headlines=("Slashed id", "Newline id", "Emoji id"), clean=True,
         check=_ids("a/b/../c", "line\nbreak", "🦄 \u200b id")),
    Case("jsonl-id-of-100k-characters", _jsonl("longid.jsonl", {"id": "i" * 100_000, "title": "Very long id"}),
         headlines=("Very long id",), clean=True),
    Case("jsonl-date-year-0", _jsonl("y0.jsonl", {"title": "Year zero", "date": "0000-01-01"}),
         (notice("line 1", DATE_LEFT_OUT),), headlines=("Year zero",), check=_dated("Year zero", None)),
    Case("jsonl-date-year-99999", _jsonl("y9.jsonl", {"title": "Far future", "date": "99999-01-01"}),
         (notice("line 1", DATE_LEFT_OUT),), headlines=("Far future",), check=_dated("Far future", None)),
    Case("jsonl-date-31-february", _jsonl("feb.jsonl", {"title": "No such day", "date": "2021-02-31"}),
         (notice("line 1", DATE_LEFT_OUT),), headlines=("No such day",)),
    Case("jsonl-date-yesterday", _jsonl("yday.jsonl", {"title": "Relative date", "date": "yesterday"}),
         (notice("line 1", "date left out: not a date: 'yesterday'"),), headlines=("Relative date",)),
    Case("jsonl-date-in-1600", _jsonl("y1600.jsonl", {"title": "Early print", "date": "1600-06-01"}),
         headlines=("Early print",), clean=True, check=_dated("Early print", datetime(1600, 6, 1))),
    Case("jsonl-date-in-2300", _jsonl("y2300.jsonl", {"title": "Too late", "date": "2300-01-01"}),
         (notice("line 1", "date left out: date out of range"),), headlines=("Too late",)),
    Case("jsonl-date-negative-epoch", _jsonl("neg.jsonl", {"title": "Before the epoch", "date": -86400}),
         headlines=("Before the epoch",), clean=True, check=_dated("Before the epoch", datetime(1969, 12, 31))),
    Case("jsonl-date-epoch-in-year-5138", _jsonl("e5138.jsonl", {"title": "Epoch far out", "date": 99_999_999_999}),
         (notice("line 1", "date left out: .*date out of range"),), headlines=("Epoch far out",),
         check=_dated("Epoch far out", None)),
    Case("jsonl-date-nan-and-infinity",
         _bytes("nan.jsonl", '{"title": "Not a number", "date": NaN}\n{"title": "Infinite", "date": -Infinity}\n'),
         (notice("line 1", DATE_LEFT_OUT), notice("line 2", DATE_LEFT_OUT)), headlines=("Not a number", "Infinite")),
    Case("jsonl-date-of-10-mb", _jsonl("bigdate.jsonl", {"title": "Huge date field", "date": TEN_MB_DATE}),
         (notice("line 1", r"date left out: not a date: '1 1 1 .*\(9,999,999 characters\)"),),
         headlines=("Huge date field",)),
    Case("jsonl-headline-of-10-mb", _jsonl("bighead.jsonl", {"title": "word " * 2_000_000, "body": "Short."}),
         (notice("id '.*'", "headline cut to its first 1,000 characters .of 9,999,999.: the rest is not indexed"),),
         check=_cut(headline_limit=True)),
    Case("jsonl-three-thousand-topics",
         _jsonl("topics.jsonl", {"title": "Story with three thousand topics", "tags": [f"t{i}" for i in range(3_000)]}),
         headlines=("Story with three thousand topics",), clean=True, check=_topics(3_000)),
    Case("jsonl-values-of-the-wrong-type",
         _jsonl("types.jsonl", {"title": 12345, "body": {"text": "Body in an object"}, "author": 7, "date": True,
                                "topic": {"name": "nested"}, "url": ["https://a.example/x"], "source": None}),
         headlines=("12345",), clean=True, check=_body_has("12345", "Body in an object")),
    Case("jsonl-utf8-bom-on-a-later-line",
         _bytes("joined.jsonl", codecs.BOM_UTF8 + b'{"title": "First file"}\n' + codecs.BOM_UTF8
                + b'{"title": "Second file"}\n'), headlines=("First file", "Second file"), clean=True),
    Case("jsonl-utf16-with-bom", _bytes("u16.jsonl", codecs.BOM_UTF16_LE + '{"title": "Café in UTF-16"}\n'
                                        .encode("utf-16-le")), headlines=("Café in UTF-16",), clean=True),
    Case("jsonl-mixed-utf8-and-cp1252-lines",
         _bytes("mixed.jsonl", '{"title": "Café in UTF-8"}\n'.encode() + '{"title": "Crème in cp1252"}\n'
                .encode("cp1252")), headlines=("Café in UTF-8", "Crème in cp1252"), clean=True),
    # JSON
    Case("json-empty-file", _bytes("empty.json", b""), (skipped(WHOLE_FILE, EMPTY),)),
    Case("json-binary-junk", _bytes("junk.json", _junk(seed=8)), (skipped(WHOLE_FILE, BINARY),)),
    Case("json-truncated-array", _bytes("cut.json", '[{"title": "One"},\n {"title": "Tw'),
         (skipped(WHOLE_FILE, "invalid JSON: Unterminated string .* at line 2 column"),)),
    Case("json-truncated-object", _bytes("cut-object.json", '{"title": "Alone", "body": "cut'),
         (skipped(WHOLE_FILE, "invalid JSON: .* at line 1 column"),)),
    Case("json-top-level-number", _bytes("number.json", "3.14\n"),
         (skipped(WHOLE_FILE, "no articles: the JSON file holds a number"),)),
    Case("json-top-level-null", _bytes("null.json", "null"), (skipped(WHOLE_FILE, "holds null"),)),
    Case("json-empty-array", _bytes("none.json", "[]"), (skipped(WHOLE_FILE, "the JSON list is empty"),)),
    Case("json-nested-100k-levels", _bytes("deep.json", '{"a":' * 100_000 + "1" + "}" * 100_000),
         (skipped(WHOLE_FILE, "nested too deeply"),)),
    Case("json-array-of-mixed-values",
         _bytes("mixed.json", '[1, null, {"title": "The one object"}, "text"]'),
         (skipped("record 1", "a number"), skipped("record 2", "null"), skipped("record 4", "a string")),
         headlines=("The one object",)),
    Case("json-utf8-bom", _bytes("bom.json", codecs.BOM_UTF8 + b'[{"title": "After a BOM"}]'),
         headlines=("After a BOM",), clean=True),
    # CSV and TSV
    Case("csv-empty-file", _bytes("empty.csv", b""), (skipped(WHOLE_FILE, EMPTY),)),
    Case("csv-binary-junk", _bytes("junk.csv", _junk(seed=9)), (skipped(WHOLE_FILE, BINARY),)),
    Case("csv-latin1", _bytes("latin1.csv", "headline,body\nCafé crème prices rise,Le café coûte plus cher\n",
                              encoding="latin-1"), headlines=("Café crème prices rise",), clean=True,
         check=_body_has("Café crème prices rise", "coûte")),
    Case("csv-million-column-row", _bytes("wide.csv", HUGE_ROW),
         (skipped("row 3", "1000000 columns where the header has 2"),), headlines=("Million columns header",)),
    Case("csv-unbalanced-quote",
         _bytes("quote.csv", 'headline,body\nFine row,ok\n"Open quote row,never closed\nLast row,ok\n'),
         (skipped("row 3", "quote is left open"),), headlines=("Fine row",)),
    Case("csv-ragged-rows", _bytes("ragged.csv", "headline,body\nShort row\nGood row,ok\nLong row,a,b\n"),
         (skipped("row 2", "1 columns where the header has 2"), skipped("row 4", "3 columns where the header has 2")),
         headlines=("Good row",)),
    Case("csv-header-only", _bytes("header.csv", "headline,body,date\n"), (skipped(WHOLE_FILE, "no rows"),)),
    Case("csv-nul-in-a-cell", _bytes("nul.csv", "headline,body\nNul cell story,before\x00after\n"),
         headlines=("Nul cell story",), clean=True, check=_body_has("Nul cell story", "before\ufffdafter")),
    Case("csv-no-usable-column", _bytes("cols.csv", "a,b,c\n1,2,3\n"),
         (skipped(WHOLE_FILE, "no headline or body column in the header row .columns found: a, b, c."),)),
    Case("csv-body-of-3-mb", _bytes("bigcell.csv", "headline,body\nHuge cell story," + "word " * 600_000 + "\n"),
         (notice("id '.*'", "body cut to its first 2,000,000 characters .of 2,999,999."),),
         headlines=("Huge cell story",), check=_cut(headline_limit=False)),
    Case("tsv-utf16-excel-export",
         _bytes("excel.tsv", codecs.BOM_UTF16_LE + "Headline\tBody\nÉté story\tFrom Excel\n".encode("utf-16-le")),
         headlines=("Été story",), clean=True),
    # Reuters-21578 SGML
    Case("sgml-empty-file", _bytes("empty.sgm", b""), (skipped(WHOLE_FILE, EMPTY),)),
    Case("sgml-binary-junk", _bytes("junk.sgm", _junk(seed=10)), (skipped(WHOLE_FILE, BINARY),)),
    Case("sgml-unclosed-reuters", _bytes("open.sgm", _sgml(_story("1", COCOA), _story("2", "CUT")[:-12])),
         (skipped("story NEWID=2", "no closing </REUTERS> tag"),), headlines=(COCOA,)),
    Case("sgml-nested-reuters",
         _bytes("nested.sgm", _sgml(_story("1", "OUTER STORY").replace("<TEXT>", _story("2", COCOA) + "<TEXT>"))),
         (skipped("story NEWID=1", "no closing </REUTERS> tag"),), headlines=(COCOA,)),
    Case("sgml-no-newid", _bytes("noid.sgm", _sgml(_story("", "NO ID STORY"), _story("7", COCOA))),
         (skipped(r"offset \d+", "story has no NEWID attribute"),), headlines=(COCOA,)),
    Case("sgml-cut-inside-the-tag", _bytes("cuttag.sgm", _sgml(_story("1", COCOA)) + '<REUTERS TOPICS="YES" NEW'),
         (skipped(r"offset \d+", "cut off inside its <REUTERS> tag"),), headlines=(COCOA,)),
    Case("sgml-unclosed-body", _bytes("body.sgm", _sgml(_story("3", "BROKEN").replace("</BODY>", ""))),
         (skipped("story NEWID=3", "<BODY> is not closed"),)),
    Case("sgml-date-year-0", _bytes("y0.sgm", _sgml(_story("1", COCOA, date="01-JAN-0000 00:00:00.00"))),
         (notice("story NEWID=1", DATE_LEFT_OUT),), headlines=(COCOA,), check=_dated(COCOA, None)),
    Case("sgml-date-year-99999", _bytes("y9.sgm", _sgml(_story("1", COCOA, date="01-JAN-99999 00:00:00.00"))),
         (notice("story NEWID=1", DATE_LEFT_OUT),), headlines=(COCOA,), check=_dated(COCOA, None)),
    Case("sgml-date-31-february", _bytes("feb.sgm", _sgml(_story("1", COCOA, date="31-FEB-1987 10:00:00.00"))),
         (notice("story NEWID=1", DATE_LEFT_OUT),), headlines=(COCOA,), check=_dated(COCOA, None)),
    Case("sgml-date-yesterday", _bytes("yday.sgm", _sgml(_story("1", COCOA, date="yesterday"))),
         (notice("story NEWID=1", "date left out: not a date: 'yesterday'"),), headlines=(COCOA,)),
    Case("sgml-duplicate-newid", _bytes("dup.sgm", _sgml(_story("5", "FIRST TAKE"), _story("5", COCOA))),
         (notice("id 'reuters21578:5'", "duplicate id"),), headlines=(COCOA,)),
    # HTML
    Case("html-empty-file", _bytes("empty.html", b""), (skipped(WHOLE_FILE, EMPTY),)),
    Case("html-binary-junk", _bytes("junk.html", _junk(seed=11)), (skipped(WHOLE_FILE, BINARY),)),
    Case("html-10k-nested-divs",
         _bytes("deep.html", "<html><body>" + "<div>" * 10_000 + "<p>Deep</p>" + "</div>" * 10_000 + "</body></html>"),
         (skipped(WHOLE_FILE, "no article text on the page: its elements nest 255 deep or more"),)),
    Case("html-script-only-body",
         _bytes("script.html", "<html><head><title>Code</title></head><body><script>var x = 1;</script></body></html>"),
         (skipped(WHOLE_FILE, "no article text on the page"),)),
    Case("html-truncated-mid-tag", _bytes("cut.html", _html()[:-60]),
         (notice(WHOLE_FILE, "the page ends before </html>"),), headlines=(HEADLINE,)),
    Case("html-utf16-with-bom", _bytes("u16.html", codecs.BOM_UTF16_LE + _html(charset="utf-16").encode("utf-16-le")),
         headlines=(HEADLINE,), check=_body_has(HEADLINE, "naïve")),
    Case("html-charset-says-utf8-bytes-are-cp1252", _bytes("lies.html", _html().encode("cp1252")),
         (notice(WHOLE_FILE, "encoding: declared charset 'utf-8' does not fit the bytes"),), headlines=(HEADLINE,),
         check=_body_has(HEADLINE, "naïve")),
    Case("html-json-ld-nested-600-levels",
         _bytes("ld.html", _html(head='<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
                                     + "[" * 600 + '"deep"' + "]" * 600 + "}</script>")),
         headlines=(HEADLINE,), clean=True),
    Case("html-page-over-the-size-limit",
         _bytes("huge.html", _html(body="word " * (MAX_PAGE_BYTES // 5 + 1000))),
         (skipped(WHOLE_FILE, r"page too large: 10\.0 MB of HTML, over the 10 MB a page may have"),)),
    # RSS and Atom
    Case("rss-empty-file", _bytes("empty.rss", b""), (skipped(WHOLE_FILE, EMPTY),)),
    Case("atom-binary-junk", _bytes("junk.atom", _junk(seed=12)), (skipped(WHOLE_FILE, BINARY),)),
    Case("rss-invalid-xml", _bytes("bad.rss", _rss(_item("Fish & chips") + _item("Second item", n=2))),
         (notice(WHOLE_FILE, "malformed feed .not well-formed .invalid token. at line 2, column"),),
         headlines=("Fish & chips", "Second item")),
    Case("rss-zero-items", _bytes("none.rss", _rss("")), (skipped(WHOLE_FILE, "no items in the feed"),)),
    Case("rss-billion-laughs", _bytes("bomb.rss", _billion_laughs()), (notice(WHOLE_FILE, "malformed feed"),),
         check=_not_expanded, max_peak_mb=50),
    Case("rss-external-entity", _external_entity, (notice(WHOLE_FILE, "malformed feed"),), check=_no_secret),
    Case("atom-truncated", _bytes("cut.atom", '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
                                  "<title>T</title><entry><title>Whole entry</title><content>Text one.</content>"
                                  "</entry><entry><title>Cut en"),
         (notice(WHOLE_FILE, "malformed feed .no element found at line 1"),), headlines=("Whole entry",)),
    Case("rss-invalid-character-references",
         _bytes("refs.rss", _rss(_item("Bad &#xD800; and &#x110000; and &#99999999999; refs", "Text &#0; here."))),
         headlines=(REFS,), clean=True, check=_body_has(REFS, "Text \ufffd here.")),
    Case("rss-absurd-dates",
         _bytes("dates.rss", _rss(_item("Far item", date="Mon, 01 Jan 99999 00:00:00 GMT")
                                  + _item("Yesterday item", date="yesterday", n=2)
                                  + _item("Leap item", date="Sun, 29 Feb 2021 00:00:00 GMT", n=3))),
         (notice("item 1", DATE_LEFT_OUT), notice("item 2", DATE_LEFT_OUT), notice("item 3", DATE_LEFT_OUT)),
         headlines=("Far item", "Yesterday item", "Leap item")),
    Case("xml-that-is-no-feed", _bytes("config.xml", '<?xml version="1.0"?><config><a>1</a></config>'),
         (skipped(WHOLE_FILE, "unrecognised format"),)),
    # WARC
    Case("warc-empty-file", _bytes("empty.warc", b""), (skipped(WHOLE_FILE, EMPTY),)),
    Case("warc-binary-junk", _bytes("junk.warc", _junk(seed=13)), (skipped("record 1 .offset 0.", "damaged archive"),)),
    Case("warc-text-file-named-warc", _bytes("notes.warc", "Just some notes.\n"),
         (skipped("record 1 .offset 0.", "damaged archive"),)),
    Case("warc-truncated-mid-record", _warc("cut.warc", lambda data: data[:-300]),
         (skipped(r"record 5 \(offset \d+\)", "damaged archive: the response record .* is cut short"),),
         headlines=(SEALS,)),
    Case("warc-content-length-too-large", _warc("long.warc", lambda d: _last_response_length(d, _nine_times)),
         (skipped(r"record 5 \(offset \d+\)", "damaged archive: the response record .* is cut short"),),
         headlines=(SEALS,)),
    Case("warc-content-length-of-30-digits", _warc("huge.warc", lambda d: _last_response_length(d, _thirty_digits)),
         (skipped(r"record 5 \(offset \d+\)", "damaged archive: a record header cannot be read"),),
         headlines=(SEALS,)),
    Case("warc-content-length-too-small", _warc("short.warc", lambda d: _last_response_length(d, _halved)),
         (skipped(r"record 6 \(offset \d+\)", "damaged archive"),), headlines=(SEALS,)),
    Case("warc-content-length-not-a-number", _warc("nan.warc", lambda d: _last_response_length(d, lambda n: b"lots")),
         (skipped(r"record 6 \(offset \d+\)", "damaged archive: Invalid WARC record"),), headlines=(SEALS,)),
    Case("warc-gz-truncated-member", _warc("cut.warc.gz", lambda data: data[:-100], compress=True),
         (skipped(r"record \d \(offset \d+\)", "damaged archive"),), headlines=(SEALS,)),
    Case("warc-gz-bomb-200-mb", _warc_gz_bomb,
         (skipped("record 1", "https://bomb.example/: page too large: over the 10 MB of HTML a page may have"),),
         max_peak_mb=100),
    # The file system
    Case("fs-named-pipe", _fifo, (skipped(WHOLE_FILE, "not a regular file but a named pipe"),)),
    Case("fs-folder-symlink-loop", _symlink("loop", "."), clean=True),
    Case("fs-dangling-symlink", _symlink("gone.jsonl", "nowhere.jsonl"),
         (skipped(WHOLE_FILE, "cannot read file: No such file or directory"),)),
    Case("fs-file-vanishes-before-it-is-read", _vanishing,
         (skipped(WHOLE_FILE, "cannot read file: No such file or directory"),),
         progress=lambda path: (path.parent / "zz-vanishing.jsonl").unlink(missing_ok=True)),
    Case("fs-unknown-extension-binary", _bytes("data.bin", _junk(seed=14)),
         (skipped(WHOLE_FILE, "unrecognised format"),)),
    Case("fs-folder-named-like-a-file", _folder_named_like_a_file,
         headlines=("Story inside an oddly named folder",), clean=True),
]
# Cases that need pytest.param (a mark), and the file-system cases fixed in build.py, manifest.py and dates.py.
MORE_CASES = [
    pytest.param(
        Case("fs-file-symlink-loop", _file_symlink_loop, (skipped(WHOLE_FILE, "cannot read file"),)),
        id="fs-file-symlink-loop",
    ),
    pytest.param(
        Case("fs-file-name-not-utf8", _non_utf8_name, headlines=("Badly named file story",), clean=True),
        id="fs-file-name-not-utf8",
    ),
    pytest.param(
        Case("rss-date-in-year-0000", _bytes("y0.rss", _rss(_item("Year zero item", date="Sat, 01 Jan 0000 10:00:00"))),
             (notice("item 1", DATE_LEFT_OUT),), headlines=("Year zero item",)),
        id="rss-date-in-year-0000",
    ),
    pytest.param(
        Case("fs-unreadable-file", _unreadable, (skipped(WHOLE_FILE, "cannot read file: Permission denied"),)),
        marks=pytest.mark.skipif(ROOT, reason="root reads any file, whatever its mode"),
        id="fs-unreadable-file",
    ),
]


# --- Running a case ---------------------------------------------------------------------------------------------------


def _index(folder: Path, index_dir: Path, progress: Callable[[Path], None] | None = None) -> IndexReport:
    """Index the folder as a user would, failing (not hanging) if the run does not end."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["report"] = index_paths([folder], open_backend(folder=index_dir),
                                            IndexOptions(procs=1), progress=progress)
        except BaseException as err:  # handed to the test, which re-raises it
            outcome["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_SECONDS)
    if thread.is_alive():
        _release_pipes(folder)
        thread.join(5)
        pytest.fail(f"indexing {folder} did not end in {HANG_SECONDS:g} s")
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error
    report = outcome["report"]
    assert isinstance(report, IndexReport)
    return report


def _release_pipes(folder: Path) -> None:
    """Open every named pipe in the folder for writing and close it: a reader blocked on one gets end-of-file."""
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if stat.S_ISFIFO(path.lstat().st_mode):
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def _indexed(index_dir: Path, query: str = "") -> list[Article]:
    """The articles a search finds (all of them without a query), as the article page shows them."""
    service = open_backend(folder=index_dir)
    try:
        hits = service.search(Search(query=query, sort="newest"), Paging(per_page=100)).hits
        return [service.article(hit.id) for hit in hits]
    finally:
        service.close()


def _check_article(article: Article) -> None:
    texts = [article.id, article.headline, article.body, article.source, article.url, *article.author, *article.topic]
    assert article.id
    assert not any(_INVALID_TEXT.search(text) for text in texts), article.id
    assert len(article.headline) <= MAX_HEADLINE_CHARS and len(article.body) <= MAX_BODY_CHARS


def _matches(problem: Skipped | Notice, expected: Problem, path: Path) -> bool:
    return (
        isinstance(problem, expected.kind)
        and problem.path == str(path)
        and re.fullmatch(expected.where, problem.where) is not None
        and re.search(expected.why, problem.reason) is not None
    )


def _write_folder(tmp_path: Path, case: Case) -> tuple[Path, Path]:
    folder = tmp_path / "archive"
    folder.mkdir()
    _jsonl(SENTINEL_NAME, SENTINEL)(folder)
    return folder, case.write(folder)


@pytest.mark.parametrize("case", [*(pytest.param(c, id=c.id) for c in CASES), *MORE_CASES])
def test_hostile_input(tmp_path: Path, case: Case) -> None:
    folder, hostile = _write_folder(tmp_path, case)
    if case.max_peak_mb is not None:
        tracemalloc.start()
    try:
        report = _index(folder, tmp_path / "index", case.progress)
        peak_mb = tracemalloc.get_traced_memory()[1] / 1e6 if case.max_peak_mb is not None else 0.0
    finally:
        tracemalloc.stop()
    if case.max_peak_mb is not None:
        assert peak_mb < case.max_peak_mb

    # The good file is indexed and found, whatever lies next to it.
    assert [a.id for a in _indexed(tmp_path / "index", "zebracorn")] == [SENTINEL["id"]]
    problems: list[Skipped | Notice] = [*report.skipped, *report.notices]
    assert not [p for p in problems if p.path.endswith(SENTINEL_NAME)]
    # Every problem says where and why in a sentence, not a dump of the input.
    for problem in problems:
        assert problem.path.startswith(str(folder)) and problem.reason.strip(), problem
        assert len(str(problem)) < 400 + len(problem.path), str(problem)[:500]
    for expected in case.problems:
        assert any(_matches(p, expected, hostile) for p in problems), (expected, [str(p)[:300] for p in problems])
    if case.clean:
        assert not report.skipped, [str(p) for p in report.skipped]

    articles = _indexed(tmp_path / "index")
    for article in articles:
        _check_article(article)
    headlines = [a.headline for a in articles]
    for headline in case.headlines:
        assert headline in headlines, (headline, headlines)
    if case.check:
        case.check(articles)


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id) for c in CASES if c.id.startswith(("jsonl-", "csv-", "tsv-"))]
)
def test_hostile_input_in_a_streamed_file(tmp_path: Path, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """The line-oriented cases again, read as a file too large to hold whole is read: a line at a time."""
    monkeypatch.setattr(decoding, "STREAM_BYTES", 0)
    test_hostile_input(tmp_path, case)


def test_the_table_covers_every_format_with_at_least_50_kinds() -> None:
    ids = [case.id for case in CASES] + [param.id for param in MORE_CASES]
    assert len(ids) == len(set(ids)) >= 50
    prefixes = {case_id.split("-")[0] for case_id in ids}
    assert {"txt", "jsonl", "json", "csv", "tsv", "sgml", "html", "rss", "atom", "warc", "fs"} <= prefixes


# --- Cases that need more than a table row ---------------------------------------------------------------------------


def test_a_file_appended_to_while_it_is_indexed(tmp_path: Path) -> None:
    """A writer appends lines, in two writes each, while the folder is indexed: whole lines are indexed, a half
    line is reported (the file is read again next run), and the run after the writer stopped has every line."""
    folder = tmp_path / "archive"
    folder.mkdir()
    _jsonl(SENTINEL_NAME, SENTINEL)(folder)
    growing = folder / "growing.jsonl"
    growing.write_text("")
    stop = threading.Event()
    written: list[int] = []

    def append() -> None:
        with growing.open("a", encoding="utf-8") as output:
            while not stop.is_set() or not written:
                line = json.dumps({"id": f"g{len(written)}", "title": f"Growing story {len(written)}"}) + "\n"
                output.write(line[:10])
                output.flush()
                time.sleep(0.0005)
                output.write(line[10:])
                output.flush()
                written.append(1)

    writer = threading.Thread(target=append)
    writer.start()
    try:
        for _ in range(3):
            report = _index(folder, tmp_path / "index")
            for problem in report.skipped:
                assert problem.path == str(growing) and re.fullmatch(r"line \d+", problem.where), problem
                assert problem.reason.startswith("invalid JSON"), problem
    finally:
        stop.set()
        writer.join()
    report = _index(folder, tmp_path / "index")
    assert not report.skipped
    service = open_backend(folder=tmp_path / "index")
    try:
        assert service.search(Search(query="growing")).total == len(written)
        assert service.search(Search(query="zebracorn")).total == 1
    finally:
        service.close()


_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from indexer.backend import open_backend
    from indexer.build import IndexOptions, index_paths
    started = time.perf_counter()
    report = index_paths([Path(sys.argv[1])], open_backend(folder=Path(sys.argv[2])), IndexOptions(procs=1))
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "added": report.added,
        "problems": [str(p) for p in [*report.skipped, *report.notices]],
    }))
    """
)


def _big_article(path: Path, megabytes: int) -> None:
    """A JSON Lines file of one article whose body is `megabytes` MB of varied words in paragraphs."""
    rng = random.Random(50)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 10))) for _ in range(20_000)]
    paragraphs = (" ".join(rng.choices(words, k=80)) + "." for _ in range(megabytes * 1_000_000 // 600))
    with path.open("w", encoding="utf-8") as output:
        output.write('{"id": "big-1", "title": "Fifty megabyte article", "body": "')
        for paragraph in paragraphs:
            output.write(paragraph + "\\n\\n")
        output.write('"}\n')


@pytest.mark.slow  # about 10 s: 5 s to read 50 MB of JSON, the rest to index the 2 million characters kept
def test_a_50_mb_article_is_cut_to_the_body_limit_in_bounded_time_and_memory(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    _jsonl(SENTINEL_NAME, SENTINEL)(folder)
    _big_article(folder / "big.jsonl", 50)
    assert (folder / "big.jsonl").stat().st_size > 50_000_000
    # In a process of its own, so that its peak memory is its own.
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(folder), str(tmp_path / "index")],
        capture_output=True, text=True, timeout=600, check=True, cwd=Path(__file__).parents[1],
    )
    measured = json.loads(result.stdout)
    cut = rf"{re.escape(str(folder / 'big.jsonl'))}: id 'big-1': body cut to its first 2,000,000 characters \(of "
    assert len(measured["problems"]) == 1 and re.match(cut + r"[\d,]{10}\): the rest is not indexed$",
                                                       measured["problems"][0]), measured
    assert measured["added"] == 2 and measured["peak_mb"] < 1024 and measured["seconds"] < 300, measured
    articles = _indexed(tmp_path / "index", "fifty")
    assert [a.id for a in articles] == ["big-1"] and MAX_BODY_CHARS * 0.9 < len(articles[0].body) <= MAX_BODY_CHARS


def test_a_gzip_member_inside_a_warc_record_is_bounded_too(tmp_path: Path) -> None:
    """Content-Encoding: gzip inside a record: the page decompresses to 50 MB, of which only the limit is read."""
    folder = tmp_path / "archive"
    folder.mkdir()
    _jsonl(SENTINEL_NAME, SENTINEL)(folder)
    payload = gzip.compress(b"<html><body><p>" + b"a " * 25_000_000 + b"</p></body></html>", compresslevel=1)
    hostile = write_warc(folder / "encoded.warc.gz", [Capture(
        "https://gzip.example/", payload, extra_headers=(("Content-Encoding", "gzip"),)
    )])
    tracemalloc.start()
    try:
        report = _index(folder, tmp_path / "index")
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    assert peak < 100
    assert any(p.path == str(hostile) and "page too large" in p.reason for p in report.skipped)
    assert [a.id for a in _indexed(tmp_path / "index", "zebracorn")] == [SENTINEL["id"]]


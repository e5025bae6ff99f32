"""Bytes to text: BOMs, UTF-8, cp1252 and latin-1 fallbacks, newlines, NULs, and telling binary from text."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from indexer.parsers.decoding import decode_bytes, looks_binary, read_source, read_text
from indexer.records import Skipped

TEXT = "\u201cCaf\u00e9\u201d \u2013 na\u00efve r\u00e9sum\u00e9\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le", "cp1252"],
)
def test_encodings(data: bytes) -> None:
    assert decode_bytes(data) == TEXT


def test_latin1_is_the_last_resort() -> None:
    # 0x81 is undefined in cp1252, so only latin-1 can read this; it must never raise.
    assert decode_bytes(b"Caf\xe9 \x81") == "Caf\u00e9 \x81"


def test_newlines_and_nul() -> None:
    assert decode_bytes(b"a\r\nb\rc\nd\x00e") == "a\nb\nc\nd\ufffde"


def test_read_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"line one\r\nline two\r\n")
    assert read_text(path) == "line one\nline two\n"


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16, True),
        (b"PK\x03\x04" + b"\x00" * 200, True),
        (TEXT.encode("utf-8") * 50, False),
        (codecs.BOM_UTF16_LE + ("plain text " * 50).encode("utf-16-le"), False),
        (b"one stray \x00 in a long text " * 2 + b"x" * 500, False),
        (b"", False),
    ],
    ids=["png", "zip", "utf-8", "utf-16 with BOM", "one NUL", "empty"],
)
def test_looks_binary(data: bytes, binary: bool) -> None:
    assert looks_binary(data) is binary


def test_read_source(tmp_path: Path) -> None:
    text, empty, binary = tmp_path / "text", tmp_path / "empty", tmp_path / "binary"
    text.write_bytes(b"Hello\n")
    empty.write_bytes(b" \n\t\n")
    binary.write_bytes(bytes(range(32)) * 10)
    assert read_source(text) == "Hello\n"
    assert read_source(empty) == Skipped(str(empty), "", "empty file")
    assert read_source(binary) == Skipped(str(binary), "", "binary file, not text")

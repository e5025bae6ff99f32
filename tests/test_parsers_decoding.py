"""Bytes to text: BOMs, UTF-8, detected and declared encodings, newlines, NULs, and telling binary from text."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from indexer.parsers.decoding import decode_bytes, decode_declared, looks_binary, read_source, read_text
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


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Мэр заявил, что ремонт театра обойдётся в два миллиона рублей. Жители довольны решением. ", "cp1251"),
        ("Ο δήμαρχος δήλωσε ότι η ανακαίνιση του θεάτρου θα κοστίσει δύο εκατομμύρια ευρώ. ", "cp1253"),
        (
            "Burmistrz powiedział w środę, że remont teatru miejskiego będzie kosztował dwa miliony złotych. "
            "Mieszkańcy są zadowoleni, ponieważ czekali na tę decyzję bardzo długo. ",
            "cp1250",
        ),
        ("市長は、劇場の改修には二百万円かかると述べた。住民は満足している。", "shift_jis"),
    ],
    ids=["russian-cp1251", "greek-cp1253", "polish-cp1250", "japanese-shift-jis"],
)
def test_other_legacy_encodings_are_detected(text: str, encoding: str) -> None:
    assert decode_bytes((text * 3).encode(encoding)) == text * 3


@pytest.mark.parametrize(
    "text",
    [
        "Le maire a déclaré que la rénovation du théâtre coûterait 2 millions d’euros. « C’est un événement ». ",
        "Café Müller hat den Preis für das „Fischerfrühstück“ auf £4.50 erhöht — Grüße aus Köln. ",
    ],
    ids=["french", "german"],
)
def test_western_text_stays_windows_1252(text: str) -> None:
    # charset-normalizer scores Windows-1250 as high for these; it would read "coûterait" as "coűterait".
    assert decode_bytes((text * 3).encode("cp1252")) == text * 3


@pytest.mark.parametrize(
    ("data", "declared", "text", "note"),
    [
        ("Caf\u00e9 \u201cx\u201d".encode("cp1252"), ["windows-1252", "utf-8"], "Caf\u00e9 \u201cx\u201d", ""),
        ("It\u2019s \u00a35".encode("cp1252"), [None, "iso-8859-1"], "It\u2019s \u00a35", ""),  # latin-1 as cp1252
        ("Caf\u00e9".encode(), ["iso-8859-1"], "Caf\u00e9", "declared charset 'iso-8859-1', but the bytes are UTF-8"),
        (
            "Caf\u00e9 \u00a35".encode("cp1252"),
            ["utf-8"],
            "Caf\u00e9 \u00a35",
            "declared charset 'utf-8' does not fit the bytes; read as cp1252",
        ),
        (b"plain", ["x-no-such-charset"], "plain", "unknown charset 'x-no-such-charset'; read as utf-8"),
        (codecs.BOM_UTF8 + "Caf\u00e9".encode(), ["windows-1252"], "Caf\u00e9", ""),  # a BOM overrides
    ],
    ids=["header first", "latin-1 label", "utf-8 inside", "wrong label", "unknown label", "bom"],
)
def test_decode_declared(data: bytes, declared: list[str | None], text: str, note: str) -> None:
    assert decode_declared(data, declared) == (text, note)

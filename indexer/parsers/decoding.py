"""Bytes to text for every parser: guess the encoding without ever failing, and tell text from binary files.

Bytes that are not UTF-8 and carry no BOM go to charset-normalizer, with two guards learnt from news files: with
fewer than a handful of non-ASCII bytes its guess is noise, and Windows-1252 (the browsers' default) is kept
whenever it reads the bytes without garbling them. So Cyrillic, Greek, CJK or Polish legacy files are read in
their own encoding, while Western text stays Windows-1252; Czech text in Windows-1250 that Windows-1252 also
reads cleanly is still read as Windows-1252, as it was before detection.

UTF-16 without a BOM is recognised by its NUL bytes (text in Latin letters only), and a file mixing lines of UTF-8
with lines of a legacy encoding (appended to by different tools) is read line by line, each in its own encoding.

Line-oriented formats (JSON Lines, CSV) read their files through `read_lines`: a file larger than STREAM_BYTES
is streamed a line at a time rather than held whole, so memory stays flat on a multi-gigabyte dump. A streamed
file decodes each line as UTF-8 when it can, else in one encoding guessed from a sample of the lines that are not
UTF-8: the same text as reading it whole, except that a large file in a multi-byte legacy encoding (GBK, Shift
JIS) could have a short line read as UTF-8 by chance. Large UTF-16 and UTF-32 files are read whole.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from ..records import Skipped

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Tab, newline, vertical tab, form feed and carriage return are layout; ESC and SUB (the DOS end-of-file mark)
# turn up in real text files now and then. Anything else below 0x20 is a sign of binary data.
_LAYOUT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1a\x1b")
_BINARY_SAMPLE = 8192
# Text files carry essentially no control bytes; random binary data carries about 11 %.
_BINARY_RATIO = 0.05

# Below this many non-ASCII bytes, text is read as Windows-1252 (else latin-1) without asking charset-normalizer.
MIN_DETECTION_BYTES = 16
# Browsers read these labels as Windows-1252 (WHATWG Encoding Standard): a page saying latin-1 means its curly quotes.
_READ_AS_WINDOWS_1252 = {"ascii", "iso8859-1"}
_ASCII = bytes(range(0x80))

# UTF-16 without a BOM (some Windows tools write it): in text of Latin letters every other byte is NUL. At least
# this share of the high (or low) bytes must be NUL, and almost none of the others.
_UTF16_NUL_SHARE = 0.6
_UTF16_STRAY_NUL_SHARE = 0.05

# Files larger than this are streamed by read_lines (a module setting: the tests lower it to stream small files).
STREAM_BYTES = 16 * 2**20
# How much of the lines that are not UTF-8 a streamed file shows the encoding detector.
_GUESS_SAMPLE_BYTES = 2**20

BINARY_REASON = "binary file, not text"
EMPTY_REASON = "empty file"


def decode_bytes(data: bytes) -> str:
    """Decode bytes as text: a BOM decides, else UTF-8, else a detected encoding, else cp1252, else latin-1.

    Newlines become \\n.
    """
    return _tidy(_decode(data)[0])


def decode_declared(data: bytes, declared: Iterable[str | None]) -> tuple[str, str]:
    """Decode bytes with the first declared charset the bytes fit (a BOM overrides every declaration).

    Returns the text and a note on declarations that did not fit ("" when none was wrong). A declared single-byte
    charset loses to UTF-8 when the bytes are valid UTF-8 with non-ASCII characters: pages saved or served with a
    stale declaration are common, and cp1252 text is practically never valid UTF-8 by chance.
    """
    if _bom(data) is not None:
        return decode_bytes(data), ""
    notes: list[str] = []
    for label in filter(None, declared):
        encoding = _codec(label)
        if encoding is None:
            notes.append(f"unknown charset {label!r}")
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            notes.append(f"declared charset {label!r} does not fit the bytes")
            continue
        if encoding != "utf-8" and not data.isascii() and _is_utf8(data):
            notes.append(f"declared charset {label!r}, but the bytes are UTF-8")
            text = data.decode("utf-8")
        return _tidy(text), "; ".join(notes)
    text, encoding = _decode(data)
    note = "; ".join([*notes, f"read as {encoding}"]) if notes else ""
    return _tidy(text), note


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A BOM inside the text comes from files joined together (`cat a.jsonl b.jsonl`): it is no character of theirs,
    # and JSON refuses a line that starts with one. NUL would end strings in C libraries and means nothing here.
    return text.replace("\ufeff", "").replace("\x00", "\ufffd")


def _bom(data: bytes) -> tuple[bytes, str] | None:
    return next(((bom, encoding) for bom, encoding in _BOMS if data.startswith(bom)), None)


def _codec(label: str) -> str | None:
    """The Python codec for a charset label, as browsers read it; None for an unknown label."""
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _READ_AS_WINDOWS_1252 else name


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode(data: bytes) -> tuple[str, str]:
    """The text of bytes and the encoding it was read with."""
    found = _bom(data)
    if found:
        bom, encoding = found
        return data[len(bom) :].decode(encoding, errors="replace"), encoding
    if _is_utf8(data):
        return data.decode("utf-8"), "utf-8"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    mixed = _decode_mixed(data)
    if mixed:
        return mixed
    encoding = _guess(data)
    return data.decode(encoding, errors="replace"), encoding


def _utf16_without_bom(data: bytes) -> str | None:
    """Return "utf-16-le" or "-be" for UTF-16 text without a BOM (Latin letters: a NUL in every other byte)."""
    sample = data[: _BINARY_SAMPLE & ~1]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for nuls, strays, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls >= _UTF16_NUL_SHARE * half and strays <= _UTF16_STRAY_NUL_SHARE * half:
            # Arrays of small 16-bit numbers have the same NULs: as text they are control characters.
            text = sample.decode(encoding, errors="replace")
            controls = sum(1 for char in text if ord(char) < 0x20 and ord(char) not in _LAYOUT_CONTROLS)
            return encoding if controls <= _BINARY_RATIO * len(text) else None
    return None


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """Read lines of UTF-8 and lines of a legacy encoding, mixed in one file, each line in its own encoding.

    Files appended to by different tools mix them; read whole as Windows-1252, the UTF-8 lines would turn into
    mojibake ("cafÃ©"). A line of text in a single-byte encoding is valid UTF-8 by chance practically never, unless
    it is ASCII; so this applies when some lines with other characters than ASCII are valid UTF-8 and the others
    read in a single-byte encoding. A short line of GBK or Shift JIS can be valid UTF-8: those files are read whole.
    """
    lines = data.split(b"\n")
    utf8 = [_is_utf8(line) for line in lines]
    if not any(valid and not line.isascii() for line, valid in zip(lines, utf8, strict=True)):
        return None
    encoding = _guess(b"\n".join(line for line, valid in zip(lines, utf8, strict=True) if not valid))
    if len(bytes(range(256)).decode(encoding, errors="replace")) != 256:
        return None  # a multi-byte encoding: some bytes pair up
    decoded = (
        line.decode("utf-8") if valid else line.decode(encoding, errors="replace")
        for line, valid in zip(lines, utf8, strict=True)
    )
    return "\n".join(decoded), f"utf-8 and {encoding}"


def _guess(data: bytes) -> str:
    """The encoding of bytes that are not UTF-8: charset-normalizer's guess, else cp1252, else latin-1."""
    if len(data.translate(None, _ASCII)) >= MIN_DETECTION_BYTES:
        # UTF-8 failed, and UTF-16/32 without a BOM would look binary: a "utf" guess is a false positive.
        matches = [m for m in from_bytes(data) if not m.encoding.startswith("utf")]
        if matches:
            best = matches[0]
            # Windows-1252 wins whenever it reads the bytes as cleanly: charset-normalizer's language scores
            # often put Windows-1250 first for Western text (reading "£4.50" as "Ł4.50").
            clean_1252 = any("cp1252" in m.could_be_from_charset and m.chaos <= best.chaos for m in matches)
            return "cp1252" if clean_1252 else best.encoding
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"  # every byte is a latin-1 character: this cannot fail
    return "cp1252"


def read_text(path: Path) -> str:
    """Read a file as text (see decode_bytes); never raises on decoding, only on I/O."""
    return decode_bytes(path.read_bytes())


def looks_binary(data: bytes) -> bool:
    """Tell whether bytes look like a binary file (NULs and control bytes) rather than text."""
    sample = data[:_BINARY_SAMPLE]
    if not sample or _bom(sample) or _utf16_without_bom(sample):
        return False  # UTF-16 text is full of NUL bytes, and its BOM or their places say so
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _LAYOUT_CONTROLS)
    return controls / len(sample) > _BINARY_RATIO


def sniff_text(head: bytes) -> str | None:
    """Decode the first bytes of a file for sniffing, or return None when they look binary."""
    if looks_binary(head):
        return None
    return decode_bytes(head)


def read_bytes(path: Path) -> bytes | Skipped:
    """Read a file whose bytes a parser decodes itself: its bytes, or a Skipped when it is empty or binary."""
    data = path.read_bytes()
    if not data.strip():
        return Skipped(str(path), "", EMPTY_REASON)
    if looks_binary(data):
        return Skipped(str(path), "", BINARY_REASON)
    return data


def read_source(path: Path) -> str | Skipped:
    """Read a file to parse: its text, or a Skipped for the whole file when it is binary or empty."""
    data = path.read_bytes()
    if looks_binary(data):
        return Skipped(str(path), "", BINARY_REASON)
    text = decode_bytes(data)
    if not text.strip():
        return Skipped(str(path), "", EMPTY_REASON)
    return text


@dataclass
class TextLines:
    """A text file's lines, newlines removed, decoded as `read_source` decodes the whole file.

    Iterating gives what `read_source(path).split("\n")` gives, less the empty string after a final newline.
    `count` is how many lines that is and `quotes` how many '"' the text holds (CSV uses both to find a quote
    left open at the end of the file).
    """

    path: Path
    count: int
    quotes: int
    text: str | None = None  # a file read whole; None when streamed
    legacy: str = "cp1252"  # a streamed file's encoding for lines that are not UTF-8

    def __iter__(self) -> Iterator[str]:
        if self.text is not None:
            lines = self.text.split("\n")
            yield from lines[:-1] if lines[-1] == "" else lines
            return
        with self.path.open("rb") as file:
            for raw in file:
                line = _strip_newline(raw)
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    text = line.decode(self.legacy, errors="replace")
                pieces = _tidy(text).split("\n")
                if not raw.endswith(b"\n") and pieces[-1] == "":
                    pieces.pop()  # the end of the file after a lone CR or a BOM: what split() leaves is dropped
                yield from pieces


def read_lines(path: Path) -> TextLines | Skipped:
    """Read a line-oriented file (JSON Lines, CSV): its lines, or a Skipped when it is binary or empty.

    Files up to STREAM_BYTES are read whole; larger ones are streamed (see the module's docstring).
    """
    if path.stat().st_size <= STREAM_BYTES:
        return _whole(path)
    with path.open("rb") as file:
        head = file.read(_BINARY_SAMPLE)
    if looks_binary(head):
        return Skipped(str(path), "", BINARY_REASON)
    found = _bom(head)
    if (found is not None and found[1] != "utf-8") or _utf16_without_bom(head):
        return _whole(path)  # UTF-16/32 pairs its bytes: lines cannot be split as bytes
    return _scan(path)


def _whole(path: Path) -> TextLines | Skipped:
    text = read_source(path)
    if isinstance(text, Skipped):
        return text
    return TextLines(path, text.count("\n") + (not text.endswith("\n")), text.count('"'), text=text)


def _scan(path: Path) -> TextLines | Skipped:
    """Read a large file once, as bytes: count its lines and quotes, and guess the encoding of non-UTF-8 lines."""
    count = quotes = 0
    blank = True
    sample: list[bytes] = []
    sampled = 0
    with path.open("rb") as file:
        for raw in file:
            line = _strip_newline(raw)
            count += 1 + line.count(b"\r")  # a lone CR ends a line too
            if not raw.endswith(b"\n"):
                rest = line.replace(codecs.BOM_UTF8, b"")
                count -= not rest or rest.endswith(b"\r")  # as TextLines.__iter__ drops its last piece
            quotes += line.count(b'"')
            blank = blank and not line.strip()
            if not line.isascii() and sampled < _GUESS_SAMPLE_BYTES and not _is_utf8(line):
                sample.append(line)
                sampled += len(line)
    if blank:
        return Skipped(str(path), "", EMPTY_REASON)
    legacy = _guess(b"\n".join(sample)) if sample else "cp1252"
    return TextLines(path, count, quotes, legacy=legacy)


def _strip_newline(raw: bytes) -> bytes:
    """A raw line without its line end, LF or CRLF."""
    if not raw.endswith(b"\n"):
        return raw
    return raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]

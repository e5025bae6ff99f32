"""Bytes to text for every parser: guess the encoding without ever failing, and tell text from binary files."""

from __future__ import annotations

import codecs
from pathlib import Path

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

BINARY_REASON = "binary file, not text"
EMPTY_REASON = "empty file"


def decode_bytes(data: bytes) -> str:
    """Decode bytes as text: a BOM decides, else UTF-8, else cp1252, else latin-1; newlines become \\n."""
    text = _decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # NUL would end strings in C libraries down the line and means nothing in an article.
    return text.replace("\x00", "\ufffd")


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # every byte is a latin-1 character: this cannot fail


def read_text(path: Path) -> str:
    """Read a file as text (see decode_bytes); never raises on decoding, only on I/O."""
    return decode_bytes(path.read_bytes())


def looks_binary(data: bytes) -> bool:
    """Tell whether bytes look like a binary file (NULs and control bytes) rather than text."""
    sample = data[:_BINARY_SAMPLE]
    if not sample or any(sample.startswith(bom) for bom, _ in _BOMS):
        return False  # UTF-16 text is full of NUL bytes, and its BOM says so
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _LAYOUT_CONTROLS)
    return controls / len(sample) > _BINARY_RATIO


def sniff_text(head: bytes) -> str | None:
    """Decode the first bytes of a file for sniffing, or return None when they look binary."""
    if looks_binary(head):
        return None
    return decode_bytes(head)


def read_source(path: Path) -> str | Skipped:
    """Read a file to parse: its text, or a Skipped for the whole file when it is binary or empty."""
    data = path.read_bytes()
    if looks_binary(data):
        return Skipped(str(path), "", BINARY_REASON)
    text = decode_bytes(data)
    if not text.strip():
        return Skipped(str(path), "", EMPTY_REASON)
    return text

"""Source formats: one module per format, each with parse(path, source) yielding articles and problems.

The registry picks a format by the end of the file name (".warc.gz" as well as ".json"), then by sniffing the first
bytes; `format=` forces one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import ParseError
from ..records import ParseItem, Skipped
from . import csvfile, feeds, html, jsonlines, plaintext, reuters, warc

ParseFn = Callable[[Path, str], Iterator[ParseItem]]


@dataclass(frozen=True)
class Format:
    """A readable source format."""

    name: str
    extensions: tuple[str, ...]  # name endings, lower case: ".warc.gz" is one
    parse: ParseFn
    sniff: Callable[[bytes], bool]
    description: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("reuters", (".sgm", ".sgml"), reuters.parse, reuters.sniff, "Reuters-21578 SGML"),
        Format("jsonl", (".jsonl", ".ndjson"), jsonlines.parse_lines, jsonlines.sniff_lines, "JSON Lines"),
        Format("json", (".json",), jsonlines.parse_array, jsonlines.sniff_array, "JSON array (or one object)"),
        Format("warc", (".warc", ".warc.gz"), warc.parse, warc.sniff, "WARC web archive (gzipped or not)"),
        Format("feed", (".rss", ".atom"), feeds.parse, feeds.sniff, "RSS or Atom feed (also .xml, by content)"),
        Format("html", (".html", ".htm", ".xhtml"), html.parse, html.sniff, "HTML article page"),
        Format("csv", (".csv", ".tsv"), csvfile.parse, csvfile.sniff, "CSV/TSV with a header row"),
        Format("text", (".txt", ".text"), plaintext.parse, plaintext.sniff, "plain-text article layout"),
    )
}

SNIFF_BYTES = 4096
# Files that are never articles: OS litter, and the documentation that archive folders carry along.
_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_DOCUMENTATION = ("readme", "license", "licence", "copying", "changelog")


def detect_format(path: Path) -> str | None:
    """Return the name of the format of a file, by extension and then by content, or None."""
    name = path.name.lower()
    for fmt in FORMATS.values():
        if name.endswith(fmt.extensions):
            return fmt.name
    try:
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return None
    for fmt in FORMATS.values():
        if fmt.sniff(head):
            return fmt.name
    return None


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield every file under the given files and folders, recursively, in a stable order.

    In folders, hidden files and documentation (README*, LICENSE*, COPYING*, CHANGELOG*) are passed over; a file
    named on its own is always read.
    """
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not _ignored(name):
                        yield Path(root) / name
        else:
            yield path


def _ignored(name: str) -> bool:
    """Return whether a file found in a folder is passed over: hidden, OS litter, or README/LICENSE and the like."""
    return name.startswith(".") or name in _IGNORED_NAMES or name.lower().startswith(_DOCUMENTATION)


def parse_path(path: Path, format: str | None = None, source: str = "") -> Iterator[ParseItem]:
    """Parse one file into articles, yielding a Skipped for each record or file that cannot be read."""
    if format is not None and format not in FORMATS:
        raise ParseError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    name = format or detect_format(path)
    if name is None:
        yield Skipped(str(path), "", "unrecognised format (use --format to choose one)")
        return
    try:
        yield from FORMATS[name].parse(path, source)
    except OSError as err:
        yield Skipped(str(path), "", f"cannot read file: {err.strerror or err}")

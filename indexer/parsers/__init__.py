"""Source formats: one module per format, each with parse(path, source) yielding articles and problems.

The registry picks a format by the end of the file name (".warc.gz" as well as ".json"), then by sniffing the first
bytes; `format=` forces one.

Whatever the format, parse_path holds what comes out to the same rules: only regular files are opened (a named
pipe would block the run for good), text carries no NUL and no lone surrogate (JSON escapes can make both; Whoosh
cannot encode a surrogate), and an article's headline and body are cut, with a notice, at MAX_HEADLINE_CHARS and
MAX_BODY_CHARS: every search that shows an article pays for its length.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ParseError
from ..records import Article, Notice, ParseItem, Skipped
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
# Longer than any story (War and Peace is 3.2 million characters; a long news story 50,000): a dump or a mistake.
MAX_BODY_CHARS = 2_000_000
MAX_HEADLINE_CHARS = 1_000
_INVALID = re.compile("[\x00\ud800-\udfff]")
_FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
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
    try:
        mode = path.stat().st_mode
    except OSError as err:
        yield Skipped(str(path), "", f"cannot read file: {err.strerror or err}")
        return
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "a special file")
        yield Skipped(str(path), "", f"not a regular file but {kind}: not read")
        return
    name = format or detect_format(path)
    if name is None:
        yield Skipped(str(path), "", "unrecognised format (use --format to choose one)")
        return
    try:
        for item in FORMATS[name].parse(path, source):
            yield from _checked(item, str(path))
    except OSError as err:
        yield Skipped(str(path), "", f"cannot read file: {err.strerror or err}")


def _checked(item: ParseItem, path: str) -> Iterator[ParseItem]:
    """An item with NUL and lone surrogates replaced; an article cut to the size limits, with a notice saying so."""
    if not isinstance(item, Article):
        yield replace(item, reason=_valid(item.reason))
        return
    if _fits(item):  # most articles: as they are
        yield item
        return
    headline, body = _valid(item.headline), _valid(item.body)
    cuts = [
        f"{name} cut to its first {limit:,} characters (of {len(text):,})"
        for name, text, limit in (("headline", headline, MAX_HEADLINE_CHARS), ("body", body, MAX_BODY_CHARS))
        if len(text) > limit
    ]
    checked: dict[str, Any] = {
        "id": _valid(item.id),
        "headline": _cut(headline, MAX_HEADLINE_CHARS),
        "body": _cut(body, MAX_BODY_CHARS),
        "author": tuple(map(_valid, item.author)),
        "topic": tuple(map(_valid, item.topic)),
        "source": _valid(item.source),
        "url": _valid(item.url),
        "related_headlines": tuple(map(_valid, item.related_headlines)),
    }
    changed = {name: value for name, value in checked.items() if value != getattr(item, name)}
    article = replace(item, **changed) if changed else item  # most articles need nothing
    yield article
    if cuts:
        shown = article.id if len(article.id) <= 60 else article.id[:60] + "…"
        yield Notice(path, f"id {shown!r}", f"{'; '.join(cuts)}: the rest is not indexed")


def _fits(article: Article) -> bool:
    """Whether an article is within the size limits and its text free of NUL and lone surrogates."""
    if len(article.headline) > MAX_HEADLINE_CHARS or len(article.body) > MAX_BODY_CHARS:
        return False
    texts = (article.id, article.headline, article.body, article.source, article.url, *article.author,
             *article.topic, *article.related_headlines)
    return _is_valid("".join(texts))


def _is_valid(text: str) -> bool:
    """Whether a text is free of NUL and lone surrogates."""
    # Both tests are many times faster than _INVALID's search: isascii() reads a flag of the string (ASCII holds no
    # surrogate), and UTF-8 encoding fails at a surrogate, and only there.
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return "\x00" not in text


def _valid(text: str) -> str:
    return text if _is_valid(text) else _INVALID.sub("\ufffd", text)


def _cut(text: str, limit: int) -> str:
    """The text cut to at most limit characters, at a space when there is one in the last tenth."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = max(head.rfind(" "), head.rfind("\n"))
    return (head[:space] if space > limit * 0.9 else head).rstrip()

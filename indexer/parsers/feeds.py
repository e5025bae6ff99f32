"""RSS (0.9x, 1.0, 2.0) and Atom feeds, read with feedparser: one article per item or entry.

Decisions:
- Body: the full content (content:encoded, Atom <content>) when the feed carries it, else the summary
  (<description>, <summary>); HTML becomes text with its paragraphs, line breaks and list items kept.
- Date: published, else updated (RSS 1.0's dc:date), keeping the wall-clock time the feed states.
- Authors: dc:creator (several allowed), Atom author names, RSS <author> without its e-mail address.
- Topics: categories (the term, as filters show it). Id: the guid or Atom id, else the link.
- Source: the feed's title, else the `source` argument.
- A feed that feedparser calls malformed ("bozo") but that gave entries is indexed, with a notice saying what
  was wrong; one that gave nothing is skipped with the XML error. The bytes go to feedparser undecoded: it
  reads the XML declaration and the BOM itself, and a str would be taken for a URL or a file name.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException

import feedparser
import lxml.html
from lxml.etree import ParserError

from ..languages import normalise_language
from ..records import Article, Notice, ParseItem, Skipped, clean_values, make_id
from .decoding import read_bytes, sniff_text
from .text import first_words, read_date, split_names, tidy_line, tidy_paragraphs

_FEED_START = re.compile(
    r"<rss[\s>]|<feed[^>]*\bxmlns\s*=\s*[\"']http://www\.w3\.org/2005/Atom|<rdf:RDF[^>]*purl\.org/rss/1\.0", re.S
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_EMAIL = re.compile(r"\S+@\S+")
_LINE, _PARAGRAPH = "\u2028", "\u2029"
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_REPLACEMENT_REFERENCE = b"&#xFFFD;"
# Elements after which a new paragraph starts when feed HTML becomes text.
_BLOCK_TAGS = (
    "p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "dd", "dt", "figcaption",
    "section", "article", "ul", "ol", "table",
)  # fmt: skip


def parse(path: Path, source: str) -> Iterator[ParseItem]:
    """Parse an RSS or Atom feed: one article per item; a broken item is skipped, a broken feed reported."""
    data = read_bytes(path)
    if isinstance(data, Skipped):
        yield data
        return
    try:
        feed = feedparser.parse(_CHARACTER_REFERENCE.sub(_valid_reference, data))
    except (UnicodeError, ValueError, OverflowError) as err:  # a garbled XML declaration, a bad reference
        yield Skipped(str(path), "", f"not a readable feed: {err}")
        return
    # feedparser puts an XML declaration in front of a document that has none, on a line of its own.
    added_lines = 0 if data.lstrip(codecs.BOM_UTF8).startswith(b"<?xml") else 1
    problem = _problem(feed.get("bozo_exception"), added_lines) if feed.get("bozo") else ""
    if not feed.entries:
        reason = "not an RSS or Atom feed" if not feed.get("version") else "no items in the feed"
        yield Skipped(str(path), "", f"{reason}: {problem}" if problem else reason)
        return
    label, plural = ("entry", "entries") if str(feed.get("version", "")).startswith("atom") else ("item", "items")
    if problem:
        read = f"{len(feed.entries)} {label if len(feed.entries) == 1 else plural}"
        yield Notice(str(path), "", f"malformed feed ({problem}); {read} could still be read")
    source = tidy_line(_text(feed.feed.get("title_detail"))) or source
    # RSS <language> or dc:language, Atom's xml:lang on the feed (an entry's own xml:lang wins: _language).
    language = normalise_language(feed.feed.get("language"))
    for number, entry in enumerate(feed.entries, start=1):
        yield from _entry(entry, str(path), f"{label} {number}", source, language)


def _valid_reference(match: re.Match[bytes]) -> bytes:
    """A character reference as it stands, or U+FFFD's for one to no character (a surrogate, NUL, past U+10FFFF).

    feedparser's fallback parser, which reads what XML parsers refuse, fails on those with UnicodeEncodeError or
    ValueError and loses the whole feed.
    """
    hexadecimal, decimal = match.groups()
    digits = (hexadecimal or decimal).lstrip(b"0")
    if len(digits) > 8:
        return _REPLACEMENT_REFERENCE
    code = int(digits or b"0", 16 if hexadecimal else 10)
    valid = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
    return match.group(0) if valid else _REPLACEMENT_REFERENCE


def _entry(entry: Mapping[str, Any], path: str, where: str, source: str, language: str) -> Iterator[ParseItem]:
    headline = tidy_line(_text(entry.get("title_detail")))
    contents = entry.get("content") or [entry.get("summary_detail")]
    body = tidy_paragraphs(_text(contents[0]))
    if not headline and not body:
        yield Skipped(path, where, "no title or text")
        return
    notices: list[Notice] = []
    date = None
    stated = entry.get("published") or entry.get("updated") or ""
    try:
        date = read_date(stated)
    except ValueError as err:
        notices.append(Notice(path, where, f"date left out: {err}"))
    url = tidy_line(entry.get("link") or "")
    yield Article(
        id=make_id(entry.get("id"), url, source, headline or first_words(body), date),
        headline=headline,
        body=body,
        author=_authors(entry),
        date=date,
        topic=clean_values(tag.get("term") for tag in entry.get("tags") or ()),
        source=source,
        url=url,
        language=_language(entry, contents[0]) or language,
    )
    yield from notices


def _language(entry: Mapping[str, Any], content: Mapping[str, Any] | None) -> str:
    """The language an entry states: xml:lang on its content or title (feedparser keeps it), or dc:language."""
    for detail in (content, entry.get("title_detail")):
        code = normalise_language((detail or {}).get("language"))
        if code:
            return code
    return normalise_language(entry.get("language"))


def _text(detail: Mapping[str, Any] | None) -> str:
    """The text of a feedparser text construct ({"type": ..., "value": ...}): HTML made plain text."""
    if not detail:
        return ""
    value = str(detail.get("value") or "")
    return fragment_text(value) if detail.get("type") in _HTML_TYPES else value


def fragment_text(markup: str) -> str:
    """Turn an HTML fragment into text: a paragraph per block element, a line per <br>, no scripts or styles."""
    markup = _CONTROLS.sub("", markup)  # lxml refuses control characters in the text it is given back
    if not markup.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ParserError, ValueError):
        return ""
    for element in root.xpath(".//script | .//style"):
        element.drop_tree()
    # Mark the structure with Unicode's own separators, then let the source's spaces and newlines collapse.
    for element in root.iter("br"):
        element.tail = _LINE + (element.tail or "")
    for element in root.iter(*_BLOCK_TAGS):
        element.text = _PARAGRAPH + (element.text or "")
        element.tail = _PARAGRAPH + (element.tail or "")
    paragraphs: list[str] = []
    for block in root.text_content().split(_PARAGRAPH):
        lines = (" ".join(line.split()) for line in block.split(_LINE))
        paragraphs.append("\n".join(line for line in lines if line))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _authors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    authors = entry.get("authors") or []
    # One author: the raw field, since feedparser cuts "desk@site.example (Jane Doe)" badly on some domains.
    raw = [str(a.get("name") or "") for a in authors] if len(authors) > 1 else [str(entry.get("author") or "")]
    names: list[str] = []
    for text in raw:
        names.extend(split_names(_EMAIL.sub("", text).strip(" ()<>")))
    return clean_values(names)


def _problem(error: object, added_lines: int) -> str:
    """What was wrong with a feed, with the line and column of an XML error (in the file, not feedparser's copy)."""
    if isinstance(error, SAXParseException):
        line = error.getLineNumber()
        if line is not None:
            return f"{error.getMessage()} at line {line - added_lines}, column {error.getColumnNumber()}"
    return str(error)


def sniff(head: bytes) -> bool:
    """Recognise a feed: an <rss>, an Atom <feed> or an RSS 1.0 <rdf:RDF> root near the start."""
    text = sniff_text(head)
    return text is not None and bool(_FEED_START.search(text[:1024]))

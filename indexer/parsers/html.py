"""HTML article pages (.html, .htm): metadata from the page's markup, the body from trafilatura.

Decisions:
- Fields come from JSON-LD first, then Open Graph and article:* tags, then <meta name="author">, <time datetime>
  and <link rel="canonical">, then what trafilatura finds itself (the <title>, bylines, dates in the markup).
  The first with a value wins, field by field.
- The source is the publisher's name (JSON-LD publisher, og:site_name), else the site's domain ("www." dropped),
  else the `source` argument. trafilatura's own site-name guess (from the <title>'s tail) is not used.
- The body is trafilatura's main text without comments, one paragraph per block, the headline dropped when it
  opens the text. Navigation, ads, share buttons, promotions and related links stay out.
- A page is an article when its markup says so (a JSON-LD article type, og:type "article", an
  article:published_time) and it has text. A page typed as something else (og:type "website", a JSON-LD
  CollectionPage) is not; an untyped page needs MIN_UNTYPED_WORDS words of main text, which 404 pages and most
  index pages fall short of.
- Encoding: a BOM, then the HTTP header's charset (WARC), then <meta charset> or http-equiv, each only if the bytes
  fit it; else detected (decoding.py). A declaration that did not fit is noted.
- A page over MAX_PAGE_BYTES is skipped unread, saying so; a page without text whose elements nest past what
  libxml2 reads (unclosed <div>s by the thousand) is skipped saying that too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from ..languages import normalise_language
from ..records import Article, Notice, ParseItem, Skipped, make_id
from .decoding import decode_declared, read_bytes, sniff_text
from .pagemeta import ARTICLE, PageMeta, read_meta
from .text import first_words, read_date, split_names, tidy_line

if TYPE_CHECKING:
    from trafilatura.settings import Document

MIN_UNTYPED_WORDS = 50
# Larger pages are not read: trafilatura takes about a second and 30 MB of memory per MB of HTML, and an article
# page is rarely over 2 MB. A web archive's gzip can hold a page of any size in little space.
MAX_PAGE_BYTES = 10_000_000
# The declaration must be in the first bytes, as browsers require (they look at 1024; pages run a little over).
_CHARSET_SCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b", re.I | re.S)
_TAIL_BYTES = 2048
# The blocks of trafilatura's extracted tree (its XML: <p>, <head>, <list><item>, <quote>, <code>, <table>).
_BLOCKS = ("p", "head", "item", "quote", "code")
_BLOCKS_INSIDE = ".//p | .//head | .//item | .//quote | .//code"
# trafilatura's date search through the text ("updated 3 days ago", a copyright year) guesses; markup is enough.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
# libxml2 drops what lies deeper than this (unclosed <div>s by the thousand): the reason for a page without text.
_PARSER_DEPTH = 255
_PAST_PARSER_DEPTH = f"boolean(//*[count(ancestor::*) >= {_PARSER_DEPTH}])"


@dataclass(frozen=True)
class Page:
    """What one HTML page gave: its article or why it has none, and notes on guesses made while reading it."""

    article: Article | None
    reason: str = ""
    notes: tuple[str, ...] = ()


def parse(path: Path, source: str) -> Iterator[ParseItem]:
    """Parse one HTML page into an article, or skip it saying why it is not one."""
    size = path.stat().st_size
    if size > MAX_PAGE_BYTES:
        yield Skipped(str(path), "", too_large(size))
        return
    data = read_bytes(path)
    if isinstance(data, Skipped):
        yield data
        return
    page = read_page(data, source)
    yield page.article or Skipped(str(path), "", page.reason)
    for note in page.notes:
        yield Notice(str(path), "", note)


def too_large(size: int | None) -> str:
    """The reason a page is not read: its size in bytes (None: more than MAX_PAGE_BYTES, as far as was read)."""
    limit = f"{MAX_PAGE_BYTES / 1e6:g} MB"
    if size is None:
        return f"page too large: over the {limit} of HTML a page may have"
    return f"page too large: {size / 1e6:,.1f} MB of HTML, over the {limit} a page may have"


def read_page(
    data: bytes | str, source: str = "", url: str = "", date: datetime | None = None, charset: str = ""
) -> Page:
    """Read an HTML page (bytes or text) into an article, or say why it holds none.

    `url` and `date` stand in when the page gives none (a web archive's target URI and capture time), `charset`
    is the HTTP header's. `source` names the source when the page names no publisher and no site.
    """
    # Imported here: trafilatura takes 0.4 s to import, which only indexing HTML should pay, not every command.
    import trafilatura
    from trafilatura.settings import Document

    notes: list[str] = []
    text = data if isinstance(data, str) else _decode(data, charset, notes)
    tree = trafilatura.load_html(text)
    if tree is None:
        return Page(None, "no HTML document in the file", tuple(notes))
    layers = read_meta(tree)
    # trafilatura's own metadata costs a quarter of its time: ask for it only when the markup leaves a gap.
    gaps = not all(any(getattr(layer, name) for layer in layers) for name in ("headline", "author", "date", "topic"))
    extracted = trafilatura.bare_extraction(
        tree, url=url or None, include_comments=False, with_metadata=gaps, date_extraction_params=_DATE_PARAMS
    )
    document = extracted if isinstance(extracted, Document) else None
    layers.append(_extracted_meta(document))
    headline = next((tidy_line(layer.headline) for layer in layers if layer.headline.strip()), "")
    body = _body(document, headline)
    reason = _not_an_article(layers, body)
    if reason:
        if not body and tree.xpath(_PAST_PARSER_DEPTH):
            reason += f": its elements nest {_PARSER_DEPTH} deep or more, and the HTML parser reads no deeper"
        return Page(None, reason, tuple(notes))
    article = _article(layers, body, headline, url, date, source, notes)
    if "</html>" not in text[-_TAIL_BYTES:].lower():
        notes.append("the page ends before </html>: it may be cut short")
    return Page(article, "", tuple(notes))


def _article(
    layers: list[PageMeta], body: str, headline: str, url: str, date: datetime | None, source: str, notes: list[str]
) -> Article:
    """The article of a page: each field from the first layer that has it, the fallbacks after them."""
    page_url = _page_url(layers, url)
    found_date = _date(layers, notes) or date
    publisher = next((tidy_line(layer.publisher) for layer in layers if layer.publisher.strip()), "")
    source = publisher or _domain(page_url) or source
    return Article(
        id=make_id(None, page_url, source, headline or first_words(body), found_date),
        headline=headline,
        body=body,
        author=next((layer.author for layer in layers if layer.author), ()),
        date=found_date,
        topic=next((layer.topic for layer in layers if layer.topic), ()),
        source=source,
        url=page_url,
        language=next((code for code in (normalise_language(layer.language) for layer in layers) if code), ""),
        people=next((layer.people for layer in layers if layer.people), ()),
        orgs=next((layer.orgs for layer in layers if layer.orgs), ()),
        places=next((layer.places for layer in layers if layer.places), ()),
    )


def _decode(data: bytes, charset: str, notes: list[str]) -> str:
    match = _META_CHARSET.search(data[:_CHARSET_SCAN_BYTES])
    declared = match.group(1).decode("ascii", errors="replace") if match else ""
    text, note = decode_declared(data, (charset, declared))
    if note:
        notes.append(f"encoding: {note}")
    return text


def _extracted_meta(document: Document | None) -> PageMeta:
    """trafilatura's metadata as the last layer: the <title>, bylines in the page, dates in the markup."""
    if document is None:
        return PageMeta()
    authors = [name for part in (document.author or "").split(";") for name in split_names(part)]
    return PageMeta(
        headline=document.title or "",
        author=tuple(authors),
        date=document.date or "",
        topic=(*(document.categories or ()), *(document.tags or ())),
    )


def _body(document: Document | None, headline: str) -> str:
    """The main text, a blank line between paragraphs, without the headline when it opens the text."""
    paragraphs = _paragraphs(document.body) if document is not None and document.body is not None else []
    if paragraphs and headline and paragraphs[0].casefold() == headline.casefold():
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs)


def _paragraphs(body: Any) -> list[str]:
    """The text blocks of trafilatura's extracted tree in order: one paragraph per <p>, heading, list item, quote.

    A table row whose cells hold no blocks is one line, cells joined by " | " (a data table); the rows of a
    layout table, whose cells hold the page's paragraphs (old sites), give those paragraphs one by one.
    """
    found: list[str] = []
    for element in body.iter(*_BLOCKS, "row"):
        if element.tag == "row":
            if element.xpath(_BLOCKS_INSIDE):
                continue
            text = " | ".join(_inline(cell) for cell in element.iterchildren("cell"))
        elif any(ancestor.tag in _BLOCKS for ancestor in element.iterancestors()):
            continue  # a list in a list item, a paragraph in a quote: taken with the enclosing block
        else:
            text = _inline(element)
        if text.strip(" |"):
            found.append(text)
    return found


def _inline(element: Any) -> str:
    return tidy_line(" ".join("".join(element.itertext()).split()))


def _not_an_article(layers: list[PageMeta], body: str) -> str:
    """Why a page is not an article ("" when it is one)."""
    if not body:
        return "no article text on the page"
    kinds = [layer.kind for layer in layers if layer.kind]
    if ARTICLE in kinds:
        return ""
    if kinds:
        return f"not an article: the page is marked as {kinds[0]!r}"
    words = len(body.split())
    if words < MIN_UNTYPED_WORDS:
        return f"no article body: {words} words of text and no article markup (an index or error page?)"
    return ""


def _page_url(layers: list[PageMeta], fallback: str) -> str:
    """The page's own URL when it gives a usable one, else the fallback (the address it was fetched from)."""
    for layer in layers:
        candidate = urljoin(fallback, layer.url.strip()) if layer.url.strip() else ""
        if urlsplit(candidate).scheme in ("http", "https"):
            if not fallback or _same_story_site(candidate, fallback):
                return candidate
            break
    return fallback


def _same_story_site(canonical: str, fetched: str) -> bool:
    """Whether a canonical URL may replace the fetched one: same site, and not the site's home page.

    Templates that point every page's canonical link at the home page would otherwise fold a site's stories
    into one article.
    """
    return _domain(canonical) == _domain(fetched) and urlsplit(canonical).path.strip("/") != ""


def _domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return re.sub(r"^(?:www\d*|m|amp)\.", "", host)


def _date(layers: list[PageMeta], notes: list[str]) -> datetime | None:
    """The date the page states first; an impossible one is left out with a note, not replaced by a guess."""
    stated = next((layer.date for layer in layers if layer.date.strip()), "")
    try:
        return read_date(stated)
    except ValueError as err:
        notes.append(f"date left out: {err}")
        return None


def sniff(head: bytes) -> bool:
    """Recognise an HTML page: a doctype, <html> or <head> first (after an XML declaration or comments)."""
    text = sniff_text(head)
    return text is not None and bool(_HTML_START.match(text.lstrip("\ufeff")))

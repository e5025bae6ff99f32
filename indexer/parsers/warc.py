"""WARC web archives (.warc, .warc.gz), read with warcio: every successful HTML response becomes an article.

Decisions:
- A `response` record with a 2xx status and an HTML Content-Type (or none, with HTML inside) is read by html.py,
  the charset in its HTTP header coming before the page's own <meta>. A brotli-encoded page is reported, not read.
- Its url is the page's canonical URL (JSON-LD, og:url, <link rel="canonical">) when that is on the same site as
  the record's WARC-Target-URI and is not the site's home page; else the target URI. Canonical URLs drop
  tracking parameters and AMP or mobile variants, so repeated captures of a story share one id (the url); the
  checks keep a template that points every canonical link at the home page, or at another site, from folding
  many stories into one.
- Its date is the page's own; the record's WARC-Date (the capture time, UTC) when the page states none.
- Records that are not articles (requests, metadata, redirects, HTTP errors, images and other non-HTML
  responses, HTML pages without an article) are counted in one notice per file: a crawl holds thousands.
  Skipped is for records that should have been articles and could not be read, and for damage: warcio stops
  quietly at a cut gzip member or a short record, so both are checked here, and what came before is indexed.
- A page is read up to html.MAX_PAGE_BYTES and skipped beyond, so a small .warc.gz that inflates to gigabytes (a
  gzip bomb) costs the time to run through it, never the memory to hold it.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..records import Notice, ParseItem, Skipped
from . import html
from .decoding import EMPTY_REASON, looks_binary
from .text import read_date

Category = tuple[str, str]  # singular, plural
REDIRECT: Category = ("redirect", "redirects")
HTTP_ERROR: Category = ("HTTP error (4xx, 5xx)", "HTTP errors (4xx, 5xx)")
OTHER_STATUS: Category = ("response with another status", "responses with other statuses")
NON_HTML: Category = ("non-HTML response", "non-HTML responses")
NON_HTTP: Category = ("response without HTTP headers", "responses without HTTP headers")
NO_ARTICLE: Category = ("HTML page without an article", "HTML pages without an article")
HTML_TYPES = ("text/html", "application/xhtml+xml")
_READABLE_ENCODINGS = ("", "identity", "gzip", "deflate")
_CHUNK = 1 << 16
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def parse(path: Path, source: str) -> Iterator[ParseItem]:
    """Parse a WARC file: an article per HTML page, one notice counting the rest, and any damage reported."""
    if path.stat().st_size == 0:
        yield Skipped(str(path), "", EMPTY_REASON)
        return
    counts: Counter[Category] = Counter()
    with path.open("rb") as stream:
        yield from _records(stream, str(path), source, counts)
    if counts:
        yield Notice(str(path), "", _summary(counts))


def _records(stream: BinaryIO, path: str, source: str, counts: Counter[Category]) -> Iterator[ParseItem]:
    """Read the records in order, counting those that are not articles; stop at damage, saying where it is."""
    records = ArchiveIterator(stream)
    iterator = iter(records)
    number, end = 0, 0
    while True:
        try:
            record = next(iterator, None)
        except (ArchiveLoadFailed, AttributeError, ValueError, OverflowError) as err:
            # A damaged header fails with warcio's own error, or with whatever its parsing then meets.
            reason = f"damaged archive: {_header_problem(err)}; {_read_before(number)}"
            yield Skipped(path, f"record {number + 1} (offset {end})", reason)
            return
        if record is None:
            break
        number += 1
        category = _category(record)
        payload = _payload(record) if category is None else b""
        while record.raw_stream.read(_CHUNK):  # to the end, so that a record cut short shows
            pass
        start = records.get_record_offset()  # warcio reads on to the next record here
        if record.length is None or getattr(record.raw_stream, "limit", 0) > 0:
            yield Skipped(path, f"record {number} (offset {start})", _cut_reason(record))
            return
        end = records.offset  # where the next record starts
        if category is None:
            category = yield from _page(record, payload, path, f"record {number}", source)
        if category is not None:
            counts[category] += 1
    stream.seek(end)
    if stream.read(_CHUNK).strip():  # warcio ends quietly at a gzip member cut short
        reason = f"damaged archive: the data there is not a readable WARC record; {_read_before(number)}"
        yield Skipped(path, f"record {number + 1} (offset {end})", reason)


def _header_problem(err: Exception) -> str:
    if isinstance(err, ArchiveLoadFailed):
        return str(err).split(",")[0].split(":")[0]  # the message goes on with the raw bytes read
    return "a record header cannot be read"


def _read_before(number: int) -> str:
    return f"the {number:,} {'record' if number == 1 else 'records'} before it were read"


def _category(record: Any) -> Category | None:
    """What kind of non-article a record is, or None for a successful HTML (or untyped) response."""
    if record.rec_type != "response":
        return (f"{record.rec_type} record", f"{record.rec_type} records")
    if record.http_headers is None:
        return NON_HTTP
    status = str(record.http_headers.get_statuscode() or "")
    if status.startswith("3"):
        return REDIRECT
    if status.startswith(("4", "5")):
        return HTTP_ERROR
    if not status.startswith("2"):
        return OTHER_STATUS
    content_type = record.http_headers.get_header("Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    return None if not mime or mime in HTML_TYPES else NON_HTML


def _payload(record: Any) -> bytes:
    """The response body, de-chunked and decompressed; b"" for an encoding warcio cannot undo."""
    # warcio's brotli path fails with the brotli packages on PyPI (it sets an attribute their decompressor lacks):
    # "br" and other encodings are left alone, and the page is reported.
    # One byte past the limit tells a page too large to read from one just large enough, without reading it all.
    readable = _content_encoding(record) in _READABLE_ENCODINGS
    return record.content_stream().read(html.MAX_PAGE_BYTES + 1) if readable else b""


def _content_encoding(record: Any) -> str:
    return str(record.http_headers.get_header("Content-Encoding") or "").strip().lower()


def _page(
    record: Any, payload: bytes, path: str, where: str, source: str
) -> Generator[ParseItem, None, Category | None]:
    """Yield the article of an HTML response and its notices; return the category of a response that has none."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    encoding = _content_encoding(record)
    if encoding not in _READABLE_ENCODINGS:
        yield Skipped(path, where, f"{uri}: the page is compressed as {encoding!r}, which is not read")
        return None
    content_type = record.http_headers.get_header("Content-Type") or ""
    if not content_type and not html.sniff(payload[:4096]):
        return NON_HTML
    if len(payload) > html.MAX_PAGE_BYTES:
        yield Skipped(path, where, f"{uri}: {html.too_large(None)}")
        return None
    if looks_binary(payload):
        yield Skipped(path, where, f"{uri}: binary content in an HTML response")
        return None
    match = _CHARSET.search(content_type)
    try:
        captured = read_date(record.rec_headers.get_header("WARC-Date"))
    except ValueError:
        captured = None
    page = html.read_page(payload, source, url=uri, date=captured, charset=match.group(1) if match else "")
    if page.article is None:
        return NO_ARTICLE
    yield page.article
    for note in page.notes:
        yield Notice(path, where, f"{uri}: {note}")
    return None


def _cut_reason(record: Any) -> str:
    if record.length is None:
        return "damaged archive: the record has no Content-Length (the file ends inside its header?)"
    uri = record.rec_headers.get_header("WARC-Target-URI")
    name = f"{record.rec_type} record" + (f" for {uri}" if uri else "")
    missing = record.raw_stream.limit
    return f"damaged archive: the {name} is cut short ({missing:,} of {record.length:,} bytes missing)"


def _summary(counts: Counter[Category]) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{n:,} {names[n != 1]}" for names, n in counts.most_common())
    records = "1 record not an article" if total == 1 else f"{total:,} records not articles"
    return f"{records}: {parts}"


def sniff(head: bytes) -> bool:
    """Recognise a WARC file by its first line "WARC/1.x", compressed or not."""
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/1.")

"""WARC archives: HTML responses become articles, the other records are counted, damage is reported."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from indexer.parsers import detect_format, warc
from indexer.records import Article, ParseItem, Skipped

from .webarchives import Capture, page, write_warc

FERRY = "https://www.chronicle.example/news/2023/03/ferry-fares-rise"
LIDO = "https://www.courier.example/community/lido-volunteers"
CRAWL = [
    Capture(f"{FERRY}?utm_source=rss&utm_medium=feed", page("boilerplate.html")),
    Capture(
        "https://www.chronicle.example/ferry",
        b"<html><body>Moved</body></html>",
        status="301 Moved Permanently",
        extra_headers=(("Location", FERRY),),
    ),
    Capture("https://www.chronicle.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(300), content_type="image/png"),
    Capture("https://www.chronicle.example/fares.pdf", b"%PDF-1.7\n" + bytes(300), content_type="application/pdf"),
    Capture(LIDO, page("no-date.html"), date="2023-03-21T06:30:00Z"),
    Capture("https://www.courier.example/api/tides.json", b'{"high": "06:12"}', content_type="application/json"),
    Capture("https://www.courier.example/old-story", page("not-found.html"), status="404 Not Found"),
    Capture("https://www.chronicle.example/transport", page("section-index.html")),
    Capture("https://northfieldpost.example/science/ichthyosaur-jaw/", page("jsonld-graph.html")),
]
# warcinfo, then a request and a response per capture: the response of CRAWL[i] is record 2 * i + 3.
SUMMARY = (
    "16 records not articles: 9 request records, 3 non-HTML responses, 1 warcinfo record, 1 redirect, "
    "1 HTTP error (4xx, 5xx), 1 HTML page without an article"
)


def _offsets(path: Path) -> list[int]:
    """Where each record starts in a WARC file (record 1 first)."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        return [records.get_record_offset() for _ in records]


def _parse(path: Path, source: str = "") -> list[ParseItem]:
    return list(warc.parse(path, source))


def _articles(items: list[ParseItem]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def _problems(items: list[ParseItem]) -> list[tuple[str, str, str]]:
    return [(type(item).__name__, item.where, item.reason) for item in items if not isinstance(item, Article)]


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_html_responses_become_articles_and_the_rest_is_counted(tmp_path: Path, compress: bool) -> None:
    path = write_warc(tmp_path / ("crawl.warc.gz" if compress else "crawl.warc"), CRAWL, compress)
    items = _parse(path)
    ferry, lido, fossil = _articles(items)
    assert ferry.headline == "Ferry fares to rise 12% from April, operator confirms"
    assert (ferry.url, ferry.id) == (FERRY, FERRY)  # the canonical URL, without the tracking parameters
    assert ferry.date == datetime(2023, 3, 14, 7, 45)  # the page's own date, not the capture's
    assert (ferry.author, ferry.source) == (("Priya Castellanos",), "Alder Vale Chronicle")
    assert "Accept all cookies" not in ferry.body and "Island Link carried 412,000 passengers" in ferry.body
    assert lido.date == datetime(2023, 3, 21, 6, 30)  # no date on the page: the WARC-Date
    assert (lido.url, lido.source) == (LIDO, "Marrowby Courier")
    assert fossil.author == ("Agnieszka Novák", "Dele Okonkwo-Hart")
    assert _problems(items) == [("Notice", "", SUMMARY)]


def test_charset_and_content_encoding_of_the_http_response(tmp_path: Path) -> None:
    captures = [
        Capture(
            "https://gazette.example/cafe",
            page("cp1252-undeclared.html"),
            content_type="text/html; charset=windows-1252",
        ),
        Capture(
            "https://tribune.example/environment/2021/11/seals-return",
            gzip.compress(page("opengraph.html")),
            extra_headers=(("Content-Encoding", "gzip"),),
        ),
        Capture(LIDO, b"\x1b\x4f\x02\x00 brotli bytes", extra_headers=(("Content-Encoding", "br"),)),
    ]
    items = _parse(write_warc(tmp_path / "a.warc.gz", captures))
    cafe, seals = _articles(items)
    assert "its “fisherman’s breakfast” to £4.50" in cafe.body
    assert seals.author == ("Zoë Marchetti", "Callum Reyes-Whitby")
    assert _problems(items)[0] == ("Skipped", "record 7", f"{LIDO}: the page is compressed as 'br', which is not read")


def test_page_source_falls_back_to_the_domain_of_the_target_uri(tmp_path: Path) -> None:
    text = page("no-date.html").replace(
        b'"publisher": {"@type": "NewsMediaOrganization", "name": "Marrowby Courier"}', b'"x": 1'
    )
    (article,) = _articles(_parse(write_warc(tmp_path / "a.warc.gz", [Capture(LIDO, text)]), "My Crawl"))
    assert article.source == "courier.example"


def test_html_response_with_binary_content_is_skipped(tmp_path: Path) -> None:
    captures = [Capture("https://gazette.example/broken", bytes(range(256)) * 8), Capture(LIDO, page("no-date.html"))]
    items = _parse(write_warc(tmp_path / "a.warc.gz", captures))
    assert [article.url for article in _articles(items)] == [LIDO]
    assert _problems(items) == [
        ("Skipped", "record 3", "https://gazette.example/broken: binary content in an HTML response"),
        ("Notice", "", "3 records not articles: 2 request records, 1 warcinfo record"),
    ]


def test_truncated_warc_gz_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "whole.warc.gz", CRAWL)
    starts = _offsets(whole)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(whole.read_bytes()[: starts[12] + 30])  # early in the gzip member of record 13 (tides.json)
    items = _parse(path)
    assert [article.url for article in _articles(items)] == [FERRY, LIDO]
    assert _problems(items) == [
        (
            "Skipped",
            f"record 13 (offset {starts[12]})",
            "damaged archive: the data there is not a readable WARC record; the 12 records before it were read",
        ),
        (
            "Notice",
            "",
            "10 records not articles: 6 request records, 2 non-HTML responses, 1 warcinfo record, 1 redirect",
        ),
    ]


def test_cut_inside_a_record_header(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "whole.warc", CRAWL[:1] + CRAWL[4:5], compress=False)
    lido_start = _offsets(whole)[4]
    path = tmp_path / "cut.warc"
    path.write_bytes(whole.read_bytes()[: lido_start + 60])  # "WARC/1.0", "WARC-Date: ..." and no more
    items = _parse(path)
    assert [article.url for article in _articles(items)] == [FERRY]
    assert _problems(items)[0] == (
        "Skipped",
        f"record 5 (offset {lido_start})",
        "damaged archive: the record has no Content-Length (the file ends inside its header?)",
    )


def test_cut_inside_a_record_names_it(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "whole.warc", CRAWL[:1] + CRAWL[4:5], compress=False)
    lido_start = _offsets(whole)[4]
    path = tmp_path / "cut.warc"
    path.write_bytes(whole.read_bytes()[:-600])  # inside the last response, the lido page
    items = _parse(path)
    assert [article.url for article in _articles(items)] == [FERRY]
    assert _problems(items)[0] == (
        "Skipped",
        f"record 5 (offset {lido_start})",
        f"damaged archive: the response record for {LIDO} is cut short (596 of 1,051 bytes missing)",
    )


def test_corrupt_gzip_member_stops_the_reading_there(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "whole.warc.gz", CRAWL[:1] + CRAWL[4:5])
    data, lido_start = bytearray(whole.read_bytes()), _offsets(whole)[4]  # the lido page's response
    data[lido_start + 20 : lido_start + 60] = b"\x00" * 40
    path = tmp_path / "corrupt.warc.gz"
    path.write_bytes(bytes(data))
    items = _parse(path)
    assert [article.url for article in _articles(items)] == [FERRY]
    assert _problems(items)[0] == (
        "Skipped",
        f"record 5 (offset {lido_start})",
        "damaged archive: Invalid WARC record; the 4 records before it were read",
    )


@pytest.mark.parametrize(
    ("content", "where", "reason"),
    [
        (b"", "", "empty file"),
        (
            bytes(range(256)) * 8,
            "record 1 (offset 0)",
            "damaged archive: Unknown archive format; the 0 records before it were read",
        ),
        (
            b"<html><body>Not an archive</body></html>",
            "record 1 (offset 0)",
            "damaged archive: Unknown archive format; the 0 records before it were read",
        ),
    ],
    ids=["empty", "junk", "html"],
)
def test_files_that_are_not_archives(tmp_path: Path, content: bytes, where: str, reason: str) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(content)
    assert _parse(path) == [Skipped(str(path), where, reason)]


def test_detection_by_double_extension_and_by_content(tmp_path: Path) -> None:
    compressed = write_warc(tmp_path / "crawl-00001.warc.gz", CRAWL[:1])
    plain = write_warc(tmp_path / "crawl.warc", CRAWL[:1], compress=False)
    assert detect_format(compressed) == detect_format(plain) == "warc"
    for source in (compressed, plain):
        renamed = tmp_path / f"{source.name}.bin"
        renamed.write_bytes(source.read_bytes())
        assert detect_format(renamed) == "warc"
    assert not warc.sniff(gzip.compress(b"<html>not a warc</html>"))
    assert not warc.sniff(b"\x1f\x8b\x08garbage")


def test_record_header_missing_a_field_stops_the_reading_there(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "whole.warc", CRAWL[:1] + CRAWL[4:5], compress=False)
    lido_start = _offsets(whole)[4]
    data = whole.read_bytes()
    path = tmp_path / "damaged.warc"
    path.write_bytes(data[:lido_start] + data[lido_start:].replace(f"WARC-Target-URI: {LIDO}\r\n".encode(), b"", 1))
    items = _parse(path)
    assert [article.url for article in _articles(items)] == [FERRY]
    assert _problems(items)[0] == (
        "Skipped",
        f"record 5 (offset {lido_start})",
        "damaged archive: a record header cannot be read; the 4 records before it were read",
    )

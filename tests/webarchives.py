"""Web archives for tests, written with warcio's own writer: a warcinfo record, then a request and a response per
capture, as crawlers write them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WEB = Path(__file__).parent / "fixtures" / "web"
CAPTURED = "2023-03-20T10:15:00Z"


@dataclass(frozen=True)
class Capture:
    """One fetched URL: the HTTP response a crawler stored."""

    uri: str
    body: bytes
    status: str = "200 OK"
    content_type: str = "text/html; charset=utf-8"
    date: str = CAPTURED
    extra_headers: tuple[tuple[str, str], ...] = ()


def page(name: str) -> bytes:
    """The bytes of a fixture page in tests/fixtures/web/."""
    return (WEB / name).read_bytes()


def write_warc(path: Path, captures: list[Capture], compress: bool = True) -> Path:
    """Write a WARC file (gzipped per record, or not) holding the captures, and return its path."""
    with path.open("wb") as output:
        writer = WARCWriter(output, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsarchive tests"}))
        for capture in captures:
            request = StatusAndHeaders(f"GET {capture.uri} HTTP/1.1", [("Host", "example")], is_http_request=True)
            writer.write_record(
                writer.create_warc_record(
                    capture.uri, "request", http_headers=request, warc_headers_dict={"WARC-Date": capture.date}
                )
            )
            headers = [("Content-Type", capture.content_type), *capture.extra_headers] if capture.content_type else []
            response = StatusAndHeaders(capture.status, list(headers), protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    capture.uri,
                    "response",
                    payload=io.BytesIO(capture.body),
                    length=len(capture.body),  # known, so warcio needs no temporary file (that it never closes)
                    http_headers=response,
                    warc_headers_dict={"WARC-Date": capture.date},
                )
            )
    return path

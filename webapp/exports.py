"""Every match of a search as CSV or JSON Lines (streamed), a search as an Atom feed, the OpenSearch description."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, stream_with_context

from indexer.records import Article
from indexer.results import SearchRequest, article_to_dict

from .params import article_key, request_params, search_request
from .security import rate_limited
from .service import search_service
from .urls import absolute_url

bp = Blueprint("exports", __name__)
FEED_ENTRIES = 50
CSV_COLUMNS = ("id", "headline", "author", "date", "topic", "source", "url", "body")
# A cell starting with one of these is a formula to a spreadsheet: prefixed with ' so it stays text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
# Everything outside XML 1.0's Char production: most C0 controls, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _export_request() -> SearchRequest:
    # page and per_page do not apply: an export is every match, up to the cap
    return search_request(request.args, per_page=1)


@bp.get("/export.csv")
@rate_limited("export", "EXPORT_RATE_LIMIT")
def export_csv() -> Response:
    """Every match (up to the export cap) as CSV, in the search's order."""
    articles = search_service().iter_matches(_export_request(), int(current_app.config["EXPORT_CAP"]))
    return _download(_csv_lines(articles), "text/csv; charset=utf-8", "newsarchive-export.csv")


@bp.get("/export.jsonl")
@rate_limited("export", "EXPORT_RATE_LIMIT")
def export_jsonl() -> Response:
    """Every match (up to the export cap) as JSON Lines, in the search's order."""
    articles = search_service().iter_matches(_export_request(), int(current_app.config["EXPORT_CAP"]))
    lines = (json.dumps(article_to_dict(a), ensure_ascii=False) + "\n" for a in articles)
    return _download(lines, "application/x-ndjson; charset=utf-8", "newsarchive-export.jsonl")


def _download(chunks: Iterator[str], mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_lines(articles: Iterator[Article]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for article in articles:
        row = [article.id, article.headline, "; ".join(article.author),
               article.date.isoformat() if article.date else "", "; ".join(article.topic), article.source,
               article.url, article.body]
        writer.writerow([_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


@bp.get("/search.atom")
@rate_limited("search", "RATE_LIMIT")
def feed() -> Response:
    """A search as an Atom feed, newest first."""
    base = search_request(request.args, per_page=FEED_ENTRIES)
    wanted = replace(base, sort="newest", page=1, per_page=FEED_ENTRIES)
    articles = list(search_service().iter_matches(wanted, FEED_ENTRIES))
    xml = _atom(wanted, articles)
    return Response(xml, mimetype="application/atom+xml; charset=utf-8")


def _atom(req: SearchRequest, articles: list[Article]) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    site = current_app.config["SITE_NAME"]
    title = f"{site}: {req.query}" if req.query else f"{site}: newest articles"
    page_url = absolute_url("views.search", **request_params(req, sort=None))
    self_url = absolute_url("exports.feed", **request_params(req, sort=None))
    _text(feed, "title", title)
    _text(feed, "id", self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_url)
    dates = [a.date for a in articles if a.date]
    _text(feed, "updated", _stamp(max(dates) if dates else datetime.now(UTC).replace(tzinfo=None)))
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", site)
    for article in articles:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        link = absolute_url("views.article", key=article_key(article.id))
        _text(entry, "title", article.headline or "(untitled)")
        _text(entry, "id", link)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=link)
        _text(entry, "updated", _stamp(article.date))
        if article.date:
            _text(entry, "published", _stamp(article.date))
        for name in article.author:
            _text(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", name)
        for topic in article.topic:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=_xml_safe(topic))
        _text(entry, "summary", " ".join(article.body.split()[:80]))
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _text(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{name}").text = _xml_safe(value)


def _xml_safe(value: str) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters from old wire copy, U+FFFE, U+FFFF)."""
    return _NOT_XML.sub("", value)


def _stamp(value: datetime | None) -> str:
    # Article times carry no zone (they are kept as printed); the feed states them as UTC, which Atom requires.
    return (value or datetime(1970, 1, 1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """The OpenSearch description, so browsers can add the archive as a search engine."""
    ET.register_namespace("", OPENSEARCH)
    root = ET.Element(f"{{{OPENSEARCH}}}OpenSearchDescription")
    site = str(current_app.config["SITE_NAME"])
    for name, value in (("ShortName", site[:16]), ("Description", f"Search the {site} news archive"),
                        ("InputEncoding", "UTF-8")):
        ET.SubElement(root, f"{{{OPENSEARCH}}}{name}").text = value
    for kind, endpoint in (("text/html", "views.search"), ("application/atom+xml", "exports.feed"),
                           ("application/json", "api.search")):
        ET.SubElement(root, f"{{{OPENSEARCH}}}Url", type=kind, template=f"{absolute_url(endpoint)}?q={{searchTerms}}")
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(xml, mimetype="application/opensearchdescription+xml")

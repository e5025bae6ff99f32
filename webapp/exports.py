"""Every match of a search as CSV or JSON Lines (streamed), a search as an Atom feed, the OpenSearch description."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from urllib.parse import quote
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for

from indexer.kwic import KWIC_COLUMNS, concordance, parse_width
from indexer.records import Article
from indexer.request import Search, build_params, canonical_search
from indexer.results import FINGERPRINT_KEY, IndexFingerprint, article_to_dict
from indexer.sheets import CSV_BOM, csv_chunks
from indexer.sheets import safe_cell as _cell

from . import clock
from .downloads import DownloadName, set_attachment
from .params import article_key, search_request
from .provenance import cite_url, consistent, set_headers
from .security import rate_limited
from .service import search_backend
from .urls import absolute_url

bp = Blueprint("exports", __name__)
FEED_ENTRIES = 50
# Several values in one cell (authors, topics, names) are joined by "; ".
CSV_COLUMNS = ("id", "headline", "author", "date", "topic", "source", "people", "orgs", "places", "url", "body",
               "story", FINGERPRINT_KEY)
# Whole Content-Type values, passed as content_type=: werkzeug appends "; charset=utf-8" to a text/* or *+xml
# mimetype= even when it already has one, which sent "text/csv; charset=utf-8; charset=utf-8".
CSV_TYPE = "text/csv; charset=utf-8"
JSONL_TYPE = "application/x-ndjson; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# The same feed for a browser (it asks for text/html first): Chromium shows an application/atom+xml document as plain
# text, its stylesheet unused; as XML it shows the page the stylesheet makes.
BROWSER_FEED_TYPE = "application/xml; charset=utf-8"
OPENSEARCH_TYPE = "application/opensearchdescription+xml; charset=utf-8"
ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
# Our own Atom extension: the index fingerprint and the canonical search in the feed's head (webapp/provenance.py).
NEWSARCHIVE_NS = "https://newsarchive.example/ns/1"
XML_DECLARATION = b"<?xml version='1.0' encoding='utf-8'?>\n"
# Atom requires an updated time of every entry: an undated article states the epoch, as printed in the archive's zone.
UNDATED = datetime(1970, 1, 1)
# Everything outside XML 1.0's Char production: most C0 controls, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _export_request() -> Search:
    # Which page does not apply: an export is every match, up to the cap.
    search, _ = search_request(request.args, per_page=1)
    return search


@bp.get("/export.csv")
@rate_limited("export", "EXPORT_RATE_LIMIT")
def export_csv() -> Response:
    """Every match (up to the export cap) as CSV, in the search's order, named after the search."""
    wanted = _export_request()
    articles, index = _matches(wanted)
    return _download(_csv_lines(articles, index.digest), CSV_TYPE,
                     DownloadName.of_search(wanted.query, clock.today(), "csv"), wanted, index)


@bp.get("/export.jsonl")
@rate_limited("export", "EXPORT_RATE_LIMIT")
def export_jsonl() -> Response:
    """Every match (up to the export cap) as JSON Lines, in the search's order, named after the search."""
    wanted = _export_request()
    articles, index = _matches(wanted)
    lines = (json.dumps({**article_to_dict(a), FINGERPRINT_KEY: index.digest}, ensure_ascii=False) + "\n"
             for a in articles)
    return _download(lines, JSONL_TYPE, DownloadName.of_search(wanted.query, clock.today(), "jsonl"), wanted, index)


@bp.get("/export.kwic.csv")
@rate_limited("export", "EXPORT_RATE_LIMIT")
def export_kwic() -> Response:
    """Every occurrence of the query's words or phrases in every match, with `width` words either side, as CSV."""
    wanted = _export_request()
    width = parse_width(request.args.get("width"))
    found, index = consistent(lambda: concordance(search_backend(), wanted, width,
                                                  int(current_app.config["EXPORT_CAP"])))
    rows = ([*row.cells(), index.digest] for _, rows in found for row in rows)
    return _download(csv_chunks((*KWIC_COLUMNS, FINGERPRINT_KEY), rows), CSV_TYPE,
                     DownloadName.of_search(wanted.query, clock.today(), "kwic.csv"), wanted, index)


def _matches(wanted: Search) -> tuple[Iterator[Article], IndexFingerprint]:
    """Return every match (up to the cap) and the fingerprint of the index they were matched on."""
    return consistent(lambda: search_backend().iter_matches(wanted, int(current_app.config["EXPORT_CAP"])))


def _download(chunks: Iterator[str], content_type: str, name: DownloadName, wanted: Search,
              index: IndexFingerprint) -> Response:
    response = Response(stream_with_context(chunks), content_type=content_type)
    set_attachment(response.headers, name)
    set_headers(response.headers, index, wanted)
    return response


def _csv_lines(articles: Iterator[Article], digest: str) -> Iterator[str]:
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for article in articles:
        row = [article.id, article.headline, "; ".join(article.author),
               article.date.isoformat() if article.date else "", "; ".join(article.topic), article.source,
               "; ".join(article.people), "; ".join(article.orgs), "; ".join(article.places),
               article.url, article.body, article.story, digest]
        writer.writerow([_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


@bp.get("/search.atom")
@rate_limited("search", "RATE_LIMIT")
def feed() -> Response:
    """A search as an Atom feed, newest first."""
    base, _ = search_request(request.args, per_page=FEED_ENTRIES)
    wanted = replace(base, sort="newest")
    articles, index = consistent(lambda: list(search_backend().iter_matches(wanted, FEED_ENTRIES)))
    response = Response(_atom(wanted, articles, index), content_type=_feed_type())
    response.vary.add("Accept")
    return response


def _feed_type() -> str:
    """Return the feed's Content-Type: Atom's own for feed readers and other clients, XML for a browser."""
    for_browser = request.accept_mimetypes.best_match(["application/atom+xml", "text/html"]) == "text/html"
    return BROWSER_FEED_TYPE if for_browser else ATOM_TYPE


def _atom(req: Search, articles: list[Article], index: IndexFingerprint) -> bytes:
    ET.register_namespace("", ATOM)
    ET.register_namespace("na", NEWSARCHIVE_NS)
    feed = ET.Element(f"{{{ATOM}}}feed")
    site = current_app.config["SITE_NAME"]
    title = f"{site}: {req.query}" if req.query else f"{site}: newest articles"
    page_url = absolute_url("views.search", **build_params(req, sort=None, group=None))
    self_url = absolute_url("exports.feed", **build_params(req, for_page=False, sort=None))
    _text(feed, "title", title)
    _text(feed, "id", self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="related", type="text/html", href=cite_url(req, index))
    ET.SubElement(feed, f"{{{NEWSARCHIVE_NS}}}index", {k: str(v) for k, v in index.to_dict().items() if v is not None})
    ET.SubElement(feed, f"{{{NEWSARCHIVE_NS}}}search").text = _xml_safe(canonical_search(req))
    dates = [a.date for a in articles if a.date]
    _text(feed, "updated", clock.stamp(max(dates) if dates else clock.now()))
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", site)
    for article in articles:
        _entry(ET.SubElement(feed, f"{{{ATOM}}}entry"), article)
    body = bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=False))
    return XML_DECLARATION + _stylesheet_instruction() + body


def _entry(entry: ET.Element, article: Article) -> None:
    """Fill in an entry: headline, link, times, authors, topics and the body's first 80 words."""
    link = absolute_url("views.article", key=article_key(article.id))
    _text(entry, "title", article.headline or "(untitled)")
    _text(entry, "id", link)
    ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=link)
    _text(entry, "updated", clock.stamp(article.date or UNDATED))
    if article.date:
        _text(entry, "published", clock.stamp(article.date))
    for name in article.author:
        _text(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", name)
    for topic in article.topic:
        ET.SubElement(entry, f"{{{ATOM}}}category", term=_xml_safe(topic))
    _text(entry, "summary", " ".join(article.body.split()[:80]))


def _stylesheet_instruction() -> bytes:
    """Return the xml-stylesheet instruction: browsers show the feed as a page (static/feed.xsl), readers ignore it.

    A path, not an absolute URL: browsers apply an XSL stylesheet only from the feed's own origin. Quoted to
    the URL's unreserved characters, so nothing in it can end the instruction or its pseudo-attribute.
    """
    href = quote(url_for("static", filename="feed.xsl"), safe="/-._~%")
    return f'<?xml-stylesheet type="text/xsl" href="{href}"?>\n'.encode("ascii")


def _text(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{name}").text = _xml_safe(value)


def _xml_safe(value: str) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters from old wire copy, U+FFFE, U+FFFF)."""
    return _NOT_XML.sub("", value)


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
    return Response(xml, content_type=OPENSEARCH_TYPE)

"""Feeds and exports as users get them: file names, charsets, the CSV byte order mark, feed times and stylesheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from newsarchive.cli import main
from webapp import create_app
from webapp.settings import SETTINGS, SettingError, load_settings

from .conftest import write_jsonl

ATOM = "{http://www.w3.org/2005/Atom}"
STYLESHEET = Path(__file__).resolve().parents[1] / "webapp" / "static" / "feed.xsl"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium asks for on navigation
FEED_READER = "application/atom+xml, application/rss+xml;q=0.9, */*;q=0.1"
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def make_client(index_dir: Path) -> Iterator[object]:
    """Return a function building a test client over the small corpus, with these settings."""
    apps: list[Flask] = []

    def make(**config: object) -> FlaskClient:
        app = create_app({"INDEX": str(index_dir), "TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0,
                          **config})
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["newsarchive"].close()


@pytest.fixture
def client(make_client: object) -> FlaskClient:
    return make_client()  # type: ignore[operator, no-any-return]


def feed(client: FlaskClient, query: str, accept: str = FEED_READER, **environ: str) -> ET.Element:
    response = client.get("/search.atom", query_string={"q": query}, headers={"Accept": accept},
                          environ_base=environ)
    assert response.status_code == 200, response.get_data(as_text=True)
    return ET.fromstring(response.get_data())


def today_in(zone: str) -> str:
    return datetime.now(ZoneInfo(zone)).date().isoformat()


# --- export file names


@pytest.mark.parametrize(
    ("query", "disposition"),
    [
        ("coffee quotas", "attachment; filename=newsarchive-coffee-quotas-{day}.{ext}"),
        ("", "attachment; filename=newsarchive-all-{day}.{ext}"),
        ("*", "attachment; filename=newsarchive-all-{day}.{ext}"),
        ('"Interest Rates" AND topic:economy', "attachment; filename=newsarchive-interest-rates-and-topic-economy-"
                                               "{day}.{ext}"),
        ("Siobhán", "attachment; filename=newsarchive-siobhan-{day}.{ext}; "
                    "filename*=UTF-8''newsarchive-siobh%C3%A1n-{day}.{ext}"),
        ("東京", "attachment; filename=newsarchive-search-{day}.{ext}; "
                 "filename*=UTF-8''newsarchive-%E6%9D%B1%E4%BA%AC-{day}.{ext}"),
        ('../../etc/passwd "x\r\nSet-Cookie: a=1"', "attachment; filename=newsarchive-etc-passwd-x-set-cookie-a-1-"
                                                    "{day}.{ext}"),
        ("???", "attachment; filename=newsarchive-search-{day}.{ext}"),
    ],
    ids=["words", "empty", "star", "quotes-and-fields", "accented", "cjk", "hostile", "no-words"],
)
@pytest.mark.parametrize("ext", ["csv", "jsonl"])
def test_exports_are_named_after_the_search(client: FlaskClient, query: str, disposition: str, ext: str) -> None:
    response = client.get(f"/export.{ext}", query_string={"q": query})
    assert response.status_code == 200 and response.get_data() is not None
    assert response.headers["Content-Disposition"] == disposition.format(day=today_in("UTC"), ext=ext)
    assert "Set-Cookie" not in response.headers


def test_a_long_query_names_the_file_with_its_first_words_only(client: FlaskClient) -> None:
    query = " ".join(["inflation"] * 20)  # 199 characters
    disposition = client.get("/export.csv", query_string={"q": query}).headers["Content-Disposition"]
    slug = "-".join(["inflation"] * 6)  # 59 characters: a seventh word would pass 60
    assert disposition == f"attachment; filename=newsarchive-{slug}-{today_in('UTC')}.csv"


def test_the_file_name_is_dated_in_the_archives_time_zone(make_client: object) -> None:
    # UTC+14: for ten hours of every UTC day it is already tomorrow there.
    client = make_client(TIMEZONE="Pacific/Kiritimati")  # type: ignore[operator]
    disposition = client.get("/export.jsonl?q=storm").headers["Content-Disposition"]
    assert disposition == f"attachment; filename=newsarchive-storm-{today_in('Pacific/Kiritimati')}.jsonl"


# --- the CSV byte order mark


def test_csv_starts_with_a_utf8_bom_and_jsonl_has_none(client: FlaskClient) -> None:
    raw = client.get("/export.csv?q=café").get_data()
    assert raw.startswith(BOM + b"id,headline,author,date") and raw.count(BOM) == 1
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["id"], r["headline"], r["author"]) for r in rows] == [
        ("a6", "Café owners welcome tourists", "José Álvarez")]
    assert client.get("/export.csv?q=nothingmatches").get_data() == BOM + b"id,headline,author,date,topic,source," \
                                                                          b"people,orgs,places,url,body,story," \
                                                                          b"index_fingerprint\r\n"
    jsonl = client.get("/export.jsonl?q=café").get_data()
    assert jsonl.startswith(b'{"id": "a6"') and BOM not in jsonl
    assert "José Álvarez" in jsonl.decode("utf-8")
    assert client.get("/export.jsonl?q=nothingmatches").get_data() == b""


def test_a_spreadsheet_reads_siobhan_from_the_csv(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "s.jsonl", [{"id": "s1", "title": "Ferry", "author": "Siobhán Ní Bhriain",
                                                 "body": "The ferry sailed."}])
    index_paths([source], open_backend(folder=tmp_path / "index"), IndexOptions(procs=1))
    raw = create_app({"INDEX": str(tmp_path / "index")}).test_client().get("/export.csv").get_data()
    # Excel's rule: UTF-8 only after EF BB BF; otherwise the ANSI code page, where this reads "SiobhÃ¡n".
    assert raw[:3] == BOM and "Siobhán Ní Bhriain" in raw[3:].decode("utf-8")
    assert "Siobhán" not in raw[3:].decode("cp1252")


# --- one charset


@pytest.mark.parametrize(
    ("url", "accept", "content_type"),
    [
        ("/export.csv?q=storm", None, "text/csv; charset=utf-8"),
        ("/export.jsonl?q=storm", None, "application/x-ndjson; charset=utf-8"),
        ("/search.atom?q=storm", FEED_READER, "application/atom+xml; charset=utf-8"),
        ("/search.atom?q=storm", "*/*", "application/atom+xml; charset=utf-8"),
        ("/search.atom?q=storm", BROWSER, "application/xml; charset=utf-8"),
        ("/static/feed.xsl", None, None),
        ("/opensearch.xml", None, "application/opensearchdescription+xml; charset=utf-8"),
        ("/api/search?q=storm", None, "application/json; charset=utf-8"),
        ("/api/articles/a1", None, "application/json; charset=utf-8"),
        ("/api/articles/a1/related", None, "application/json; charset=utf-8"),
        ("/api/stats", None, "application/json; charset=utf-8"),
        ("/api/openapi.json", None, "application/json; charset=utf-8"),
        ("/api/search?q=date:junk", None, "application/json; charset=utf-8"),
        ("/api/articles/nope", None, "application/json; charset=utf-8"),
        ("/export.csv?q=date:junk", None, "text/html; charset=utf-8"),
    ],
)
def test_every_feed_export_and_api_response_has_one_charset(client: FlaskClient, url: str, accept: str | None,
                                                            content_type: str | None) -> None:
    with client.get(url, headers={"Accept": accept} if accept else {}) as response:
        header = response.headers["Content-Type"]
    assert header.lower().count("charset=") == 1, header
    if content_type:
        assert header == content_type
    else:  # the static stylesheet: an XML type (the system's mime.types names it application/xslt+xml)
        assert header in ("application/xslt+xml; charset=utf-8", "application/xml; charset=utf-8")


# --- feed times


@pytest.mark.parametrize(
    ("zone", "june", "january"),
    [
        ("UTC", "2021-06-30T00:00:00+00:00", "2020-01-15T09:00:00+00:00"),
        ("Europe/Berlin", "2021-06-30T00:00:00+02:00", "2020-01-15T09:00:00+01:00"),
        ("America/New_York", "2021-06-30T00:00:00-04:00", "2020-01-15T09:00:00-05:00"),
        ("Asia/Kolkata", "2021-06-30T00:00:00+05:30", "2020-01-15T09:00:00+05:30"),
    ],
)
def test_feed_times_are_printed_times_with_the_zones_real_offset(make_client: object, zone: str, june: str,
                                                                 january: str) -> None:
    client = make_client(TIMEZONE=zone)  # type: ignore[operator]
    root = feed(client, "interest rates")  # a5 (2021-06-30) and a1 (2020-01-15 09:00), newest first
    assert [e.findtext(f"{ATOM}published") for e in root.iter(f"{ATOM}entry")] == [june, january]
    assert [e.findtext(f"{ATOM}updated") for e in root.iter(f"{ATOM}entry")] == [june, january]
    assert root.findtext(f"{ATOM}updated") == june


def test_a_feed_without_dated_articles_is_updated_now_in_the_archives_zone(make_client: object) -> None:
    client = make_client(TIMEZONE="Asia/Kolkata")  # type: ignore[operator]
    root = feed(client, "story")  # only a7, which has no date
    updated = root.findtext(f"{ATOM}updated") or ""
    assert updated.endswith("+05:30")
    assert abs(datetime.fromisoformat(updated) - datetime.now(ZoneInfo("UTC"))) < timedelta(minutes=1)
    entry = root.find(f"{ATOM}entry")
    assert entry is not None and entry.find(f"{ATOM}published") is None


def test_the_time_zone_setting_is_declared_and_read_from_the_environment() -> None:
    assert {s.name: s.default for s in SETTINGS}["TIMEZONE"] == "UTC"
    assert load_settings({"NEWSARCHIVE_TIMEZONE": "Europe/Berlin"})["TIMEZONE"] == "Europe/Berlin"


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe", "../../etc/passwd", "/etc/localtime", "utc"])
def test_an_unknown_time_zone_stops_the_app_at_start_up(index_dir: Path, name: str) -> None:
    with pytest.raises(SettingError, match="NEWSARCHIVE_TIMEZONE must be an IANA time zone name such as"):
        create_app({"INDEX": str(index_dir), "TIMEZONE": name})


def test_serve_reports_an_unknown_time_zone_as_an_error(index_dir: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--index", str(index_dir)], env={"NEWSARCHIVE_TIMEZONE": "Mars/X"})
    assert result.exit_code == 1
    assert result.output == ("Error: NEWSARCHIVE_TIMEZONE must be an IANA time zone name such as Europe/Berlin or "
                             "UTC, not 'Mars/X'\n")


# --- the feed as a page


def test_the_feed_links_its_stylesheet_on_its_own_origin(client: FlaskClient) -> None:
    body = client.get("/search.atom?q=storm").get_data()
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n"
                           b'<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>\n<feed ')
    mounted = client.get("/search.atom?q=storm", base_url="http://localhost/archive").get_data()
    assert b'<?xml-stylesheet type="text/xsl" href="/archive/static/feed.xsl"?>' in mounted
    with client.get("/static/feed.xsl") as stylesheet:
        assert stylesheet.status_code == 200 and stylesheet.mimetype.endswith("xml")
    # Article text is never written as markup: no xsl:value-of or xsl:text may disable output escaping.
    assert etree.parse(str(STYLESHEET)).xpath("//@disable-output-escaping") == []


def test_the_stylesheet_makes_a_readable_page_of_the_feed(client: FlaskClient) -> None:
    response = client.get("/search.atom", query_string={"topic": "economy", "q": "inflation"},
                          base_url="http://localhost/archive")
    page = etree.XSLT(etree.parse(str(STYLESHEET)))(etree.fromstring(response.get_data()).getroottree())
    html = str(page)
    root = page.getroot()
    assert root.tag == "html" and root.get("lang") == "en"
    assert root.findtext("head/title") == "newsarchive: inflation (Atom feed)"
    assert root.find("head/link[@rel='stylesheet']").get("href") == "/archive/static/style.css"
    main_ = root.find("body/main")
    assert main_.findtext("h1") == "newsarchive: inflation"
    assert "This is an Atom feed of a search; paste its address into a feed reader" in html
    back = main_.find(".//a[.='Open this search in the archive']")
    assert back.get("href") == "http://localhost/?q=inflation&topic=economy"  # NEWSARCHIVE_BASE_URL holds any prefix
    entries = main_.findall("ol/li")
    assert [(li.find("h3/a").text, li.find("h3/a").get("href")) for li in entries] == [
        ("Central bank holds rates steady", "http://localhost/articles/a5"),
        ("<script>alert(1)</script> hostile headline", "http://localhost/articles/a4"),
        ("Fed raises interest rates again", "http://localhost/articles/a1"),
    ]
    assert [li.findtext("p/time") for li in entries] == ["30 June 2021", "1 March 2021", "15 January 2020"]
    assert entries[0].findtext("p/span[@class='byline']") == "Jane Doe"
    assert entries[0].findtext("p[@class='snippet']").startswith("The central bank held interest rates steady")
    # Untrusted text stays text: no element, attribute or inline style comes from an article.
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;alert(1)" in html
    assert page.xpath("//script | //style | //@style | //@*[starts-with(name(), 'on')]") == []  # nothing for the CSP


def test_the_feed_page_shows_dates_in_words_and_undated_articles(make_client: object) -> None:
    client = make_client(TIMEZONE="Europe/Berlin")  # type: ignore[operator]
    response = client.get("/search.atom?q=storm")
    page = etree.XSLT(etree.parse(str(STYLESHEET)))(etree.fromstring(response.get_data()).getroottree()).getroot()
    metas = [li.find("p[@class='hit-meta']") for li in page.findall("body/main/ol/li")]
    assert [m.findtext("time") for m in metas] == ["20 January 2020", None]
    assert metas[0].find("time").get("datetime") == "2020-01-20T00:00:00+01:00"
    assert metas[0].findtext("span") == "John Roe, Jane Doe" and metas[1].text == "undated"
    assert date(2020, 1, 20).strftime("%-d %B %Y") == metas[0].findtext("time")  # as the site's pages write it

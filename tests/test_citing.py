"""Citable results as users get them: the index fingerprint and canonical search in every answer, feed and export;
the /cite page; Highwire tags on article pages; RIS, BibTeX and CSL-JSON of one article, a selection, a search."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from werkzeug.test import TestResponse

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.maintenance import delete_articles
from newsarchive.cli import main
from webapp import create_app

from .conftest import CORPUS, write_jsonl
from .test_citations import parse_bibtex, parse_ris

BASE = "https://archive.example"
NS = "{https://newsarchive.example/ns/1}"
ATOM = "{http://www.w3.org/2005/Atom}"
DIGEST = re.compile(r"[0-9a-f]{16}")


@pytest.fixture
def app(index_dir: Path) -> Iterator[Flask]:
    app = create_app({"INDEX": str(index_dir), "TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0,
                      "BASE_URL": BASE, "SITE_NAME": "Test Archive"})
    yield app
    app.extensions["newsarchive"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def add_article(index_dir: Path, tmp_path: Path) -> None:
    record = {"id": "new1", "title": "Harbour crane repaired", "date": "2022-03-01", "body": "The crane works."}
    index_paths([write_jsonl(tmp_path / "more.jsonl", [record])], open_backend(folder=index_dir), IndexOptions(procs=1))


def by_class(node: html.HtmlElement, name: str) -> list[html.HtmlElement]:
    """Return the elements under node that have this class."""
    found: list[html.HtmlElement] = node.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")
    return found


def get(client: FlaskClient, url: str, status: int = 200, **kwargs: Any) -> TestResponse:
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response


# --- the fingerprint and the canonical search in every answer


def test_every_api_answer_carries_the_index_and_a_search_its_canonical_form_and_cite_link(client: FlaskClient) -> None:
    found = client.get("/api/search?topic=weather&q=storm&topic=economy&sort=newest").get_json()
    index = found["index"]
    assert index["articles"] == len(CORPUS) and index["backend"] == "whoosh" and DIGEST.fullmatch(index["digest"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", index["last_commit"])
    assert found["search"] == "q=storm&sort=newest&topic=economy&topic=weather"  # sorted, whatever the order asked
    assert found["cite"] == f"{BASE}/cite?q=storm&sort=newest&topic=economy&topic=weather&fp={index['digest']}"
    for url in ("/api/articles/a1", "/api/articles/a1/related", "/api/stats"):
        assert client.get(url).get_json()["index"] == index
    assert "index" not in client.get("/api/articles/nope").get_json()  # errors keep their one shape


def test_two_identical_exports_carry_the_same_fingerprint_and_an_added_article_changes_it(
        client: FlaskClient, index_dir: Path, tmp_path: Path) -> None:
    first = client.get("/export.csv?q=rates")
    first_file = first.get_data()  # read whole before the next request: a streamed answer holds its request
    again = client.get("/export.csv?q=rates")
    assert first.headers["Newsarchive-Index"] == again.headers["Newsarchive-Index"]
    assert first_file == again.get_data()
    add_article(index_dir, tmp_path)
    later = client.get("/export.csv?q=rates")
    assert later.headers["Newsarchive-Index"] != first.headers["Newsarchive-Index"]
    assert digest_of(later.headers["Newsarchive-Index"]) != digest_of(first.headers["Newsarchive-Index"])
    assert "articles=8" in later.headers["Newsarchive-Index"] and "articles=7" in first.headers["Newsarchive-Index"]


def test_an_answer_is_computed_again_when_a_commit_lands_before_its_fingerprint_is_read(
        app: Flask, index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = app.extensions["newsarchive"]
    searched = backend.search
    calls: list[int] = []

    def search_then_commit(*args: Any, **kwargs: Any) -> Any:
        page = searched(*args, **kwargs)
        if not calls:
            add_article(index_dir, tmp_path)  # lands after the search, before the fingerprint is read
        calls.append(1)
        return page

    monkeypatch.setattr(backend, "search", search_then_commit)
    found = app.test_client().get("/api/search?q=crane").get_json()
    assert len(calls) == 2  # the first answer was of the index before the commit: computed again
    assert (found["total"], found["index"]["articles"]) == (1, len(CORPUS) + 1)


def digest_of(header: str) -> str:
    fields = dict(part.split("=", 1) for part in header.split("; "))
    assert set(fields) == {"digest", "backend", "articles", "last_commit", "schema_version", "analyzer_version"}
    return fields["digest"]


def test_csv_and_json_lines_carry_the_fingerprint_in_headers_and_on_every_row(client: FlaskClient) -> None:
    digest = client.get("/api/stats").get_json()["index"]["digest"]
    for url in ("/export.csv?q=rates&match=any", "/export.jsonl?q=rates&match=any"):
        response = client.get(url)
        assert digest_of(response.headers["Newsarchive-Index"]) == digest
        assert response.headers["Newsarchive-Search"] == "match=any&q=rates"
        assert response.headers["Link"] == f'<{BASE}/cite?match=any&q=rates&fp={digest}>; rel="cite-as"'
        text = response.get_data(as_text=True)
        rows = (list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")))) if url.startswith("/export.csv")
                else [json.loads(line) for line in text.splitlines()])
        assert len(rows) == 2 and all(row["index_fingerprint"] == digest for row in rows)


def test_the_feed_carries_the_fingerprint_the_search_and_a_link_to_cite_it(client: FlaskClient) -> None:
    feed = ET.fromstring(client.get("/search.atom?q=storm").get_data())
    index = feed.find(f"{NS}index")
    assert index is not None and index.get("articles") == str(len(CORPUS)) and DIGEST.fullmatch(index.get("digest", ""))
    assert index.get("backend") == "whoosh" and index.get("analyzer_version", "").startswith("news-")
    assert feed.findtext(f"{NS}search") == "q=storm&sort=newest"  # a feed is newest first
    related = [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "related"]
    assert related == [f"{BASE}/cite?q=storm&sort=newest&fp={index.get('digest')}"]


# --- the /cite page


def test_the_cite_page_shows_the_search_the_index_and_a_citation(client: FlaskClient) -> None:
    page = html.fromstring(get(client, "/cite?q=rates&topic=economy").get_data())
    digest = client.get("/api/stats").get_json()["index"]["digest"]
    text = " ".join(page.text_content().split())
    assert "“rates” (topic: economy): 2 articles now" in text
    assert by_class(page, "cite-canonical")[0].text == "q=rates&topic=economy"
    shown = dict(zip([dt.text_content() for dt in by_class(page, "cite-index")[0].xpath("dt")],
                     [dd.text_content() for dd in by_class(page, "cite-index")[0].xpath("dd")], strict=True))
    assert (shown["Fingerprint"], shown["Articles"], shown["Engine"]) == (digest, str(len(CORPUS)), "whoosh")
    assert shown["Last commit"].endswith(" UTC") and shown["Analyzer version"].startswith("news-")
    citation = by_class(page, "cite-text")[0].text_content()
    assert citation.startswith("Test Archive. Search results for “rates” (topic: economy): 2 articles [data set].")
    assert f"{BASE}/cite?q=rates&topic=economy&fp={digest}" in citation
    [(kind, _, fields)] = parse_bibtex(by_class(page, "cite-bibtex")[0].text_content())
    assert kind == "misc" and fields["url"] == f"{BASE}/cite?q=rates&topic=economy&fp={digest}"
    links = {a.text_content(): a.get("href") for a in page.xpath("//main//a")}
    # The cited search lists every article (the API's default); the page would group copies unless told.
    assert links["Run this search again"] == "/?q=rates&topic=economy&group=none"
    assert links["RIS"] == "/export.ris?q=rates&topic=economy" and links["CSV"] == "/export.csv?q=rates&topic=economy"
    assert not by_class(page, "cite-status")  # no fp= given: nothing to compare


def test_the_cite_page_says_whether_the_index_changed_since_the_link_was_made(
        client: FlaskClient, index_dir: Path, tmp_path: Path) -> None:
    link = client.get("/api/search?q=crane").get_json()["cite"]
    path = link.removeprefix(BASE)
    same = html.fromstring(get(client, path).get_data())
    assert "Same index." in by_class(same, "cite-status")[0].text_content()
    add_article(index_dir, tmp_path)
    changed = html.fromstring(get(client, path).get_data())
    status = by_class(changed, "cite-status")[0]
    assert status.get("role") == "alert" and "The index has changed since this link was made." in status.text_content()
    assert "re-running the search may give another answer" in status.text_content()
    assert "1 article now" in changed.text_content()


@pytest.mark.parametrize("fp", ["xyz", "0123", "0123456789ABCDEF0", "0123456789abcdeg"])
def test_a_bad_fingerprint_is_a_400_that_says_what_fp_is(client: FlaskClient, fp: str) -> None:
    response = get(client, f"/cite?q=rates&fp={fp}", 400, headers={"Accept": "application/json"})
    assert "16 hexadecimal digits" in response.get_json()["error"]["message"]


def test_the_cite_page_escapes_the_search(client: FlaskClient) -> None:
    body = get(client, "/cite", query_string={"q": '"<script>alert(1)</script>"', "source": '<img src=x>'}
               ).get_data(as_text=True)
    assert "<script>alert(1)" not in body and "<img src=x>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_results_page_links_its_cite_page_and_can_cite_a_selection_without_javascript(client: FlaskClient) -> None:
    page = html.fromstring(get(client, "/?q=rates&sort=newest").get_data())
    cite = [a.get("href") for a in page.xpath("//*[@class='outputs']/a") if a.text == "Cite this search"]
    assert cite == ["/cite?q=rates&sort=newest"]
    form = page.get_element_by_id("cite-selected")
    assert (form.get("method"), form.get("action")) == ("get", "/export.ris")
    assert form.xpath(".//input[@type='hidden']")[0].get("name") == "selected"
    assert [b.get("formaction") for b in form.xpath(".//button")] == [None, "/export.bib", "/export.csl.json"]
    boxes = page.xpath("//input[@type='checkbox'][@form='cite-selected']")
    assert [(b.get("name"), b.get("value")) for b in boxes] == [("id", "a5"), ("id", "a1")]
    assert boxes[0].get("aria-label") == "Cite “Central bank holds rates steady”"
    # What the browser sends when a box is ticked and BibTeX pressed:
    [(_, key, _)] = parse_bibtex(get(client, "/export.bib?selected=1&id=a5").get_data(as_text=True))
    assert key == "a5"
    assert "cite-selected" not in get(client, "/embed?q=rates").get_data(as_text=True)


# --- Highwire tags on article pages


def meta(page: html.HtmlElement, name: str) -> list[str]:
    return [m.get("content") for m in page.xpath(f"/html/head/meta[@name='{name}']")]


def test_article_pages_carry_the_tags_zotero_reads(client: FlaskClient) -> None:
    page = html.fromstring(get(client, "/articles/a2?q=storm&n=1").get_data())
    assert meta(page, "citation_title") == ["Storm batters coast"]
    assert meta(page, "citation_author") == ["John Roe", "Jane Doe"]
    assert meta(page, "citation_publication_date") == meta(page, "citation_date") == ["2020/01/20"]
    assert meta(page, "citation_journal_title") == ["Gazette"]
    assert meta(page, "citation_public_url") == [f"{BASE}/articles/a2"]  # the page itself, not the search it came from
    assert meta(page, "citation_fulltext_html_url") == []  # no original address known
    links = {a.text_content(): a.get("href") for a in by_class(page, "cite-article")[0].xpath(".//a")}
    assert links == {"RIS": "/export.ris?id=a2", "BibTeX": "/export.bib?id=a2", "CSL-JSON": "/export.csl.json?id=a2"}


def test_article_tags_escape_hostile_text_and_name_only_web_originals(tmp_path: Path) -> None:
    record = {"id": "h1", "title": '"><script>alert(1)</script>', "author": ['O"Brien <b>', "Ann Lee"],
              "date": "2021-03-01", "source": "Gazette\" onload=\"x", "url": "javascript:alert(1)", "body": "Text."}
    original = {"id": "h2", "title": "Plain", "url": "https://example.org/a?b=1&c=2", "body": "Text."}
    folder = tmp_path / "ix"
    index_paths([write_jsonl(tmp_path / "h.jsonl", [record, original])], open_backend(folder=folder),
                IndexOptions(procs=1))
    app = create_app({"INDEX": str(folder), "TESTING": True, "RATE_LIMIT": 0, "BASE_URL": BASE})
    body = get(app.test_client(), "/articles/h1").get_data(as_text=True)
    assert "<script>alert(1)" not in body and "<b>" not in body and 'onload="x' not in body
    page = html.fromstring(body)
    assert meta(page, "citation_title") == ['"><script>alert(1)</script>']
    assert meta(page, "citation_author") == ['O"Brien <b>', "Ann Lee"]
    assert meta(page, "citation_journal_title") == ['Gazette" onload="x']
    assert meta(page, "citation_fulltext_html_url") == []  # javascript: is no original
    other = html.fromstring(get(app.test_client(), "/articles/h2").get_data())
    assert meta(other, "citation_fulltext_html_url") == ["https://example.org/a?b=1&c=2"]
    assert meta(other, "citation_publication_date") == [] and meta(other, "citation_author") == []
    app.extensions["newsarchive"].close()


# --- RIS, BibTeX and CSL-JSON: one article, a selection, a whole search


def test_one_article_in_each_format(client: FlaskClient) -> None:
    ris = get(client, "/export.ris?id=a1")
    assert ris.content_type == "application/x-research-info-systems; charset=utf-8"
    assert ris.headers["Content-Disposition"] == "attachment; filename=newsarchive-a1-" + \
        ris.headers["Content-Disposition"][-14:]
    [record] = parse_ris(ris.get_data(as_text=True))
    assert record["TI"] == ["Fed raises interest rates again"] and record["UR"] == [f"{BASE}/articles/a1"]
    assert record["DB"] == ["Test Archive"]
    bib = get(client, "/export.bib?id=a1")
    assert bib.content_type == "application/x-bibtex; charset=utf-8"
    [(_, key, fields)] = parse_bibtex(bib.get_data(as_text=True))
    assert key == "a1" and fields["journal"] == "Daily Planet"
    csl = get(client, "/export.csl.json?id=a1")
    assert csl.content_type == "application/vnd.citationstyles.csl+json; charset=utf-8"
    [item] = json.loads(csl.get_data(as_text=True))
    assert {"id", "type", "title", "author", "issued", "container-title", "URL"} <= set(item)
    assert item["type"] == "article-newspaper" and item["container-title"] == "Daily Planet"
    assert "Newsarchive-Index" in csl.headers and "Link" not in csl.headers


def test_a_selection_keeps_its_order_and_drops_repeats(client: FlaskClient) -> None:
    text = get(client, "/export.ris?id=a4&id=a2&id=a4&id=a6").get_data(as_text=True)
    records = parse_ris(text)
    assert [r["AN"] for r in records] == [["a4"], ["a2"], ["a6"]]
    assert records[0]["TI"] == ["<script>alert(1)</script> hostile headline"]  # text, as the file format carries it
    disposition = get(client, "/export.bib?id=a1&id=a2").headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=newsarchive-selection-") and disposition.endswith(".bib")


def test_a_whole_search_streams_every_match_with_its_fingerprint(client: FlaskClient) -> None:
    response = get(client, "/export.csl.json?q=rates&match=any&sort=oldest")
    assert response.is_streamed
    items = json.loads(response.get_data(as_text=True))
    assert [i["id"] for i in items] == ["a1", "a5"]
    assert response.headers["Newsarchive-Search"] == "match=any&q=rates&sort=oldest"
    assert 'rel="cite-as"' in response.headers["Link"]
    assert response.headers["Content-Disposition"].startswith(
        "attachment; filename=newsarchive-rates-")
    everything = parse_bibtex(get(client, "/export.bib").get_data(as_text=True))
    assert len(everything) == len(CORPUS) and len({key for _, key, _ in everything}) == len(CORPUS)
    assert json.loads(get(client, "/export.csl.json?q=nothingmatches").get_data(as_text=True)) == []


def test_the_export_cap_applies_to_a_whole_search(index_dir: Path) -> None:
    app = create_app({"INDEX": str(index_dir), "TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0,
                      "EXPORT_CAP": 3})
    assert len(parse_ris(app.test_client().get("/export.ris").get_data(as_text=True))) == 3
    app.extensions["newsarchive"].close()


@pytest.mark.parametrize(("url", "status", "says"), [
    ("/export.ris?id=a1&id=nope&id=gone", 404, "no article with id 'nope', 'gone': nothing was cited"),
    ("/export.bib?selected=1", 400, "no article is selected"),
    ("/export.bib?id=a1&q=rates", 400, "give either id= (articles) or search parameters, not both (given: q)"),
    ("/export.csl.json?" + "&".join(f"id=x{i}" for i in range(101)), 400,
     "too many articles selected (101; at most 100)"),
    ("/export.ris?q=date:junk", 400, "date:junk is not a date"),
    ("/export.ris?sort=sideways", 400, "unknown sort"),
])
def test_bad_citation_requests_say_what_is_wrong(client: FlaskClient, url: str, status: int, says: str) -> None:
    response = get(client, url, status, headers={"Accept": "application/json"})
    assert says in response.get_json()["error"]["message"]


def test_a_whole_search_counts_as_an_export_and_a_selection_as_a_search(index_dir: Path) -> None:
    app = create_app({"INDEX": str(index_dir), "TESTING": True, "RATE_LIMIT": 100, "EXPORT_RATE_LIMIT": 1})
    client = app.test_client()
    assert client.get("/export.ris?q=rates").status_code == 200
    assert client.get("/export.bib?q=rates").status_code == 429
    assert all(client.get("/export.bib?id=a1").status_code == 200 for _ in range(3))
    app.extensions["newsarchive"].close()


# --- the command line


def test_the_cite_command_prints_a_file_and_says_the_fingerprint_on_stderr(index_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["cite", "--index", str(index_dir), "rates", "--format", "ris", "--sort", "oldest"])
    assert result.exit_code == 0, result.output
    assert [r["AN"] for r in parse_ris(result.stdout_bytes.decode())] == [["a1"], ["a5"]]  # (stdout drops CRs)
    assert re.fullmatch(r"Index fingerprint [0-9a-f]{16} \(whoosh, 7 articles, last commit \S+Z\); "
                        r"search: q=rates&sort=oldest\n", result.stderr)
    bib = runner.invoke(main, ["cite", "--index", str(index_dir), "--id", "a6", "--id", "a4"])
    assert [key for _, key, _ in parse_bibtex(bib.stdout)] == ["a6", "a4"]  # BibTeX unless told otherwise
    csl = runner.invoke(main, ["cite", "--index", str(index_dir), "--format", "csl-json", "--limit", "2"])
    assert len(json.loads(csl.stdout)) == 2
    missing = runner.invoke(main, ["cite", "--index", str(index_dir), "--id", "nope"])
    assert missing.exit_code == 1 and "Error: no article with id 'nope'" in missing.stderr and not missing.stdout
    both = runner.invoke(main, ["cite", "--index", str(index_dir), "--id", "a1", "rates"])
    assert both.exit_code == 2 and "give either --id or a search" in both.stderr


def test_the_fingerprint_follows_every_commit_deletion_and_rebuild(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "a.jsonl", [{"id": f"a{i}", "title": f"Ferry {i}", "body": "The ferry runs."}
                                               for i in range(3)])
    folder = tmp_path / "ix"
    index_paths([data], open_backend(folder=folder), IndexOptions(procs=1))
    backend = open_backend(folder=folder)
    first = backend.fingerprint()
    assert backend.fingerprint() == first  # remembered, the same
    delete_articles(open_backend(folder=folder), ["a1"])
    deleted = backend.fingerprint()
    assert deleted != first and deleted.articles == 2
    index_paths([data], open_backend(folder=folder), IndexOptions(procs=1, rebuild=True))
    rebuilt = backend.fingerprint()
    assert rebuilt not in (first, deleted) and rebuilt.articles == 3

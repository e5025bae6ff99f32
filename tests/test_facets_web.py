"""Every facet value through the web app: /api/facets/<name>, the facet pages, and the search page's way to them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from webapp import create_app

from .conftest import write_jsonl

HOSTILE = '<img src=x onerror="alert(1)">'
# Fictional: 30 reporters, the first ones with more articles; one byline with accents, one hostile.
AUTHORS = [f"Reporter {n:02d}" for n in range(1, 29)] + ["Siobhán Ní Bhriain", HOSTILE]
RECORDS = [{"id": f"r{i}-{k}", "title": f"Dispatch {i} {k}", "author": name, "date": f"{2019 + i % 3}-05-0{k + 1}",
            "topic": ["transport" if i % 2 else "harbour"], "source": "Courier",
            "body": ("The bridge opened. " if k == 1 else "The ferry ran late. ") + f"Report {i}."}
           for i, name in enumerate(AUTHORS) for k in range(1 + (29 - i) // 10)]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    source = write_jsonl(tmp_path / "bylines.jsonl", RECORDS)  # type: ignore[arg-type]
    index_paths([source], open_backend(folder=tmp_path / "index"), IndexOptions(procs=1))
    app = create_app({"INDEX": str(tmp_path / "index"), "TESTING": True, "RATE_LIMIT": 0})
    yield app
    app.extensions["newsarchive"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def get_json(client: FlaskClient, url: str, status: int = 200) -> dict:  # type: ignore[type-arg]
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()  # type: ignore[no-any-return]


def test_the_api_pages_through_every_value_with_the_search_s_counts(client: FlaskClient) -> None:
    search = get_json(client, "/api/search?q=ferry&per_page=1")
    first = get_json(client, "/api/facets/author?q=ferry&per_page=20")
    assert list(first) == ["facet", "containing", "count", "total", "page", "per_page", "pages", "values", "search",
                           "index"]
    assert first["total"] == 30 and first["pages"] == 2 and first["search"] == "q=ferry"
    assert first["index"] == search["index"]
    second = get_json(client, "/api/facets/author?q=ferry&per_page=20&page=2")
    values = first["values"] + second["values"]
    assert {v["value"] for v in values} == set(AUTHORS)
    assert [{"value": v["value"], "count": v["count"]} for v in values[:20]] == search["facets"]["author"]
    assert values[0] == {"value": "Reporter 01", "count": 2, "selected": False}  # 3 articles, 2 of the ferry
    assert get_json(client, "/api/facets/author?q=ferry&per_page=20&page=3")["values"] == []


def test_the_api_searches_a_facet_within_the_search_and_flags_selections(client: FlaskClient) -> None:
    found = get_json(client, "/api/facets/author?q=bridge&containing=%20SIOBHAN&author=Reporter+03&topic=harbour")
    assert found["containing"] == "SIOBHAN" and found["total"] == 0  # Siobhán wrote one article, not of the bridge
    found = get_json(client, "/api/facets/author?q=bridge&containing=porter+0&author=Reporter+03&count=stories")
    assert found["count"] == "stories" and found["search"] == "author=Reporter%2003&count=stories&q=bridge"
    assert {v["value"] for v in found["values"] if v["selected"]} == {"Reporter 03"}
    assert {v["value"] for v in found["values"]} == {f"Reporter 0{n}" for n in range(1, 10)}
    assert get_json(client, "/api/facets/author?containing=n%C3%AD+bh")["values"][0]["value"] == "Siobhán Ní Bhriain"


@pytest.mark.parametrize(("url", "status", "says"), [
    ("/api/facets/byline", 404, "there is no facet 'byline': the facets are topic, author, source, year, month"),
    ("/api/facets/author?page=0", 400, "page must be between 1 and 1,000,000"),
    ("/api/facets/author?page=x", 400, "page must be a whole number"),
    ("/api/facets/author?per_page=101", 400, "per_page must be between 1 and 100"),
    ("/api/facets/author?containing=" + "x" * 201, 400, "containing is too long (201 characters; the limit is 200)"),
    ("/api/facets/author?containing=a&containing=b", 400, "containing was given 2 times"),
    ("/api/facets/author?q=date:junk", 400, "is not a date"),
    ("/api/facets/author?count=story", 400, "unknown count"),
])
def test_a_bad_request_has_the_one_error_shape(client: FlaskClient, url: str, status: int, says: str) -> None:
    error = get_json(client, url, status)["error"]
    assert set(error) == {"status", "code", "message"} and error["status"] == status
    assert says in error["message"]


def test_without_an_index_the_api_says_so(tmp_path: Path) -> None:
    missing = create_app({"INDEX": str(tmp_path / "none")}).test_client()
    assert get_json(missing, "/api/facets/author", 503)["error"]["code"] == "no_index"


def test_the_openapi_document_describes_the_endpoint(client: FlaskClient) -> None:
    operation = get_json(client, "/api/openapi.json")["paths"]["/api/facets/{name}"]["get"]
    names = [p["name"] for p in operation["parameters"]]
    assert names[0] == "name" and names[-3:] == ["containing", "page", "per_page"] and "q" in names
    assert names.count("page") == 1
    assert set(operation["responses"]) == {"200", "400", "404", "429", "503"}
    assert operation["parameters"][0]["schema"]["enum"] == ["topic", "author", "source", "year", "month", "language",
                                                            "person", "org", "place"]


def finder(page: str, facet: str) -> str:
    """Return the search box form of a facet on the search page ('' when it has none)."""
    found = re.search(rf'<form class="facet-search" action="/facets/{facet}".*?</form>', page, re.S)
    return found.group(0) if found else ""


def test_a_facet_cut_to_its_top_values_gets_a_search_box_and_a_more_link(client: FlaskClient) -> None:
    page = client.get("/?q=ferry&source=Courier&sort=oldest").get_data(as_text=True)
    authors = finder(page, "author")
    assert 'data-api="/api/facets/author"' in authors and 'name="containing"' in authors
    hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', authors)
    assert hidden == [("q", "ferry"), ("source", "Courier"), ("sort", "oldest")]  # the search goes along
    assert '<label for="find-author">Search authors</label>' in authors
    more = re.search(r'<p class="facet-more-link"><a href="([^"]+)">More authors…</a>', page)
    assert more and unescape(more.group(1)) == "/facets/author?q=ferry&source=Courier&sort=oldest"
    assert finder(page, "source") == "" and finder(page, "year") == ""  # one source; years are all listed
    assert "facets.js" in page


def test_the_facet_page_lists_a_page_of_values_escaped_with_a_form_that_applies_them(client: FlaskClient) -> None:
    response = client.get("/facets/author?q=ferry&author=Reporter+03&author=Reporter+29&per_page=10&page=2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Authors in articles matching “ferry”</h1>" in page
    # 30 authors and a chosen one no article has (listed last); ten with two ferry articles, then the others.
    assert "31 authors, showing 11–20" in page and "page 2 of 4" in page
    boxes = re.findall(r'<input type="checkbox" id="value-\d+" name="author" value="([^"]*)" ?(checked)?>', page)
    assert [unescape(v) for v, _ in boxes] == [HOSTILE] + [f"Reporter {n}" for n in range(11, 20)]
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page and HOSTILE not in page
    # The list applies the ticked values with the rest of the search: the chosen ones on other pages are kept.
    form = re.search(r'<form class="facet-values" action="/" method="get">(.*?)</form>', page, re.S)
    assert form is not None
    assert re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.group(1)) == [
        ("q", "ferry"), ("author", "Reporter 03"), ("author", "Reporter 29")]
    links = [unescape(u) for u in re.findall(r'<a href="(/facets/author\?[^"]+)"', page)]
    assert "/facets/author?q=ferry&author=Reporter+03&author=Reporter+29&page=3&per_page=10" in links
    assert '<a href="/?q=ferry&amp;author=Reporter+03&amp;author=Reporter+29">← Back to the results</a>' in page
    assert re.search(r'value="Reporter 29" checked>', client.get(
        "/facets/author?author=Reporter+29&containing=29").get_data(as_text=True))


def test_the_facet_page_searches_the_values_and_says_how_many_match(client: FlaskClient) -> None:
    page = client.get("/facets/author?containing=han").get_data(as_text=True)
    assert "1 author contains “han”" in page and 'value="Siobhán Ní Bhriain"' in page
    assert '<input id="containing" name="containing" type="search" value="han"' in page
    none = client.get("/facets/author?containing=%3Cb%3Ezz").get_data(as_text=True)
    assert "No author contains “&lt;b&gt;zz”" in none and "<b>zz" not in none
    past = client.get("/facets/author?page=9").get_data(as_text=True)
    assert "Page 9 is past the last" in past and 'href="/facets/author"' in past


def test_a_month_reads_as_on_the_search_page_and_a_bad_facet_is_a_404_page(client: FlaskClient) -> None:
    page = client.get("/facets/month?containing=2020").get_data(as_text=True)
    assert "May 2020" in page and 'value="2020-05"' in page
    missing = client.get("/facets/byline")
    assert missing.status_code == 404 and "there is no facet" in missing.get_data(as_text=True)
    bad = client.get("/facets/author?per_page=0")
    assert bad.status_code == 400 and "per_page must be between 1 and 100" in bad.get_data(as_text=True)


def test_choosing_values_on_the_facet_page_gives_the_search_with_them(client: FlaskClient) -> None:
    page = client.get("/facets/author?q=ferry&containing=reporter+1").get_data(as_text=True)
    form = re.search(r'<form class="facet-values" action="(/)" method="get">(.*?)</form>', page, re.S)
    assert form is not None
    fields = re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.group(2))
    assert fields == [("q", "ferry")]
    results = client.get("/?" + urlencode([*fields, ("author", "Reporter 12")]))  # as the form sends it, one ticked
    assert results.status_code == 200 and "Remove Author: Reporter 12" in results.get_data(as_text=True)

"""People, organisations and places in the web app, the API, exports and the CLI: facets, chips, the article page's
links, the advanced form, alerts; names escaped wherever they are shown."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from newsarchive.cli import main
from webapp import create_app

from .conftest import write_jsonl

HOSTILE = '<img src=x onerror="alert(1)">'
# Fictional, in the demo's valley.
RECORDS = [
    {"id": "w1", "title": "Quell named harbour chief", "date": "2021-03-01", "people": ["Mara Quell", HOSTILE],
     "organizations": ["Saltmarsh Harbour Board"], "places": ["Dunhollow", "Saint-Ombrelle"],
     "body": "Mara Quell will run the Saltmarsh Harbour Board from Dunhollow."},
    {"id": "w2", "title": "Ferry timetable", "date": "2021-03-02",
     "body": "The winter timetable is ready, Mara Quell told the Saltmarsh Harbour Board in Dunhollow."},
    {"id": "w3", "title": "Storm", "date": "2021-03-03", "body": "A storm closed the quay for a day."},
]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    source = write_jsonl(tmp_path / "names.jsonl", RECORDS)  # type: ignore[arg-type]
    index_paths([source], open_backend(folder=tmp_path / "index"), IndexOptions(procs=1))
    app = create_app({"INDEX": str(tmp_path / "index"), "TESTING": True, "RATE_LIMIT": 0})
    yield app
    app.extensions["newsarchive"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def html_of(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_search_page_shows_the_name_facets_escaped(client: FlaskClient) -> None:
    page = html_of(client, "/")
    for title in ("Person", "Organisation", "Place"):
        assert re.search(rf">\s*{title}\s*<", page), title
    assert "Mara Quell <span class=\"count\">2</span>" in page
    assert "Saint-Ombrelle" in page and "Saltmarsh Harbour Board" in page
    assert HOSTILE not in page and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    # The search tips show the name fields with the archive's own names (each tip finds articles).
    assert "<code>person:quell</code>" in page and "<code>place:dunhollow</code>" in page


def test_a_chosen_name_is_a_chip_and_filters_the_results(client: FlaskClient) -> None:
    page = html_of(client, "/?place=Dunhollow&person=Mara+Quell")
    assert "Person: Mara Quell" in page and "Place: Dunhollow" in page
    assert "Quell named harbour chief" in page and "Ferry timetable" in page and "Storm" not in page
    removing = re.search(r'<a class="chip" href="([^"]*)" aria-label="Remove Person: Mara Quell">', page)
    assert removing is not None and unescape(removing.group(1)) == "/?place=Dunhollow"
    hostile = html_of(client, "/?person=" + HOSTILE)
    assert HOSTILE not in hostile and "Person: &lt;img" in hostile


def test_the_article_page_links_its_names_to_their_facet(client: FlaskClient) -> None:
    page = html_of(client, "/articles/w1")
    people = re.search(r"<dt>People</dt><dd[^>]*>(.*?)</dd>", page)
    assert people is not None
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', people.group(1))
    assert [(unescape(url), unescape(name)) for url, name in links] == [
        ("/?person=Mara+Quell", "Mara Quell"), ("/?person=%3Cimg+src%3Dx+onerror%3D%22alert(1)%22%3E", HOSTILE)]
    assert HOSTILE not in page
    assert '<a href="/?org=Saltmarsh+Harbour+Board">Saltmarsh Harbour Board</a>' in page
    assert "<dt>Places</dt>" in page and "<dt>People</dt>" not in html_of(client, "/articles/w3")
    found = html_of(client, "/articles/w2")  # names found in its text, linked the same way
    assert '<a href="/?person=Mara+Quell">Mara Quell</a>' in found


def test_the_facet_page_lists_and_searches_names(client: FlaskClient) -> None:
    page = html_of(client, "/facets/place?containing=ombr")
    assert "Saint-Ombrelle" in page and "Dunhollow" not in page
    answer = client.get("/api/facets/person?containing=QUELL").get_json()
    assert [(v["value"], v["count"]) for v in answer["values"]] == [("Mara Quell", 2)]


def test_the_api_and_exports_carry_names(client: FlaskClient) -> None:
    hits = client.get("/api/search?q=timetable").get_json()["hits"]
    assert [(h["people"], h["orgs"], h["places"]) for h in hits] == [
        (["Mara Quell"], ["Saltmarsh Harbour Board"], ["Dunhollow"])]
    article = client.get("/api/articles/w1").get_json()
    assert article["people"] == ["Mara Quell", HOSTILE] and article["places"] == ["Dunhollow", "Saint-Ombrelle"]
    assert client.get("/api/search?person=Mara+Quell").get_json()["total"] == 2
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv?q=quell").get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["id"]: (r["people"], r["places"]) for r in rows} == {
        "w1": ("Mara Quell; " + HOSTILE, "Dunhollow; Saint-Ombrelle"), "w2": ("Mara Quell", "Dunhollow")}
    lines = [json.loads(line) for line in client.get("/export.jsonl?q=storm").get_data(as_text=True).splitlines()]
    assert [(r["id"], r["people"], r["orgs"], r["places"]) for r in lines] == [("w3", [], [], [])]
    spec = client.get("/api/openapi.json").get_json()
    assert {"people", "orgs", "places"} <= set(spec["components"]["schemas"]["Hit"]["properties"])
    assert {"top_person", "top_org", "top_place"} <= set(spec["components"]["schemas"]["Stats"]["properties"])


def test_the_advanced_form_asks_for_names_and_scopes_words_to_them(client: FlaskClient) -> None:
    form = html_of(client, "/advanced")
    assert 'name="person"' in form and 'name="org"' in form and 'name="place"' in form
    assert re.search(r'<datalist id="top-person"><option value="Mara Quell">', form)
    assert '<option value="person"' in form
    built = client.get("/api/advanced?all=quell&field=person&place=Dunhollow").get_json()
    assert built["query"] == "person:quell" and "Place: Dunhollow" in built["filters"]
    landed = client.get("/advanced?all=quell&field=person&place=Dunhollow")
    assert landed.status_code == 303 and "place=Dunhollow" in landed.headers["Location"]


def test_the_cli_filters_by_name_and_alerts_keep_the_filter(tmp_path: Path) -> None:
    index = tmp_path / "index"
    source = write_jsonl(tmp_path / "names.jsonl", RECORDS)  # type: ignore[arg-type]
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(source), "--index", str(index)]).exit_code == 0
    found = runner.invoke(main, ["search", "--json", "--index", str(index), "--person", "Mara Quell",
                                 "--place", "Dunhollow", "--org", "Saltmarsh Harbour Board"])
    assert found.exit_code == 0, found.output
    assert {h["id"] for h in json.loads(found.stdout)["hits"]} == {"w1", "w2"}
    field = runner.invoke(main, ["search", "--json", "--index", str(index), "org:saltmarsh"])
    assert {h["id"] for h in json.loads(field.stdout)["hits"]} == {"w1", "w2"}
    added = runner.invoke(main, ["alerts", "add", "quell", "", "--person", "Mara Quell", "--webhook",
                                 "http://127.0.0.1:9/hook", "--index", str(index)])
    assert added.exit_code == 0, added.output
    listed = json.loads(runner.invoke(main, ["alerts", "list", "--json", "--index", str(index)]).stdout)
    assert listed[0]["search"] == "person=Mara%20Quell"

"""Stories as users see them: the page groups copies of a story, the API lists every article unless asked, the
toggles, the counts, exports carrying each article's story, and hostile copy headlines escaped."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.backend import Batch, open_backend
from indexer.records import Article
from webapp import create_app

WIRE = "swire0000001"
HOSTILE = '<script>alert("x")</script> & Co'


def copy(article_id: str, day: int, source: str, headline: str) -> Article:
    body = ("The harbour board approved the new ferry terminal on Tuesday after a long debate about costs "
            "and the ferry timetable.")
    return Article(article_id, headline, body, date=datetime(2021, 3, day, 8), source=source, topic=("transport",),
                   story=WIRE)


ARTICLES = [
    copy("w1", 2, "Wire", "Harbour board approves ferry terminal"),
    copy("w2", 3, "Valley Courier", "Ferry terminal approved"),
    copy("w3", 4, "Coast Times", HOSTILE),
    Article("o1", "Council budget passes", "The council passed its budget; the ferry was not discussed.",
            date=datetime(2021, 3, 5, 8), source="Valley Courier", topic=("politics",), story="sother000001"),
]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    backend = open_backend("whoosh", tmp_path / "index")
    backend.prepare()
    backend.commit(Batch(articles={a.id: (a, False) for a in ARTICLES}))
    backend.close()
    app = create_app({"INDEX": str(tmp_path / "index"), "TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0})
    yield app.test_client()
    app.extensions["newsarchive"].close()


def html(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_the_page_shows_a_story_once_with_its_copies(client: FlaskClient) -> None:
    page = html(client, "/?q=ferry")
    assert "2 stories" in page and "(4 articles)" in page
    assert page.count('class="hit"') == 2
    assert "Also ran in 3 outlets (3 versions)" in page
    assert '<details class="copies">' in page
    assert "Ferry terminal approved" in page  # a copy, behind the disclosure
    assert HOSTILE not in page and "&lt;script&gt;alert(" in page  # a copy's headline is escaped
    assert 'aria-current="true">One per story' in page


def test_every_copy_is_one_click_away(client: FlaskClient) -> None:
    page = html(client, "/?q=ferry&group=none")
    assert page.count('class="hit"') == 4 and "4 articles" in page
    assert '<details class="copies">' not in page
    assert f"story={WIRE}" in page  # each copy links to its whole story
    assert 'aria-current="true">Every copy' in page
    story = html(client, f"/?story={WIRE}&group=none&sort=oldest")
    assert story.count('class="hit"') == 3 and f"Story {WIRE}" in story  # a chip that removes it


def test_counting_stories_changes_the_facets(client: FlaskClient) -> None:
    articles = html(client, "/?q=ferry")
    assert 'Valley Courier <span class="count">2</span>' in articles
    stories = html(client, "/?q=ferry&count=stories")
    assert 'Valley Courier <span class="count">2</span>' in stories  # two stories ran there
    assert 'transport <span class="count">1</span>' in stories and 'transport <span class="count">3</span>' in articles


def test_the_api_lists_every_article_unless_asked_to_group(client: FlaskClient) -> None:
    data = client.get("/api/search?q=ferry").get_json()
    assert data["group"] == "none" and data["total"] == 4 and data["stories"] == 2 and len(data["hits"]) == 4
    first = next(h for h in data["hits"] if h["id"] == "w1")
    assert first["story"] == {"id": WIRE, "size": 3, "outlets": 3} and "copies" not in first
    grouped = client.get("/api/search?q=ferry&group=story").get_json()
    assert [h["id"] for h in grouped["hits"]] == ["w1", "o1"] or [h["id"] for h in grouped["hits"]] == ["o1", "w1"]
    wire = next(h for h in grouped["hits"] if h["id"] == "w1")
    assert [c["id"] for c in wire["copies"]] == ["w2", "w3"] and wire["copies"][1]["headline"] == HOSTILE
    counted = client.get("/api/search?q=ferry&count=stories").get_json()
    assert {f["value"]: f["count"] for f in counted["facets"]["source"]} == {
        "Wire": 1, "Valley Courier": 2, "Coast Times": 1}
    assert sum(p["count"] for p in counted["timeline"]["periods"]) == 2
    bad = client.get("/api/search?group=all")
    assert bad.status_code == 400 and "unknown group" in bad.get_json()["error"]["message"]


def test_exports_carry_each_articles_story(client: FlaskClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv?q=ferry").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 4 and {r["id"]: r["story"] for r in rows}["w3"] == WIRE
    lines = [json.loads(line) for line in client.get("/export.jsonl?q=ferry").get_data(as_text=True).splitlines()]
    assert len(lines) == 4 and {line["id"]: line["story"] for line in lines}["o1"] == "sother000001"
    grouped = client.get("/export.csv?q=ferry&group=story").get_data(as_text=True).lstrip("\ufeff")
    assert sorted(r["id"] for r in csv.DictReader(io.StringIO(grouped))) == ["o1", "w1"]


def test_the_embed_groups_too(client: FlaskClient) -> None:
    page = html(client, "/embed?q=ferry")
    assert "2 stories" in page and page.count('class="hit"') == 2
    assert 'target="_blank"' in page.split('<details class="copies">')[1].split("</details>")[0]

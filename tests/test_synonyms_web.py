"""Synonyms as users see them: the page and the API say what else was searched, and the switch turns it off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from newsarchive.cli import main
from webapp import create_app

from .conftest import write_jsonl

RECORDS = [
    {"id": "m1", "title": "Army seizes power in Myanmar", "body": "Soldiers detained leaders.", "date": "2021-02-01"},
    {"id": "b1", "title": "Burma's generals take over", "body": "A state of emergency.", "date": "2021-02-02"},
]


@pytest.fixture
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text('Myanmar, Burma, Birma<">\n', encoding="utf-8")  # a name with markup: shown escaped
    monkeypatch.setenv("NEWSARCHIVE_SYNONYMS", str(synonyms))
    folder = tmp_path / "index"
    index_paths([write_jsonl(tmp_path / "a.jsonl", RECORDS)], open_backend("whoosh", folder), IndexOptions(procs=1))
    return folder


@pytest.fixture
def client(index_dir: Path) -> Iterator[FlaskClient]:
    app = create_app({"INDEX": str(index_dir), "TESTING": True, "RATE_LIMIT": 0})
    yield app.test_client()
    app.extensions["newsarchive"].close()


def test_the_page_says_what_else_was_searched_and_how_to_turn_it_off(client: FlaskClient) -> None:
    page = client.get("/?q=myanmar").get_data(as_text=True)
    assert "Also searched: <strong>Burma</strong>, <strong>Birma&lt;&#34;&gt;</strong>" in page  # as written, escaped
    assert 'href="/?q=myanmar&amp;synonyms=off"' in page and page.count('class="hit"') == 2
    off = client.get("/?q=myanmar&synonyms=off").get_data(as_text=True)
    assert off.count('class="hit"') == 1 and "Synonyms are off for this search" in off
    assert "Also searched" not in off


def test_the_api_lists_them_and_takes_the_switch(client: FlaskClient) -> None:
    data = client.get("/api/search?q=burma").get_json()
    assert data["also_searched"] == ["Myanmar", 'Birma<">'] and data["total"] == 2
    assert client.get("/api/search?q=burma&synonyms=off").get_json()["total"] == 1
    bad = client.get("/api/search?q=burma&synonyms=maybe")
    assert bad.status_code == 400 and "unknown synonyms" in bad.get_json()["error"]["message"]


def test_the_cli_says_so_too(index_dir: Path) -> None:
    result = CliRunner().invoke(main, ["search", "myanmar", "--index", str(index_dir)])
    assert result.exit_code == 0 and 'Also searched: Burma, Birma<">' in result.output
    off = CliRunner().invoke(main, ["search", "myanmar", "--index", str(index_dir), "--synonyms", "off", "--json"])
    assert json.loads(off.output)["total"] == 1

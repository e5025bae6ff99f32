"""/api/suggest through Flask's test client, and the search boxes that use it (without JavaScript: plain boxes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.suggest import MAX_SUGGESTIONS, MIN_PREFIX
from webapp import create_app

from .test_webapp import get_json


@pytest.fixture
def app(index_dir: Path) -> Iterator[Flask]:
    app = create_app({"INDEX": str(index_dir), "TESTING": True, "RATE_LIMIT": 0, "SUGGEST_RATE_LIMIT": 0})
    yield app
    app.extensions["newsarchive"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_words_and_headlines_with_links_to_their_pages(client: FlaskClient) -> None:
    found = get_json(client, "/api/suggest?prefix=Fed%20ra")
    assert found["prefix"] == "Fed ra"
    assert found["words"][0] == {"text": "Fed rates", "word": "rates", "articles": 2}
    assert [w["text"] for w in found["words"]] == ["Fed rates", "Fed race", "Fed raised", "Fed raises"]
    (headline,) = found["headlines"]
    assert headline == {"id": "a1", "headline": "Fed raises interest rates again", "date": "2020-01-15T09:00:00",
                        "source": "Daily Planet", "page": "/articles/a1"}
    assert "Fed raises interest rates again" in client.get(headline["page"]).get_data(as_text=True)
    for prefix in ("CAFE", "Caf%C3%A9"):
        assert [w["word"] for w in get_json(client, f"/api/suggest?prefix={prefix}")["words"]] == ["café"]
    assert len(get_json(client, "/api/suggest?prefix=in&limit=2")["words"]) == 2


def test_text_is_json_and_left_to_the_client_to_show_as_text(client: FlaskClient) -> None:
    response = client.get("/api/suggest?prefix=hostile")
    assert response.mimetype == "application/json"
    assert response.get_json()["headlines"][0]["headline"] == "<script>alert(1)</script> hostile headline"
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # never read as HTML; the box sets it as text


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("", "prefix is required"),
        ("?prefix=a", f"prefix must be {MIN_PREFIX} to"),
        ("?prefix=%20a%20", f"prefix must be {MIN_PREFIX} to"),
        ("?prefix=" + "x" * 1001, "prefix must be"),
        ("?prefix=in&prefix=out", "once"),
        ("?prefix=in&limit=0", f"limit must be a whole number from 1 to {MAX_SUGGESTIONS}"),
        (f"?prefix=in&limit={MAX_SUGGESTIONS + 1}", "limit must be"),
        ("?prefix=in&limit=ten", "limit"),
    ],
)
def test_a_bad_request_is_a_400_saying_what_to_change(client: FlaskClient, query: str, says: str) -> None:
    error = get_json(client, "/api/suggest" + query, status=400)["error"]
    assert error["status"] == 400 and says in error["message"]


def test_no_index_is_a_503(tmp_path: Path) -> None:
    client = create_app({"INDEX": str(tmp_path / "none")}).test_client()
    assert get_json(client, "/api/suggest?prefix=in", status=503)["error"]["status"] == 503


def test_suggestions_have_their_own_rate_limit(index_dir: Path) -> None:
    client = create_app({"INDEX": str(index_dir), "RATE_LIMIT": 1, "SUGGEST_RATE_LIMIT": 2}).test_client()
    assert [client.get("/api/suggest?prefix=in").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/api/suggest?prefix=in").headers["Retry-After"]
    assert client.get("/api/search?q=storm").status_code == 200  # typing does not use up the searches


def test_cors_and_the_openapi_document(client: FlaskClient) -> None:
    response = client.get("/api/suggest?prefix=in", headers={"Origin": "https://any.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    operation = get_json(client, "/api/openapi.json")["paths"]["/api/suggest"]["get"]
    prefix, limit = operation["parameters"]
    assert prefix["name"] == "prefix" and prefix["required"] is True
    assert prefix["schema"]["minLength"] == MIN_PREFIX and limit["schema"]["maximum"] == MAX_SUGGESTIONS
    assert set(operation["responses"]) == {"200", "400", "429", "503"}


def test_the_search_boxes_name_the_api_and_stay_plain_boxes_without_javascript(client: FlaskClient) -> None:
    for path in ("/", "/?q=storm", "/articles/a1"):
        page = client.get(path).get_data(as_text=True)
        assert f'data-suggest="/api/suggest" data-suggest-min="{MIN_PREFIX}"' in page, path
        assert 'type="search"' in page and 'role="combobox"' not in page  # the script makes it a combobox
        assert "/static/suggest.js" in page

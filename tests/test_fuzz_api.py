"""Fuzz the JSON API from its own OpenAPI document: no 5xx, and every answer is what the document says.

Schemathesis loads /api/openapi.json from the app itself and sends each operation generated requests, valid and
invalid (`mode: all`), checking status codes, content types, headers and JSON shapes against the document.
Bounded and deterministic for CI; a longer run (see tests/fuzzing.py):

    FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -q -n 2 tests/test_fuzz_api.py tests/test_fuzz_web.py
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import jsonschema_rs
import pytest
import schemathesis
from flask import Flask, request
from hypothesis import event
from schemathesis import BaseSchema, Case
from werkzeug.datastructures import MultiDict

from webapp import create_app
from webapp.params import article_key

from .fuzzing import FUZZ_CORPUS, FUZZ_EXAMPLES, FUZZ_SEED, build_fuzz_index


@pytest.fixture(scope="module")
def fuzz_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the fuzz corpus, built once for the module."""
    return build_fuzz_index(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def fuzz_app(fuzz_index: Path) -> Iterator[Flask]:
    """The app over the fuzz index, without rate limits (the fuzzer is one very busy client)."""
    app = create_app({"INDEX": str(fuzz_index), "TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0,
                      "SUGGEST_RATE_LIMIT": 0})
    received: list[MultiDict[str, str]] = []
    app.extensions["fuzz_received"] = received
    app.before_request(lambda: received.append(request.args.copy()))  # the query each request arrived with
    yield app
    app.extensions["newsarchive"].close()


CONFIG = schemathesis.Config.from_dict({
    "seed": int(FUZZ_SEED or 20261125),
    "generation": {"mode": "all", "max-examples": FUZZ_EXAMPLES, "deterministic": True},
    "checks": {
        # A request can match the schema and still be refused: `q` is a query language, a date like 2021-02-30
        # matches the pattern, and page × per_page is capped. The document lists 400 for each of these; 404 is an
        # article id that does not exist. Anything else for valid data (5xx above all) is a failure.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404"]},
        # Judged below instead, on the query the app received: schemathesis guesses how a generated value is
        # serialized, and its guesses miss cases that are valid on the wire (a number generated for an array
        # parameter is one valid string; "121" generated for an integer is 121).
        "negative_data_rejection": {"enabled": False},
    },
})
# The document is read from the app itself, through WSGI. Serving it opens no index, so it is loaded at import from
# an app whose index is never opened; every request then goes to `fuzz_app`, over the fuzz index (app=fuzz_app).
# (schemathesis.pytest.from_fixture would load it from a fixture, but 4.32.5's lazy loader fails under pytest 9.)
DOCUMENT_APP = create_app({"INDEX": "/nonexistent/newsarchive-fuzz", "TESTING": True})
DOCUMENT = DOCUMENT_APP.test_client().get("/api/openapi.json").get_json()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", DOCUMENT_APP, config=CONFIG)


@pytest.fixture(scope="module")
def api_schema(fuzz_app: Flask) -> BaseSchema:
    """The app's own OpenAPI document, loaded from the app over the fuzz index."""
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app, config=CONFIG)


def _check_answer(response: schemathesis.Response) -> None:
    """No 5xx, and every error is the one JSON shape carrying the HTTP status it was sent with."""
    sent = f"{response.request.method} {response.request.url}"
    assert response.status_code < 500, f"{sent}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400 and response.request.method != "HEAD":
        assert response.headers["content-type"][0].startswith("application/json"), sent
        body = response.json()
        assert isinstance(body, dict) and set(body) == {"error"}, (sent, body)
        assert body["error"]["status"] == response.status_code and body["error"]["message"], (sent, body)


def received_query_is_valid(path: str, args: MultiDict[str, str]) -> bool:
    """Whether a query, as the app received it, is one the document allows (if not, the answer must be a 4xx)."""
    for param in DOCUMENT["paths"][path]["get"].get("parameters", []):
        values = args.getlist(param["name"])
        if param["in"] != "query" or not values:
            continue
        schema = param["schema"]
        instance: object = values
        if schema["type"] != "array":
            if len(values) > 1:
                return False
            if values[0] == "" and param["allowEmptyValue"]:
                continue
            instance = values[0]
            if schema["type"] == "integer":
                if not re.fullmatch(r"-?[0-9]+", values[0]):
                    return False
                instance = int(values[0])
        if not jsonschema_rs.validator_for(schema).is_valid(instance):
            return False
    return True


@schema.parametrize()
def test_every_api_answer_is_as_documented(case: Case, fuzz_app: Flask) -> None:
    received: list[MultiDict[str, str]] = fuzz_app.extensions["fuzz_received"]
    received.clear()
    # As an API client asks: /export.kwic.csv answers a browser's bad request with the error page, a client's in JSON.
    response = case.call_and_validate(app=fuzz_app, headers={"Accept": "application/json"})
    _check_answer(response)
    valid = not received or received_query_is_valid(case.operation.path, received[0])
    event(f"{'valid' if valid else 'invalid'} query: {response.status_code}")  # --hypothesis-show-statistics
    if not valid:
        assert 400 <= response.status_code < 500, f"{response.request.url}: bad input accepted ({received[0]})"


@pytest.mark.parametrize("record", FUZZ_CORPUS, ids=lambda r: str(r.get("id", r.get("url"))))
def test_every_article_and_its_related_list_is_as_documented(api_schema: BaseSchema, record: dict[str, object]) -> None:
    # Generated keys almost never name a real article: here each article of the corpus is fetched by its key.
    key = article_key(str(record.get("id") or record["url"]))
    article = api_schema["/api/articles/{key}"]["GET"].Case(path_parameters={"key": key}).call_and_validate()
    assert article.status_code == 200, article.text
    for limit in (1, 10, 50):
        related = api_schema["/api/articles/{key}/related"]["GET"]
        response = related.Case(path_parameters={"key": key}, query={"limit": limit}).call_and_validate()
        assert response.status_code == 200 and len(response.json()["related"]) <= limit


def test_rate_limited_answers_are_as_documented(fuzz_index: Path) -> None:
    app = create_app({"INDEX": str(fuzz_index), "TESTING": True, "RATE_LIMIT": 1})
    limited = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    search = limited["/api/search"]["GET"]
    assert search.Case(query={"q": "storm"}).call_and_validate().status_code == 200
    response = search.Case(query={"q": "storm"}).call_and_validate()  # checks the 429's schema and Retry-After
    assert response.status_code == 429 and int(response.headers["retry-after"][0]) >= 1
    app.extensions["newsarchive"].close()

"""Keyword in context as researchers get it: the rows and their context, /export.kwic.csv and `newsarchive kwic`."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from indexer.backend import SearchBackend, open_backend
from indexer.build import IndexOptions, index_paths
from indexer.errors import QueryError
from indexer.kwic import DEFAULT_WIDTH, KWIC_COLUMNS, MAX_WIDTH, MIN_WIDTH, kwic_rows
from indexer.records import Article
from indexer.request import Search
from indexer.spans import Span
from newsarchive.cli import main
from webapp import create_app

from .conftest import write_jsonl

BOM = "\ufeff"
HOSTILE = ('=HYPERLINK("http://evil.example","click") said the "rates" desk,\nthen rates +1 rates -2\r\nrates @3\n\n'
           'A "quoted, comma" line about rates.')
RECORDS = [
    {"id": "r1", "title": "Rates rise again", "date": "2021-03-01", "source": "Gazette", "topic": ["economy"],
     "body": "Rates rose today. Banks said rates would rise; the rate rise was the third. One two three four five "
             "six seven eight nine ten eleven twelve rates"},
    {"id": "r2", "title": "Weather", "date": "2021-03-02", "source": "Wire", "topic": ["weather"],
     "body": "A storm, a storm and another storm."},
    {"id": "r3", "title": "=cmd|' /C calc'!A0 rates", "date": "2021-03-03", "source": "-Mallory", "topic": ["economy"],
     "body": HOSTILE},
    {"id": "r4", "title": "Central bank holds interest rates", "date": "2021-03-04", "source": "Courier",
     "topic": ["economy"], "body": "The bank held interest\n\nrates steady."},
]


@pytest.fixture
def kwic_index(tmp_path: Path) -> Path:
    target = tmp_path / "index"
    index_paths([write_jsonl(tmp_path / "r.jsonl", RECORDS)], open_backend(folder=target), IndexOptions(procs=1))
    return target


@pytest.fixture
def make_app(kwic_index: Path) -> Iterator[Any]:
    apps: list[Flask] = []

    def make(backend: SearchBackend | None = None, **config: object) -> Flask:
        app = create_app({"INDEX": str(kwic_index), "TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0,
                          **config}, backend=backend)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["newsarchive"].close()


@pytest.fixture
def client(make_app: Any) -> FlaskClient:
    return make_app().test_client()  # type: ignore[no-any-return]


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


def export(client: FlaskClient, **query: object) -> list[dict[str, str]]:
    response = client.get("/export.kwic.csv", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return rows_of(response.get_data(as_text=True))


# --- the rows


def test_context_is_width_words_either_side_and_fewer_at_the_ends() -> None:
    article = Article("x", "Head", "Alpha beta gamma delta epsilon zeta eta theta.", date=datetime(2021, 1, 2),
                      source="S")
    at = article.body.index("delta")
    end = article.body.index("theta")
    middle, first, last = Span("body", at, at + 5), Span("body", 0, 5), Span("body", end, end + 5)
    rows = list(kwic_rows(article, [middle, first, last], 2))
    assert [(r.left, r.keyword, r.right) for r in rows] == [
        ("beta gamma", "delta", "epsilon zeta"), ("", "Alpha", "beta gamma"), ("zeta eta", "theta", ".")]
    assert rows[0].cells() == ["x", "2021-01-02T00:00:00", "S", "Head", "body", "beta gamma", "delta",
                               "epsilon zeta", str(at)]
    assert [(r.left, r.right) for r in kwic_rows(article, [middle], MAX_WIDTH)] == [
        ("Alpha beta gamma", "epsilon zeta eta theta.")]


def test_a_word_of_context_is_what_stands_between_spaces() -> None:
    article = Article("x", "", "The co-operative’s “ferry,” she said, runs\n\non time.")
    at = article.body.index("ferry")
    (row,) = kwic_rows(article, [Span("body", at, at + 5)], 2)
    # The keyword's own quotation marks and comma come with it; line breaks are one space.
    assert (row.left, row.keyword, row.right) == ("The co-operative’s “", "ferry", ",” she said,")


def test_a_bad_width_is_refused_naming_it() -> None:
    article = Article("x", "", "storm")
    for width in (MIN_WIDTH - 1, MAX_WIDTH + 1):
        with pytest.raises(QueryError, match="width must be a whole number of words from 1 to 50"):
            list(kwic_rows(article, [Span("body", 0, 5)], width))


# --- /export.kwic.csv


def test_the_export_lists_every_occurrence_in_every_match(client: FlaskClient) -> None:
    response = client.get("/export.kwic.csv?q=rates&sort=oldest")
    assert response.status_code == 200 and response.content_type == "text/csv; charset=utf-8"
    assert response.get_data(as_text=True).startswith(BOM + ",".join(KWIC_COLUMNS) + ",index_fingerprint\r\n")
    rows = rows_of(response.get_data(as_text=True))
    assert [row["id"] for row in rows] == ["r1"] * 5 + ["r3"] * 6 + ["r4"] * 2  # the search's order
    r1 = rows[:5]
    assert [(row["field"], row["keyword"]) for row in r1] == [
        ("headline", "Rates"), ("body", "Rates"), ("body", "rates"), ("body", "rate"), ("body", "rates")]
    assert (r1[2]["left"], r1[2]["right"]) == ("Rates rose today. Banks said",  # fewer than 10 words before it
                                               "would rise; the rate rise was the third. One two")
    last = r1[-1]
    assert last["left"] == "three four five six seven eight nine ten eleven twelve" and last["right"] == ""
    assert int(last["offset"]) == str(RECORDS[0]["body"]).rindex("rates") and last["date"] == "2021-03-01T00:00:00"
    assert (last["source"], last["headline"]) == ("Gazette", "Rates rise again")
    assert len(export(client, q="storm")) == 3  # three times in one article: three rows


def test_the_export_is_the_search_filters_width_and_order_included(client: FlaskClient) -> None:
    assert {row["id"] for row in export(client, q="rates", topic="economy", source="Courier")} == {"r4"}
    assert export(client, q="rates", **{"from": "2021-03-04"})[0]["id"] == "r4"
    newest = [row["id"] for row in export(client, q="rates", sort="newest")]
    assert newest == sorted(newest, reverse=True)
    wide = export(client, q="storm", width=1)
    assert [(row["left"], row["keyword"], row["right"]) for row in wide] == [
        ("A", "storm", ", a"), ("a", "storm", "and"), ("another", "storm", ".")]
    assert export(client, q="storm", width="")[0]["right"] == ", a storm and another storm."  # default width


def test_a_phrase_is_one_row_even_across_paragraphs(client: FlaskClient) -> None:
    (row,) = export(client, q='"interest rates"', source="Courier", width=2)[1:]
    assert (row["field"], row["left"], row["keyword"], row["right"]) == (
        "body", "bank held", "interest\n\nrates", "steady.")
    assert [r["field"] for r in export(client, q='"interest rates"', source="Courier")] == ["headline", "body"]


def test_hostile_text_stays_text_in_the_csv(client: FlaskClient) -> None:
    rows = export(client, q="rates", source="-Mallory", width=50)
    assert len(rows) == 6 and all(row["id"] == "r3" for row in rows)
    assert rows[0]["headline"] == "'=cmd|' /C calc'!A0 rates" and rows[0]["source"] == "'-Mallory"
    assert (rows[0]["field"], rows[0]["left"]) == ("headline", "'=cmd|' /C calc'!A0")
    body = rows[1]
    assert body["left"] == "'=HYPERLINK(\"http://evil.example\",\"click\") said the \""  # quotes round-trip
    assert (body["keyword"], body["right"]) == ("rates", '" desk, then rates +1 rates -2 rates @3 A "quoted, comma" '
                                                         "line about rates.")  # one line
    narrow = export(client, q="rates", source="-Mallory", width=1)
    assert [row["right"] for row in narrow[2:5]] == ["'+1", "'-2", "'@3"]  # kept as text, not formulas


class CountingBackend:
    """A backend that counts the articles an export has read."""

    def __init__(self, inner: SearchBackend) -> None:
        self.inner = inner
        self.read = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def iter_matches(self, search: Search, limit: int) -> Iterator[Article]:
        articles = self.inner.iter_matches(search, limit)

        def counted() -> Iterator[Article]:
            for article in articles:
                self.read += 1
                yield article

        return counted()


def test_the_export_streams_its_first_bytes_before_reading_the_articles(make_app: Any, kwic_index: Path) -> None:
    backend = CountingBackend(open_backend(folder=kwic_index))
    response = make_app(backend=backend).test_client().get("/export.kwic.csv?q=rates", buffered=False)
    chunks = response.response
    first = next(iter(chunks))
    assert (first.decode() if isinstance(first, bytes) else first).startswith(BOM + "id,date") and backend.read == 0
    rest = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
    assert backend.read == 3 and b"r4" in rest
    response.close()


@pytest.mark.parametrize("query", ["", "   ", "*"])
def test_an_export_without_a_query_is_refused(client: FlaskClient, query: str) -> None:
    response = client.get("/export.kwic.csv", query_string={"q": query}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "keyword in context needs a query" in response.get_json()["error"]["message"]
    page = client.get("/export.kwic.csv")
    assert page.status_code == 400 and "needs a query" in page.get_data(as_text=True)  # a page for a browser


@pytest.mark.parametrize("width", ["0", "51", "ten", "-3", "2.5"])
def test_a_bad_width_is_a_400_naming_it(client: FlaskClient, width: str) -> None:
    response = client.get("/export.kwic.csv", query_string={"q": "rates", "width": width},
                          headers={"Accept": "application/json"})
    assert response.status_code == 400 and "width" in response.get_json()["error"]["message"]


def test_the_export_is_named_after_the_search_and_rate_limited(make_app: Any) -> None:
    client = make_app(EXPORT_RATE_LIMIT=1).test_client()
    response = client.get("/export.kwic.csv?q=interest+rates")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=newsarchive-interest-rates-") and disposition.endswith(
        ".kwic.csv")
    assert client.get("/export.csv?q=storm").status_code == 429  # one limit for every export


def test_the_results_page_links_the_export_when_there_is_a_query(client: FlaskClient) -> None:
    page = client.get("/?q=rates&topic=economy").get_data(as_text=True)
    assert 'href="/export.kwic.csv?q=rates&amp;topic=economy"' in page and "Keyword in context" in page
    assert "/export.kwic.csv" not in client.get("/").get_data(as_text=True)


def test_the_openapi_document_describes_the_export(client: FlaskClient) -> None:
    operation = client.get("/api/openapi.json").get_json()["paths"]["/export.kwic.csv"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["width"]["schema"] == {"type": "integer", "minimum": MIN_WIDTH, "maximum": MAX_WIDTH,
                                         "default": DEFAULT_WIDTH}
    assert params["q"]["required"] is True and "page" not in params and "topic" in params
    assert set(operation["responses"]) == {"200", "400", "429", "503"}
    assert "text/csv" in operation["responses"]["200"]["content"]


def test_an_article_page_keeps_its_paragraphs_and_marks_a_phrase_in_each(client: FlaskClient) -> None:
    page = client.get("/articles/r4?q=%22interest+rates%22").get_data(as_text=True)
    assert "<p>The bank held <mark>interest</mark></p>" in page and "<p><mark>rates</mark> steady.</p>" in page


# --- newsarchive kwic


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["kwic", *args])


def test_the_cli_aligns_the_keywords(kwic_index: Path) -> None:
    result = run("storm", "--index", str(kwic_index), "--width", "2")
    assert result.exit_code == 0, result.output
    heading, *lines = result.output.splitlines()
    assert heading == "r2  2021-03-02  Wire  Weather"
    column = 2 * 7 + 2  # the left context right-aligned in 7 characters a word, then two spaces
    assert [line[column:column + 5] for line in lines] == ["storm"] * 3
    assert lines[0].rstrip() == " " * (column - 3) + "A  storm  , a storm"


def test_the_cli_csv_is_the_export_without_the_byte_order_mark(kwic_index: Path, client: FlaskClient) -> None:
    result = run('"interest rates"', "--index", str(kwic_index), "--csv", "--sort", "oldest")
    assert result.exit_code == 0, result.output
    web = client.get('/export.kwic.csv?q="interest rates"&sort=oldest').get_data(as_text=True)
    assert result.output.replace("\r\n", "\n") == web.removeprefix(BOM).replace("\r\n", "\n")
    assert rows_of(result.output)[0]["keyword"] == "interest rates"


def test_the_cli_filters_and_refuses_what_cannot_run(kwic_index: Path) -> None:
    only = run("rates", "--index", str(kwic_index), "--source", "Courier", "--csv")
    assert {row["id"] for row in rows_of(only.output)} == {"r4"}
    empty = run("", "--index", str(kwic_index))
    assert empty.exit_code == 1 and "Error: keyword in context needs a query" in empty.output
    wide = run("rates", "--index", str(kwic_index), "--width", "51")
    assert wide.exit_code == 2 and "'--width'" in wide.output
    paged = run("rates", "--index", str(kwic_index), "--page", "2")
    assert paged.exit_code == 2 and "No such option '--page'" in paged.output


# --- spans and the engine agree, on generated text


def test_spans_are_found_exactly_where_the_engine_finds_matches(tmp_path: Path) -> None:
    rng = random.Random(14)
    words = ["oil", "prices", "rose", "the", "of", "opec", "quota", "rates", "in", "bank", "U.S.", "café", "cafe"]
    records = [{"id": f"g{n}", "title": " ".join(rng.choices(words, k=rng.randint(0, 5))),
                "body": " ".join(rng.choices(words, k=rng.randint(1, 30)))} for n in range(60)]
    folder = tmp_path / "generated"
    index_paths([write_jsonl(tmp_path / "g.jsonl", records)], open_backend(folder=folder), IndexOptions(procs=1))
    backend = open_backend(folder=folder)
    plain = [w for w in words if w not in ("the", "of", "in")]
    queries = set()
    for _ in range(40):
        a, b, c = rng.sample(plain, 3)
        queries |= {f'"{a} {b}"', f'"{a} of {b}"~{rng.randint(1, 4)}', f"{a} NEAR/{rng.randint(1, 5)} {b}",
                    f'"{a} {b}" NEAR/{rng.randint(1, 4)} {c}', f"headline:{a} NEAR/2 {b}", f'body:"{a} {b} {c}"'}
    try:
        for query in sorted(queries):
            found = {article.id for article in backend.iter_matches(Search(query=query), 100)}
            spanned = {r["id"] for r in records if backend.match_spans(backend.article(r["id"]), query)}
            assert found == spanned, query
    finally:
        backend.close()

"""The web app through Flask's test client: every route, its errors, escaping, headers, CORS and limits."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import MAX_PER_PAGE, MAX_RESULT_DEPTH
from webapp import create_app
from webapp.params import article_id, article_key
from webapp.settings import SETTINGS, load_settings

from .conftest import CORPUS, write_jsonl

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def app(index_dir: Path) -> Iterator[Flask]:
    app = create_app({"INDEX": str(index_dir), "TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0})
    yield app
    app.extensions["newsarchive"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def get_json(client: FlaskClient, url: str, status: int = 200, **kwargs: object) -> dict:  # type: ignore[type-arg]
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()  # type: ignore[no-any-return]


# --- settings


def test_settings_come_from_the_environment() -> None:
    values = load_settings({"NEWSARCHIVE_PER_PAGE": "25", "NEWSARCHIVE_CORS_ORIGINS": "https://a.example"})
    assert values["PER_PAGE"] == 25 and values["CORS_ORIGINS"] == "https://a.example"
    assert values["EXPORT_CAP"] == 100_000 and values["INDEX"] == "index"
    assert {s.env for s in SETTINGS} >= {"NEWSARCHIVE_INDEX", "NEWSARCHIVE_RATE_LIMIT", "NEWSARCHIVE_EXPORT_CAP"}
    with pytest.raises(ValueError, match="NEWSARCHIVE_PER_PAGE must be a whole number"):
        load_settings({"NEWSARCHIVE_PER_PAGE": "ten"})


# --- the search page


def test_search_page_lists_hits_with_snippets_facets_and_timeline(client: FlaskClient) -> None:
    page = client.get("/?q=inflation").get_data(as_text=True)
    assert "3 articles" in page
    assert "Fed raises interest rates again" in page and "Central bank holds rates steady" in page
    assert "<mark>inflation</mark>" in page
    assert 'name="topic" value="economy"' in page and 'class="count">3<' in page
    assert 'class="bars"' in page and "Matching articles by" in page
    assert 'type="application/atom+xml"' in page and "/export.csv?q=inflation" in page


def test_search_page_escapes_article_text(client: FlaskClient) -> None:
    page = client.get("/?q=payload").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hostile headline" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page


def test_search_page_escapes_the_query_and_parameters(client: FlaskClient) -> None:
    page = client.get('/?q="><script>x()</script>&topic=<img src=x onerror=y()>').get_data(as_text=True)
    assert "<script>x()" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=y()&gt;" in page  # the chip of the selected (unknown) topic, as text


def test_facet_selections_chips_and_clear_all(client: FlaskClient) -> None:
    page = client.get("/?topic=economy&topic=weather&source=Gazette").get_data(as_text=True)
    assert "2 articles" in page
    assert page.count('class="chip"') == 3
    assert 'href="/?topic=weather&amp;source=Gazette"' in page  # removing "economy" keeps the others
    assert 'class="clear-all" href="/"' in page
    assert 'value="economy" checked' in page


def test_months_are_listed_under_the_selected_year(client: FlaskClient) -> None:
    page = client.get("/?year=2020").get_data(as_text=True)
    assert 'name="month" value="2020-01"' in page and 'name="month" value="2021-06"' not in page


def test_pagination_and_sort(client: FlaskClient) -> None:
    first = client.get("/?per_page=3").get_data(as_text=True)
    assert 'aria-current="page" href="/?per_page=3"' not in first  # per_page kept only through the form
    assert "7 articles, showing 1–3" in first and 'rel="next"' in first
    third = client.get("/?per_page=3&page=3").get_data(as_text=True)
    assert "showing 7–7" in third and "Undated wire story" in third and 'rel="next"' not in third
    oldest = client.get("/?sort=oldest").get_data(as_text=True)
    assert oldest.index("Elections: the new state") < oldest.index("Fed raises interest rates")


def test_urls_leave_out_parameters_at_their_defaults(client: FlaskClient) -> None:
    response = client.get("/?q=storm&sort=relevance&match=all&from=&to=&topic=weather&page=1")
    assert response.status_code == 302 and response.headers["Location"] == "/?q=storm&topic=weather"
    assert client.get("/embed?q=storm&sort=relevance").headers["Location"] == "/embed?q=storm"
    assert client.get("/?q=&sort=relevance").headers["Location"] == "/"
    assert client.get("/?q=storm&sort=newest&page=2").status_code == 200  # nothing to leave out


def test_a_page_past_the_last_says_so_and_links_to_the_last(client: FlaskClient) -> None:
    page = client.get("/?q=inflation&page=50").get_data(as_text=True)
    assert "Past the last page" in page and "3 articles fill 1 page." in page
    assert 'href="/?q=inflation">Go to the last page' in page


def test_a_query_that_finds_nothing_shows_what_its_correction_finds(client: FlaskClient) -> None:
    page = client.get("/?q=inflaton").get_data(as_text=True)
    assert "Showing results for <strong>inflation</strong>; search instead for" in page
    assert 'href="/?q=inflaton&amp;as_typed=1">inflaton</a>' in page and "3 articles" in page
    typed = client.get("/?q=inflaton&as_typed=1").get_data(as_text=True)  # as typed: nothing, and the suggestion
    assert "Nothing matched" in typed and "Did you mean" in typed and 'href="/?q=inflation"' in typed
    framed = client.get("/embed?q=inflaton").get_data(as_text=True)
    assert "Showing results for <strong>inflation</strong>" in framed
    assert 'href="/embed?q=inflaton&amp;as_typed=1" target="_self"' in framed
    scoped = client.get("/?q=topic:economi").get_data(as_text=True)
    assert "Showing results for <strong>topic:economy</strong>" in scoped and "3 articles" in scoped


def test_bad_parameters_give_a_400_page_that_keeps_the_form(client: FlaskClient) -> None:
    for url, message in [
        ("/?q=date:junk", "date:junk is not a date"),
        ("/?q=inflation&per_page=abc", "per_page must be a whole number"),
        ("/?q=inflation&page=0", "page must be 1 or more"),
        ("/?q=inflation&per_page=500", "per_page must be between 1 and 100"),
        ("/?q=inflation&page=999999", "depth"),
        ("/?q=inflation&sort=random", "unknown sort"),
        ("/?q=inflation&from=2020-13", "month must be in 1..12"),
        ("/?q=inflation&from=2021&to=2020", "the date range is empty"),
        ("/?q=rates+NEAR/0+inflation", "the distance must be between 1 and 1,000 words"),
    ]:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, url
        assert message in page, (url, page)
        assert '<form class="search-box" role="search"' in page and 'value="' in page


def test_empty_and_missing_index(tmp_path: Path) -> None:
    missing = create_app({"INDEX": str(tmp_path / "none"), "TESTING": True}).test_client()
    response = missing.get("/")
    assert response.status_code == 503
    assert "newsarchive index PATH" in response.get_data(as_text=True)
    empty_source = write_jsonl(tmp_path / "e.jsonl", [{"id": "x", "title": "t", "body": "b"}])
    index_paths([empty_source], open_backend(folder=tmp_path / "none"), IndexOptions(procs=1))
    response = missing.get("/")  # the index appeared: no restart needed
    assert response.status_code == 200 and "1 article" in response.get_data(as_text=True)


def test_an_index_with_no_articles_says_how_to_add_some(tmp_path: Path, corpus_file: Path) -> None:
    index_paths([corpus_file], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    from indexer.maintenance import delete_articles

    delete_articles(open_backend(folder=tmp_path / "ix"), [str(r["id"]) for r in CORPUS])
    page = create_app({"INDEX": str(tmp_path / "ix")}).test_client().get("/").get_data(as_text=True)
    assert "The archive is empty" in page


def test_new_commits_are_seen_without_a_restart(client: FlaskClient, index_dir: Path, tmp_path: Path) -> None:
    assert get_json(client, "/api/search")["total"] == 7
    extra = write_jsonl(tmp_path / "more.jsonl", [{"id": "n1", "title": "Late news", "body": "fresh", "date": "2023"}])
    index_paths([extra], open_backend(folder=index_dir), IndexOptions(procs=1))
    data = get_json(client, "/api/search?q=fresh")
    assert data["total"] == 1 and get_json(client, "/api/search")["total"] == 8


# --- the article page


def test_article_page_highlights_the_query_and_lists_related_coverage(client: FlaskClient) -> None:
    page = client.get("/articles/a1?q=inflation").get_data(as_text=True)
    assert "<h1>Fed raises interest rates again</h1>" in page
    assert "<mark>inflation</mark>" in page
    assert "Related coverage" in page and "Central bank holds rates steady" in page
    assert "<h3>After</h3>" in page  # a5 ran after a1


def test_article_page_escapes_and_does_not_link_unsafe_urls(client: FlaskClient, tmp_path: Path) -> None:
    page = client.get("/articles/a4").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    records = [{"id": "u1", "title": "Bad link", "body": "b", "url": "javascript:alert(1)"},
               {"id": "u2", "title": "Good link", "body": "b", "url": "https://example.org/u2"}]
    index_paths([write_jsonl(tmp_path / "u.jsonl", records)], open_backend(folder=tmp_path / "ux"),
                             IndexOptions(procs=1))
    client = create_app({"INDEX": str(tmp_path / "ux")}).test_client()
    bad = client.get("/articles/u1")
    assert bad.status_code == 200 and "<h1>Bad link</h1>" in bad.get_data(as_text=True)
    assert "javascript:" not in bad.get_data(as_text=True)
    good = client.get("/articles/u2").get_data(as_text=True)
    assert '<a href="https://example.org/u2" rel="noopener nofollow">' in good


def test_ids_with_slashes_have_working_urls(tmp_path: Path) -> None:
    url = "https://example.org/2021/03/story?x=1"
    source = write_jsonl(tmp_path / "s.jsonl", [{"title": "Slashed", "body": "text", "url": url}])
    index_paths([source], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    client = create_app({"INDEX": str(tmp_path / "ix")}).test_client()
    key = article_key(url)
    assert "/" not in key and article_id(key) == url
    assert client.get(f"/articles/{key}").status_code == 200
    assert get_json(client, f"/api/articles/{key}")["url"] == url
    assert f'href="/articles/{key}?q=slashed&amp;n=1"' in client.get("/?q=slashed").get_data(as_text=True)


def test_results_link_to_articles_with_the_search_and_the_article_page_steps_through_it(client: FlaskClient) -> None:
    page = client.get("/?q=inflation&sort=oldest").get_data(as_text=True)
    assert 'href="/articles/a4?q=inflation&amp;sort=oldest&amp;n=2"' in page
    article = client.get("/articles/a4?q=inflation&sort=oldest&n=2").get_data(as_text=True)
    assert 'href="/?q=inflation&amp;sort=oldest">← Back to the results' in article
    assert 'href="/articles/a1?q=inflation&amp;sort=oldest&amp;n=1" rel="prev"' in article
    assert 'href="/articles/a5?q=inflation&amp;sort=oldest&amp;n=3" rel="next"' in article
    assert "<span>2 of 3</span>" in article
    for broken in ("n=abc", "n=0", "n=99", "q=date:junk&n=2"):  # the article still shows, without a trail
        response = client.get(f"/articles/a4?{broken}")
        assert response.status_code == 200 and "Results of the search" not in response.get_data(as_text=True)


def test_unknown_article_is_a_404(client: FlaskClient) -> None:
    assert client.get("/articles/nope").status_code == 404
    assert get_json(client, "/api/articles/nope", 404)["error"]["code"] == "not_found"
    assert client.get("/articles/~%%%").status_code in (400, 404)


# --- embed


def test_embed_page_can_be_framed_and_opens_links_elsewhere(client: FlaskClient) -> None:
    response = client.get("/embed?q=storm")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert '<base target="_blank">' in page and 'target="_blank" rel="noopener"' in page
    assert 'class="site-header"' not in page and "Storm batters coast" in page
    script = client.get("/static/embed.js")
    assert script.status_code == 200 and "data-newsarchive" in script.get_data(as_text=True)
    script.close()


def test_embed_page_pages_within_the_frame_and_links_the_whole_search_in_a_new_tab(client: FlaskClient) -> None:
    page = client.get("/embed?q=*&page=2").get_data(as_text=True)
    assert "7 articles, page 2 of 2" in page and page.count('class="hit"') == 2
    assert '<a href="/embed?q=*&amp;page=1" target="_self" rel="prev">Previous</a>' in page
    assert '<a href="/?q=*" target="_blank" rel="noopener">All 7 results on newsarchive</a>' in page
    assert '<script src="/static/embed-frame.js" defer></script>' in page
    assert "embed-frame.js" not in client.get("/?q=*").get_data(as_text=True)  # the frame's script only
    past = client.get("/embed?q=*&page=5").get_data(as_text=True)
    assert "Page 5 is past the end" in past and '<a href="/embed?q=*&amp;page=2" target="_self">' in past
    single = client.get("/embed?q=storm").get_data(as_text=True)
    assert "2 articles</p>" in single and "All 2 results" not in single and 'class="pagination"' not in single


def test_the_embed_script_knows_the_api_s_limits(client: FlaskClient) -> None:
    script = client.get("/static/embed.js")
    text = script.get_data(as_text=True)
    script.close()
    assert f"var MAX_PER_PAGE = {MAX_PER_PAGE};" in text and f"var MAX_DEPTH = {MAX_RESULT_DEPTH};" in text


def test_an_error_in_the_embed_page_keeps_the_embed_layout_and_stays_framable(client: FlaskClient) -> None:
    response = client.get("/embed?q=date:junk")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert 'class="site-header"' not in page and 'action="/embed"' in page
    assert "date:junk is not a date" in page and 'value="date:junk"' in page


def test_other_pages_cannot_be_framed(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- JSON API


def test_near_in_the_page_and_the_api(client: FlaskClient) -> None:
    page = client.get("/?q=rates+NEAR/2+inflation").get_data(as_text=True)
    assert "1 article" in page and "Central bank holds rates steady" in page and "Fed raises" not in page
    assert "<mark>rates</mark>" in page and "<mark>inflation</mark>" in page
    assert "<code>NEAR/3</code>" in page  # the search tips say how
    data = get_json(client, "/api/search?q=inflation+NEAR/3+rates")
    assert data["total"] == 2 and {hit["id"] for hit in data["hits"]} == {"a1", "a5"}
    error = get_json(client, "/api/search?q=rates+NEAR+infla*", status=400)
    assert "NEAR joins words or phrases" in error["error"]["message"]


def test_api_search_has_the_cli_shape(client: FlaskClient) -> None:
    data = get_json(client, "/api/search?q=storm&per_page=1")
    assert list(data) == ["query", "total", "stories", "group", "count", "page", "per_page", "hits", "facets",
                          "suggestion", "also_searched", "timeline", "index", "search", "cite"]
    assert data["group"] == "none"  # the API lists every article unless asked to group them
    assert data["total"] == 2 and len(data["hits"]) == 1
    assert data["hits"][0]["date"] == "2020-01-20T00:00:00"
    filtered = get_json(client, "/api/search?topic=economy&topic=weather&from=2020&to=2020-12")
    assert filtered["total"] == 2


def test_api_errors_have_one_shape(client: FlaskClient, tmp_path: Path) -> None:
    for url, status in [("/api/search?q=date:junk", 400), ("/api/search?page=x", 400), ("/api/articles/nope", 404),
                        ("/api/articles/a1/related?limit=0", 400), ("/api/nothing", 404)]:
        error = get_json(client, url, status)["error"]
        assert set(error) == {"status", "code", "message"} and error["status"] == status and error["message"]
    missing = create_app({"INDEX": str(tmp_path / "none")}).test_client()
    assert get_json(missing, "/api/search", 503)["error"]["code"] == "no_index"
    assert get_json(client, "/?q=date:junk", 400, headers={"Accept": "application/json"})["error"]["status"] == 400


def test_api_article_related_and_stats(client: FlaskClient) -> None:
    article = get_json(client, "/api/articles/a2")
    assert article["author"] == ["John Roe", "Jane Doe"] and article["body"].startswith("A powerful storm")
    related = get_json(client, "/api/articles/a1/related?limit=2")
    assert related["id"] == "a1" and related["related"][0]["id"] == "a5" and len(related["related"]) <= 2
    stats = get_json(client, "/api/stats")
    assert stats["documents"] == 7 and stats["first_date"] == "2019-11-05T00:00:00"


def test_openapi_describes_exactly_the_endpoints(client: FlaskClient) -> None:
    doc = get_json(client, "/api/openapi.json")
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/api/search", "/api/articles/{key}", "/api/articles/{key}/related", "/api/stats",
                                 "/export.kwic.csv", "/api/trends", "/api/advanced", "/api/facets/{name}",
                                 "/api/suggest"}
    names = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert names == {"q", "topic", "author", "source", "year", "month", "language", "person", "org", "place", "from",
                     "to", "sort", "match", "group", "count", "story", "synonyms", "page", "per_page"}


def test_cors_for_configured_origins(index_dir: Path) -> None:
    open_app = create_app({"INDEX": str(index_dir)}).test_client()
    response = open_app.get("/api/search", headers={"Origin": "https://any.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    listed = create_app({"INDEX": str(index_dir), "CORS_ORIGINS": "https://a.example, https://b.example"})
    client = listed.test_client()
    allowed = client.get("/api/stats", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example" and "Origin" in allowed.headers["Vary"]
    assert "Access-Control-Allow-Origin" not in client.get("/api/stats", headers={"Origin": "https://c.example"}).headers
    preflight = client.options("/api/search", headers={"Origin": "https://a.example",
                                                       "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"Origin": "https://a.example"}).headers


def test_rate_limit_answers_429_with_retry_after(index_dir: Path) -> None:
    client = create_app({"INDEX": str(index_dir), "RATE_LIMIT": 3, "EXPORT_RATE_LIMIT": 1}).test_client()
    assert [client.get("/api/search").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/search")
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 61  # counted by the second
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert client.get("/").status_code == 429  # pages share the search limit
    other = client.get("/api/search", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 200  # per client
    assert client.get("/export.csv").status_code == 200 and client.get("/export.csv").status_code == 429


def test_post_is_not_allowed(client: FlaskClient) -> None:
    assert client.post("/").status_code == 405


# --- exports, feeds, OpenSearch


def test_csv_export_streams_every_match_with_filters(client: FlaskClient) -> None:
    response = client.get("/export.csv?topic=economy&sort=oldest")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=newsarchive-all-")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == ["a1", "a4", "a5"]
    assert rows[2]["topic"] == "economy; markets" and rows[0]["date"] == "2020-01-15T09:00:00"


def test_export_cap_and_formula_cells(index_dir: Path, tmp_path: Path) -> None:
    client = create_app({"INDEX": str(index_dir), "EXPORT_CAP": 2}).test_client()
    assert len(client.get("/export.jsonl").get_data(as_text=True).splitlines()) == 2
    source = write_jsonl(tmp_path / "f.jsonl", [{"id": "f", "title": "=HYPERLINK(\"x\")", "body": "+1"}])
    index_paths([source], open_backend(folder=tmp_path / "fx"), IndexOptions(procs=1))
    text = create_app({"INDEX": str(tmp_path / "fx")}).test_client().get("/export.csv").get_data(as_text=True)
    row = list(csv.DictReader(io.StringIO(text)))[0]
    assert row["headline"] == "'=HYPERLINK(\"x\")" and row["body"] == "'+1"


def test_jsonl_export_and_bad_export_request(client: FlaskClient) -> None:
    lines = client.get("/export.jsonl?q=storm").get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["id"] for r in records} == {"a2", "a7"} and "body" in records[0]
    response = client.get("/export.jsonl?q=date:junk")
    assert response.status_code == 400


def test_atom_feed_is_newest_first_and_escaped(client: FlaskClient) -> None:
    response = client.get("/search.atom?topic=economy")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[0] == "Central bank holds rates steady" and len(entries) == 3
    assert "<script>alert(1)</script> hostile headline" in titles  # text in XML, escaped by the serializer
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    assert entries[0].findtext(f"{ATOM}updated") == "2021-06-30T00:00:00+00:00"  # NEWSARCHIVE_TIMEZONE: UTC


def test_opensearch_description(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml")
    root = ET.fromstring(response.get_data())
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    templates = {u.get("type"): u.get("template") for u in root.findall(f"{ns}Url")}
    assert templates["text/html"] == "http://localhost/?q={searchTerms}"
    assert "application/atom+xml" in templates
    assert 'rel="search"' in client.get("/").get_data(as_text=True)


# --- serving


def test_serve_command_runs_gunicorn_workers_that_each_make_the_app(monkeypatch: pytest.MonkeyPatch,
                                                                    index_dir: Path) -> None:
    from click.testing import CliRunner

    from newsarchive import serving
    from newsarchive.cli import main

    runs: list[serving.Server] = []
    monkeypatch.setattr(serving.Server, "run", lambda self: runs.append(self))
    result = CliRunner().invoke(main, ["serve", "--index", str(index_dir), "--port", "5099", "--threads", "2",
                                       "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Serving {index_dir} on http://127.0.0.1:5099/ (Ctrl-C to stop)\n"
    cfg = runs[0].cfg
    assert (cfg.address, cfg.workers, cfg.threads, cfg.preload_app) == ([("127.0.0.1", 5099)], 3, 2, False)
    assert cfg.worker_class_str == "gthread" and cfg.forwarded_allow_ips == []
    app = runs[0].load()  # what each worker does after the fork: an app of its own, on the index folder
    assert isinstance(app, Flask) and app.config["INDEX"] == str(index_dir) and runs[0].load() is not app
    assert app.config["BASE_URL"] == "http://127.0.0.1:5099"
    assert app.test_client().get("/api/search?q=storm").get_json()["total"] == 2
    app.extensions["newsarchive"].close()


def test_match_any_through_the_page_and_the_api(client: FlaskClient) -> None:
    assert get_json(client, "/api/search?q=storm+tourists")["total"] == 0
    assert get_json(client, "/api/search?q=storm+tourists&match=any")["total"] == 3
    page = client.get("/?q=storm+tourists&match=any").get_data(as_text=True)
    assert "3 articles" in page and 'aria-current="true">Any of the words' in page
    assert client.get("/?q=storm&match=some").status_code == 400


def test_a_too_expensive_query_is_a_400_with_its_own_code(client: FlaskClient) -> None:
    response = client.get("/api/search?q=rates~6")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "query_too_expensive" and "at most 2" in error["message"]
    page = client.get("/?q=rates~6")
    assert page.status_code == 400 and b"fuzzy matching allows at most 2" in page.data

"""Fuzz every route with hostile query strings and paths: never a 5xx, never injected markup, errors that help.

Requests are built as raw bytes and handed to the app the way a WSGI server does (PATH_INFO and QUERY_STRING as
latin-1 strings), so invalid percent-encoding, raw non-UTF-8 bytes, NUL and empty names reach it unchanged.
Bounded and deterministic for CI; a longer run (see tests/fuzzing.py):

    FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -q -n 2 tests/test_fuzz_api.py tests/test_fuzz_web.py
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import event, given
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from webapp import create_app
from webapp.params import article_key

from .fuzzing import FUZZ_CORPUS, build_fuzz_index, fuzz_settings
from .test_citations import parse_bibtex, parse_ris

TEMPLATES = Path(__file__).resolve().parents[1] / "webapp" / "templates"
SEARCH_ROUTES = ("/", "/embed", "/export.csv", "/export.jsonl", "/export.kwic.csv", "/search.atom", "/opensearch.xml",
                 "/api/search", "/api/stats", "/api/openapi.json", "/cite", "/export.ris", "/export.bib",
                 "/export.csl.json", "/trends", "/embed/trends", "/api/trends", "/trends.csv", "/advanced",
                 "/api/advanced", "/api/suggest")
ARTICLE_ROUTES = ("/articles/{}", "/api/articles/{}", "/api/articles/{}/related")
FACET_ROUTES = ("/facets/{}", "/api/facets/{}")
# Injected markup: none of it may come back unescaped. Our own <mark> is bare, so a <mark class=...> is the user's.
MARKERS = ("<script>fz(1)</script>", "<img src=x onerror=fz(2)>", '"><svg onload=fz(3)>', "<mark class=fz>",
           "'><iframe srcdoc=fz>", "</textarea><b>fz</b>", "{{ 7*7 }}<i>fz</i>")
PARAMS = ("q", "topic", "author", "source", "year", "month", "language", "person", "org", "place", "from", "to",
          "sort", "match", "page",
          "per_page", "limit", "width", "id", "selected", "fp", "unit", "measure", "all", "exact", "any", "none",
          "near", "within", "field", "preview", "containing", "prefix")
KEYS = tuple(article_key(str(r.get("id") or r["url"])) for r in FUZZ_CORPUS)
ACCEPTS = (None, "text/html", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/json",
           "application/json, text/html;q=0.1", "application/xml", "garbage;;q=x,")


# --- strategies: hostile values, encoded in every way a client (or an attacker) might

NUMBERS = st.sampled_from(["0", "-1", "1", "3", "100", "101", "10000", "9999999999", "99999999999999999999", "1e3",
                           "0x10", "1.5", " 5 ", "²", "¹⁰", "١٢", "５", "+3", "00000000001", "NaN", "∞", "-0"])
DATES = st.sampled_from(["0000-00-00", "99999-1-1", "2020-02-30", "2020-13", "2020-0", "1600", "2201", "9999-12",
                         "9999-12-31", "0001-01-01", "2020-1-1", "٢٠٢٠", "2020/01/01", "-2020", "20200101",
                         "2020-01-01T00:00", "1987", "2021-06"])
CHOICES = st.sampled_from(["relevance", "newest", "oldest", "all", "any", "RANDOM", "Newest", "ALL", "<script>"])
QUERIES = st.sampled_from(["inflation", "storm", "rates", "date:junk", "date:[2020 TO", "date:[2020 TO 2019]",
                           "date:{2020 TO}", "headline:", "foo:bar", '"unclosed', "(((", ")", "a*", "*", "?", "~",
                           "storm~2", "storm~99", "NOT", "-", "OR", "AND AND", "title:<script>", "date:1987-03",
                           "url:http://x", "id:a1", "^2", "storm^-1", "[a TO", "{}", "\\", "the", "café", "ünïcode",
                           "headline:(a OR", "'", '"<mark>"', "%", "&amp;", "&#x3C;script&#x3E;", "storm NEAR rates",
                           'storm NEAR/2 "interest rates"', "tempest OR inflation", "headline:storm", "-storm"])
# The app serves a synonyms file naming words of the queries above, so expanded queries are fuzzed too.
SYNONYMS = "storm, tempest, gale\ninterest rates, rates <b>\n"
FACETS = st.sampled_from(["economy", "weather", "Gazette", "Jane Doe", "2020", "2020-01", "1987", "Ø <b>",
                          "<i>t</i>", "ünïcode id with spaces", "z", "0", "2020-13", "9999-13", "99999999"])
# Control characters, characters XML cannot carry, separators and bidi overrides.
ODD_CHARS = st.sampled_from(["\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\ufffe", "\uffff",
                             "\U0010ffff", "\u202e", "\r\n", "&", "=", "#", "+", "%", ";", "/", "..", " "])
LONG = st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "<", "%", " ", "\x00", "字", "a "]),
                 st.integers(900, 12_000))
TEXT = st.lists(st.one_of(st.characters(), ODD_CHARS), max_size=30).map("".join)
VALUES = st.one_of(TEXT, st.sampled_from(MARKERS), st.builds("{}{}{}".format, TEXT, st.sampled_from(MARKERS), TEXT),
                   NUMBERS, DATES, CHOICES, QUERIES, FACETS, LONG, st.just(""))


@st.composite
def encoded(draw: st.DrawFn, text: str) -> bytes:
    """A value as bytes on the wire: percent-encoded, raw UTF-8 or latin-1, or with broken percent escapes."""
    how = draw(st.sampled_from(["quote", "quote", "raw", "latin-1", "broken"]))
    utf8 = text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes bytes no UTF-8 decoder accepts
    if how == "quote":
        return quote(utf8, safe="").encode("ascii")
    if how == "raw":
        return utf8
    if how == "latin-1":
        return text.encode("latin-1", "replace")
    cut = draw(st.integers(0, len(utf8)))
    broken = draw(st.sampled_from(["%", "%G1", "%zz", "%E2%82", "%FF%FE", "%C0%AF", "%ED%A0%80", "%00", "%%", "%2"]))
    return quote(utf8[:cut], safe="").encode("ascii") + broken.encode("ascii") + quote(utf8[cut:], safe="").encode()


@st.composite
def query_strings(draw: st.DrawFn) -> bytes:
    """A query string: known and unknown names, repeated names, odd separators, hostile values."""
    pieces = []
    for _ in range(draw(st.integers(0, 8))):
        name = draw(st.one_of(st.sampled_from(PARAMS), st.sampled_from(PARAMS), TEXT))
        value = draw(VALUES)
        repeat = draw(st.sampled_from([1, 1, 1, 2, 3, 51]))  # 51: one more than a facet may have
        piece = draw(encoded(name)) + draw(st.sampled_from([b"=", b"=", b"", b"=="])) + draw(encoded(value))
        pieces.extend([piece] * repeat)
    return draw(st.sampled_from([b"&", b"&", b";", b"&&"])).join(pieces)


KEYS_ON_THE_WIRE = st.one_of(
    st.sampled_from(KEYS).map(str.encode),
    TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds("~{}".format, st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=~+/",
                                    max_size=30)).map(str.encode),
    st.sampled_from([b"~", b"~~", b"~A", b"~_w", b"~/w", b"\xff\xfe", b"a\x00b", b"..", b"%2F", b"a%2Fb", b"%00",
                     b"~" + b"A" * 5000, b"x" * 10_000]),
)


# --- the app, and what every answer must be


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("fuzzweb")
    (folder / "synonyms.txt").write_text(SYNONYMS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSARCHIVE_SYNONYMS", str(folder / "synonyms.txt"))
        app = create_app({"INDEX": str(build_fuzz_index(folder)), "TESTING": True, "RATE_LIMIT": 0,
                          "EXPORT_RATE_LIMIT": 0})
        yield app
        app.extensions["newsarchive"].close()


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def fetch(client: FlaskClient, path: bytes, query: bytes, accept: str | None) -> TestResponse:
    """GET a raw path and query string, as a WSGI server hands them to the app (latin-1 strings of the bytes)."""
    headers = {"Accept": accept} if accept else {}
    environ = {"PATH_INFO": path.decode("latin-1"), "QUERY_STRING": query.decode("latin-1")}
    return client.get(headers=headers, environ_overrides=environ)


class _Tags(HTMLParser):
    """Collect every start tag of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _template_tags() -> frozenset[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in TEMPLATES.rglob("*.html"))
    return frozenset(re.findall(r"<([a-z][a-z0-9]*)", text)) | {"mark"}  # <mark> comes from snippets


OUR_TAGS = _template_tags()


def check_html(url: str, page: str) -> None:
    """Only our own markup: no injected marker, no tag our templates lack, no event handlers, no inline script."""
    for marker in MARKERS:
        assert marker not in page, (url, marker)
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag in OUR_TAGS, (url, tag, attrs)
        assert not [name for name, _ in attrs if name.startswith("on")], (url, tag, attrs)
        if tag == "script":
            assert (dict(attrs).get("src") or "").startswith("/static/"), (url, attrs)
        if tag == "mark":
            assert not attrs, (url, attrs)


def json_errors_expected(path: bytes, accept: str | None) -> bool | None:
    """Whether an error should be JSON (True), HTML (False) or either (None: an Accept header we do not judge)."""
    if path.startswith(b"/api/"):
        return True
    if accept in (None, "text/html", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8"):
        return False
    if accept == "application/json":
        return True
    return None


def check_answer(response: TestResponse, path: bytes, query: bytes, accept: str | None) -> None:
    """No 5xx; the body is well formed for its type; errors are JSON or an HTML page with a helpful message."""
    url = (path + b"?" + query)[:300]
    assert response.status_code < 500, (url, response.status_code, response.get_data(as_text=True)[:2000])
    body = response.get_data(as_text=True)
    if response.mimetype == "application/json":
        data = json.loads(body)
        if response.status_code >= 400:
            assert set(data) == {"error"} and set(data["error"]) == {"status", "code", "message"}, (url, data)
            assert data["error"]["status"] == response.status_code and data["error"]["message"], (url, data)
    elif response.mimetype == "text/html":
        check_html(url.decode("latin-1"), body)
        if response.status_code >= 400:
            assert '<h1' in body and 'class="error-message" role="alert">' in body, (url, body[:2000])
            message = body.split('class="error-message" role="alert">', 1)[1].split("</p>", 1)[0]
            assert message.strip(), (url, "an error page without a message")
            assert 'role="search"' in body  # the search form is kept
    elif response.mimetype in ("application/atom+xml", "application/opensearchdescription+xml", "application/xml"):
        ET.fromstring(response.get_data())  # well-formed XML, whatever the query held
    elif response.mimetype == "text/csv":
        list(csv.reader(io.StringIO(body)))
    elif response.mimetype == "application/x-ndjson":
        assert all(isinstance(json.loads(line), dict) for line in body.splitlines()), url
    elif response.mimetype == "application/x-research-info-systems":
        parse_ris(body)  # every line a RIS line, every record closed, whatever the text held
    elif response.mimetype == "application/x-bibtex":
        parse_bibtex(body)  # braces balanced, every entry closed
    elif response.mimetype == "application/vnd.citationstyles.csl+json":
        assert all(isinstance(item, dict) for item in json.loads(body)), url
    elif path.startswith(b"/static/"):
        assert response.status_code == 200, url  # one of our own files
    else:
        raise AssertionError((url, response.status_code, response.mimetype))
    if response.status_code >= 400:
        expected = json_errors_expected(path, accept)
        assert expected is None or (response.mimetype == "application/json") == expected, (url, accept)


def fetch_and_check(client: FlaskClient, path: bytes, query: bytes, accept: str | None) -> TestResponse:
    """Send one fuzzed request and check its answer (the answers seen: pytest --hypothesis-show-statistics)."""
    response = fetch(client, path, query, accept)
    event(f"{response.status_code} {response.mimetype}")
    check_answer(response, path, query, accept)
    return response


# --- the fuzz tests


def test_every_route_is_fuzzed(app: Flask) -> None:
    fuzzed = {*SEARCH_ROUTES, *(r.format("<key>") for r in ARTICLE_ROUTES), *(r.format("<name>") for r in FACET_ROUTES),
              "/static/<path:filename>"}
    assert {rule.rule for rule in app.url_map.iter_rules()} <= fuzzed  # a new route is added to the fuzz above


@fuzz_settings
@given(route=st.sampled_from(SEARCH_ROUTES), query=query_strings(), accept=st.sampled_from(ACCEPTS))
def test_search_routes_answer_hostile_query_strings_safely(client: FlaskClient, route: str, query: bytes,
                                                           accept: str | None) -> None:
    fetch_and_check(client, route.encode(), query, accept)


@fuzz_settings
@given(route=st.sampled_from(ARTICLE_ROUTES), key=KEYS_ON_THE_WIRE, query=query_strings(),
       accept=st.sampled_from(ACCEPTS))
def test_article_routes_answer_hostile_keys_and_query_strings_safely(client: FlaskClient, route: str, key: bytes,
                                                                     query: bytes, accept: str | None) -> None:
    fetch_and_check(client, route.encode().replace(b"{}", key), query, accept)


@fuzz_settings
@given(route=st.sampled_from(FACET_ROUTES), name=st.one_of(st.sampled_from([b"author", b"topic", b"month"]),
                                                          KEYS_ON_THE_WIRE),
       query=query_strings(), accept=st.sampled_from(ACCEPTS))
def test_facet_routes_answer_hostile_names_and_query_strings_safely(client: FlaskClient, route: str, name: bytes,
                                                                   query: bytes, accept: str | None) -> None:
    fetch_and_check(client, route.encode().replace(b"{}", name), query, accept)


@fuzz_settings
@given(prefix=st.sampled_from([b"/", b"/api/", b"/articles/", b"/static/", b"/embed/", b"//"]),
       rest=KEYS_ON_THE_WIRE, accept=st.sampled_from(ACCEPTS))
def test_unknown_paths_are_a_404_in_the_routes_format(client: FlaskClient, prefix: bytes, rest: bytes,
                                                      accept: str | None) -> None:
    response = fetch_and_check(client, prefix + rest, b"", accept)
    if response.status_code >= 400:
        assert response.status_code in (400, 404), (prefix + rest, response.status_code)


# --- what the fuzzing found, kept fixed


def test_page_numbers_in_other_digit_forms_are_a_400_not_a_server_error(client: FlaskClient) -> None:
    # "²".isdigit() is true but int("²") fails: these were 500s on every search route.
    for url in ("/?page=%C2%B2", "/embed?per_page=%C2%B9", "/search.atom?page=%C2%B2", "/export.csv?page=%C2%B2",
                "/api/search?per_page=%D9%A2", "/api/articles/a1/related?limit=%C2%B2"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "must be a whole number" in response.get_data(as_text=True), url


def test_a_405_says_which_methods_are_allowed(client: FlaskClient) -> None:
    page = client.post("/")
    assert page.status_code == 405 and page.mimetype == "text/html" and "GET" in page.headers["Allow"]
    api = client.delete("/api/search")
    assert api.status_code == 405 and api.get_json()["error"]["status"] == 405 and "GET" in api.headers["Allow"]


def test_a_parameter_given_twice_is_a_400_that_names_it(client: FlaskClient) -> None:
    page = client.get("/?q=storm&q=rates")
    assert page.status_code == 400 and "q was given 2 times" in page.get_data(as_text=True)
    api = client.get("/api/search?page=1&page=2")
    assert api.status_code == 400 and api.get_json()["error"]["message"] == "page was given 2 times: give it once"
    assert client.get("/api/search?topic=economy&topic=weather").status_code == 200  # facets take several values


def test_more_facet_values_than_allowed_are_a_400_even_when_repeated(client: FlaskClient) -> None:
    response = client.get("/api/search?" + "&".join(["topic=economy"] * 51))
    assert response.status_code == 400 and "too many topic values" in response.get_json()["error"]["message"]


def test_raw_bytes_in_a_query_string_are_read_not_a_server_error(client: FlaskClient) -> None:
    # Browsers percent-encode; a raw non-UTF-8 byte (which some WSGI servers pass on) made request.args fail.
    raw_utf8 = fetch(client, b"/api/search", "q=café".encode(), None)
    assert raw_utf8.status_code == 200 and raw_utf8.get_json()["total"] == 1  # read as the same text as q=caf%C3%A9
    invalid = fetch(client, b"/", b"q=storm\x80&topic=\xff", None)
    assert invalid.status_code == 200 and "storm%80" in invalid.get_data(as_text=True)  # kept as written, escaped
    redirect = fetch(client, b"/api/articles/a1//related", b"q=a\rb", None)  # routing merges the slashes
    assert redirect.status_code == 308 and redirect.headers["Location"].endswith("/a1/related?q=a%0Db")


def test_feeds_stay_well_formed_when_text_holds_characters_xml_forbids(client: FlaskClient) -> None:
    # The fuzz corpus has U+FFFF in a headline and a control character in a topic, and the query adds U+FFFF.
    response = client.get("/search.atom?q=control%EF%BF%BF")
    root = ET.fromstring(response.get_data())
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.findtext(f"{atom}entry/{atom}title") == "Control  characters  in a headline "
    assert "ctltopic" in [c.get("term") for c in root.iter(f"{atom}category")]


def _get_into(client: FlaskClient, url: str, answers: list[TestResponse]) -> None:
    answers.append(client.get(url))


def test_a_month_or_year_the_index_lacks_neither_hangs_nor_breaks_the_search_page(client: FlaskClient) -> None:
    # The timeline ran from the first to the last month listed, a typed "z" included: a loop without end that took
    # all memory (month=z), or a 500 (month=0).
    for url in ("/?month=z&month=2020-01", "/?month=9999-13&month=2020-01", "/embed?month=0", "/?month=z",
                "/?year=abc&year=1987&year=2021", "/?year=99999999&year=1987&year=2021"):
        answers: list[TestResponse] = []
        worker = threading.Thread(target=_get_into, args=(client, url, answers), daemon=True)
        worker.start()
        worker.join(timeout=20)
        assert answers and answers[0].status_code == 200, url  # no answer: the request still runs (and grows)
    page = client.get("/?month=z&month=2020-01").get_data(as_text=True)
    assert "Month: z" in page and "2 articles" in page and "Matching articles by day" in page  # January's days


# --- rate limits under concurrent clients

RATE_LIMIT = 5


def _hammer(app: Flask, address: str, requests: int, start: threading.Barrier) -> list[TestResponse]:
    client = app.test_client()  # one client per thread, as one browser per user
    start.wait()
    return [client.get("/api/search?q=storm", environ_base={"REMOTE_ADDR": address}) for _ in range(requests)]


def test_rate_limit_holds_under_concurrent_requests_from_one_client(tmp_path: Path) -> None:
    app = create_app({"INDEX": str(build_fuzz_index(tmp_path)), "TESTING": True, "RATE_LIMIT": RATE_LIMIT})
    threads, each = 8, 5
    start = threading.Barrier(threads + 1)
    with ThreadPoolExecutor(threads + 1) as pool:
        busy = [pool.submit(_hammer, app, "10.0.0.1", each, start) for _ in range(threads)]
        other = pool.submit(_hammer, app, "10.0.0.2", RATE_LIMIT, start)  # another client, at the same time
        hammered = [response for future in busy for response in future.result()]
        elsewhere = other.result()
    statuses = Counter(response.status_code for response in hammered)
    assert statuses == {200: RATE_LIMIT, 429: threads * each - RATE_LIMIT}  # the limit is exact under contention
    for response in hammered:
        if response.status_code == 429:
            assert 1 <= int(response.headers["Retry-After"]) <= 61  # counted by the second: up to a second late
            assert response.get_json()["error"]["code"] == "rate_limited"
    assert [response.status_code for response in elsewhere] == [200] * RATE_LIMIT  # served: limits are per client
    page = app.test_client().get("/", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert page.status_code == 429 and page.mimetype == "text/html" and "Retry-After" in page.headers
    app.extensions["newsarchive"].close()

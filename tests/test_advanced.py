"""The advanced search form: the query each field builds, hostile typing kept as words, the built query run on an
index finding exactly what the form asked for (property tests against an oracle over the articles' words), a
search read back into the form, and the page and its API through Flask's test client."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.advanced import (
    FORM_FIELDS,
    EmptyFormError,
    Words,
    build_query,
    built_search,
    chunks,
    form_of,
    read_form,
)
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.errors import QueryError
from indexer.request import MAX_NEAR_DISTANCE, MAX_QUERY_LENGTH, Paging, Search, checked_query_text
from indexer.whoosh import WhooshBackend
from indexer.words import STOP_WORDS, TOKEN_PATTERN
from webapp import create_app

from .conftest import write_jsonl

# --- the query each field builds


@pytest.mark.parametrize(
    ("words", "query"),
    [
        (Words(all_words="oil  prices"), "oil prices"),
        (Words(exact_phrase="oil prices"), '"oil prices"'),
        (Words(exact_phrase="oil"), "oil"),  # one word is that word
        (Words(any_words="opec cartel"), "(opec OR cartel)"),
        (Words(any_words="opec"), "opec"),
        (Words(none_words="gas coal"), "-gas -coal"),
        (Words(near_words="oil prices", within=3), "oil NEAR/3 prices"),
        (Words(near_words="oil prices tanker", within=5), "oil NEAR/5 prices NEAR/5 tanker"),
        (Words(all_words="oil", scope="headline"), "headline:oil"),
        (Words(all_words="mankowski", exact_phrase="cal mankowski", scope="author"),
         'author:mankowski author:"cal mankowski"'),
        (Words(all_words="oil", exact_phrase="oil prices", any_words="opec cartel", near_words="crude tanker",
               within=4, none_words="gas", scope="body"),
         'body:oil body:"oil prices" (body:opec OR body:cartel) body:crude NEAR/4 body:tanker -body:gas'),
        (Words(all_words='"oil prices" opec'), '"oil prices" opec'),  # quotes in a word box make a phrase
        (Words(query="oil OR gas"), "oil OR gas"),
        (Words(query="oil OR gas", all_words="prices"), "(oil OR gas) prices"),  # the query box keeps its OR
        (Words(query="*", all_words="prices"), "prices"),
        (Words(), ""),
    ],
)
def test_each_field_builds_its_part_of_the_query(words: Words, query: str) -> None:
    assert build_query(words) == query


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("OR", '"OR"'), ("AND", '"AND"'), ("NOT", '"NOT"'), ("NEAR", '"NEAR"'), ("NEAR/3", '"NEAR/3"'),
        ("ANDNOT", '"ANDNOT"'), ("TO", '"TO"'), ("or", "or"),  # operators are capitals only
        ("-opec", '"-opec"'), ("re:invent", '"re:invent"'), ("headline:oil", '"headline:oil"'),
        ("date:1987", '"date:1987"'), ("storm*", '"storm*"'), ("te?t", '"te?t"'), ("recieve~", '"recieve~"'),
        ("oil^2", '"oil^2"'), ("(oil", '"(oil"'), ("oil)", '"oil)"'), ("[a", '"[a"'), ("'oil'", "\"'oil'\""),
        ("anti-ISIS", '"anti-ISIS"'), ("U.S.", "U.S."), ("o'neill", "o'neill"), ("3.5", "3.5"), ("café", "café"),
        ('say"what', "say what"), ('say"what now', 'say "what now"'),  # a quote starts a phrase
        ('"unclosed phrase', '"unclosed phrase"'), ('"a "b', 'a b'), ('""', ""), ("*", ""), ("-", ""),
        ("\\", ""), ("+", ""), ("oil oil", "oil"),
    ],
)
def test_what_is_typed_in_a_word_box_stays_words(typed: str, written: str) -> None:
    assert " ".join(chunks(typed)) == written
    built = build_query(Words(all_words=typed))
    assert built == written and (not built or checked_query_text(built) == built)


def test_a_quote_inside_the_exact_phrase_is_a_space() -> None:
    assert build_query(Words(exact_phrase='interest "rates" rise')) == '"interest rates rise"'
    assert build_query(Words(exact_phrase='"" *')) == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ({"near": "oil"}, "“These words near each other” needs two different words or more"),
        ({"near": "oil oil"}, "needs two different words"),
        ({"near": "the oil"}, "the is too common to be indexed"),
        ({"near": "oil prices", "within": "0"}, f"must be from 1 to {MAX_NEAR_DISTANCE:,}"),
        ({"near": "oil prices", "within": "1001"}, "must be from 1 to 1,000"),
        ({"near": "oil prices", "within": "ten"}, "within must be a whole number"),
        ({"all": "oil", "field": "url"}, "unknown field 'url'"),
        ({"all": "x" * (MAX_QUERY_LENGTH + 1)}, "“All these words” is too long"),
        ({"all": " ".join(f"a{n}" for n in range(150)), "none": " ".join(f"b{n}" for n in range(150))},
         "the query is too long"),  # each box fits; the query they build does not
        ({"all": ["oil", "gas"]}, "all was given 2 times"),
        ({"all": "oil", "from": "junk"}, "from:"),
        ({"all": "oil", "sort": "random"}, "unknown sort"),
        ({"q": "date:junk"}, "not a date"),
        ({"all": "", "any": "* -", "q": ""}, "the form asks for nothing"),
        ({"all": "oil", "from": "2021-03-01", "to": "2021-02-01"}, "the date range is empty"),
    ],
)
def test_a_form_that_cannot_be_run_says_what_to_change(args: dict[str, Any], says: str) -> None:
    given = {name: value if isinstance(value, list) else [value] for name, value in args.items()}
    with pytest.raises(QueryError, match=re.escape(says)):
        built_search(*read_form(lambda name: given.get(name, [])))


def test_only_filters_is_a_search_of_every_article_under_them() -> None:
    given = {"all": [""], "topic": ["economy"], "from": ["2020"], "sort": ["newest"]}
    search = built_search(*read_form(lambda name: given.get(name, [])))
    assert search.query == "" and search.topic == ("economy",) and search.sort == "newest"
    with pytest.raises(EmptyFormError):
        built_search(*read_form(lambda name: {"all": [""], "sort": ["newest"]}.get(name, [])))


def test_the_form_s_fields_are_declared_once() -> None:
    assert [f.name for f in FORM_FIELDS] == ["all", "exact", "any", "none", "near", "within", "field"]
    assert all(hasattr(Words(), f.attribute) for f in FORM_FIELDS)


# --- the built query on an index: exactly the articles the form asks for

VOCABULARY = ("zebra", "cobalt", "walrus", "amber", "quartz", "falcon", "violet", "not")  # stems are the words
_TOKEN = re.compile(TOKEN_PATTERN)


def _random_articles() -> list[dict[str, Any]]:
    rng = random.Random(20261203)
    weights = [6, 6, 5, 5, 4, 4, 3, 1]
    return [{"id": f"r{n:03}", "date": "2021-01-01",
             "title": " ".join(rng.choices(VOCABULARY, weights, k=rng.randint(1, 4))),
             "body": " ".join(rng.choices(VOCABULARY, weights, k=rng.randint(2, 12)))} for n in range(90)]


ARTICLES = _random_articles()


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshBackend]:
    folder = tmp_path_factory.mktemp("advanced")
    index_paths([write_jsonl(folder / "articles.jsonl", ARTICLES)], open_backend(folder=folder / "index"),
                IndexOptions(procs=1))
    found = WhooshBackend(folder / "index")
    yield found
    found.close()


def meaning(chunk: str) -> list[str]:
    """Return the words a chunk asks for, in order: those of the analysis, less the words never indexed."""
    return [w.lower() for w in _TOKEN.findall(chunk) if w.lower() not in STOP_WORDS]


def fields_of(article: dict[str, Any], scope: str) -> list[list[str]]:
    names = {"any": ("title", "body"), "headline": ("title",), "body": ("body",)}[scope]
    return [article[name].split() for name in names]


def has(article: dict[str, Any], scope: str, words: list[str]) -> bool:
    """Return whether the words stand next to each other, in order, in one field of the scope."""
    return any(text[i : i + len(words)] == words for text in fields_of(article, scope) for i in range(len(text)))


def near(article: dict[str, Any], scope: str, a: str, b: str, within: int) -> bool:
    return any(0 < abs(i - j) <= within for text in fields_of(article, scope)
               for i, x in enumerate(text) if x == a for j, y in enumerate(text) if y == b)


def expected(form: dict[str, Any]) -> set[str] | None:
    """Return the ids of the articles the form asks for (None: it asks for no searchable word), worked out from the
    articles' words alone."""
    scope = form["scope"]
    all_ = [m for m in map(meaning, form["all"]) if m]
    any_ = [m for m in map(meaning, form["any"]) if m]
    none = [m for m in map(meaning, form["none"]) if m]
    exact = meaning(" ".join(form["exact"]))
    if not (all_ or any_ or none or exact or form["near"]):
        return None
    found = set()
    for article in ARTICLES:
        if (all(has(article, scope, m) for m in all_) and (not exact or has(article, scope, exact))
                and (not any_ or any(has(article, scope, m) for m in any_))
                and not any(has(article, scope, m) for m in none)
                and (not form["near"] or near(article, scope, *form["near"], form["within"]))):
            found.add(article["id"])
    return found


WORD = st.sampled_from(VOCABULARY[:-1])
# Chunks as typed: words, and words in every disguise the query language would otherwise read as syntax.
HOSTILE = st.one_of(
    WORD,
    WORD.map(str.upper),
    st.sampled_from(["OR", "AND", "NOT", "NEAR", "NEAR/2", "TO", "REQUIRE", "*", "-", "+", "?", "\\", "(", ")"]),
    st.tuples(st.sampled_from(["-", "(", "[", "{", "'", "+", "headline:", "date:", "*", "\\"]), WORD).map("".join),
    st.tuples(WORD, st.sampled_from(["*", "~", "~2", "^2", ")", "]", "'", ".", ",", ":", "?", "/"])).map("".join),
    st.tuples(WORD, st.sampled_from([":", "-", "/", "*", "_", "."]), WORD).map("".join),
    st.lists(st.one_of(WORD, st.sampled_from(["OR", "NOT", "-", "the"])), min_size=2, max_size=3).map(
        lambda words: '"' + " ".join(words) + '"'),
)


@st.composite
def forms(draw: st.DrawFn) -> dict[str, Any]:
    """A form filled in: chunks in each word box, the exact phrase's words, two words near each other (or none)."""
    near_words = draw(st.one_of(st.just(()), st.lists(WORD, min_size=2, max_size=2, unique=True).map(tuple)))
    return {"all": draw(st.lists(HOSTILE, max_size=3)), "any": draw(st.lists(HOSTILE, max_size=3)),
            "none": draw(st.lists(HOSTILE, max_size=2)), "exact": draw(st.lists(WORD, max_size=3)),
            "near": near_words, "within": draw(st.integers(1, 4)),
            "scope": draw(st.sampled_from(["any", "headline", "body"]))}


def words_of(form: dict[str, Any]) -> Words:
    return Words(all_words=" ".join(form["all"]), exact_phrase=" ".join(form["exact"]),
                 any_words=" ".join(form["any"]), none_words=" ".join(form["none"]),
                 near_words=" ".join(form["near"]), within=form["within"], scope=form["scope"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=forms())
def test_the_built_query_finds_exactly_what_the_form_asks_for(backend: WhooshBackend, form: dict[str, Any]) -> None:
    wanted = expected(form)
    words = words_of(form)
    try:
        search = built_search(words, Search())
    except EmptyFormError:
        assert wanted is None and not any(_TOKEN.search(c) for box in ("all", "any", "none") for c in form[box])
        return
    assert checked_query_text(search.query) == search.query
    if wanted is None:  # only words never indexed ("OR", "the"): the engine says so
        with pytest.raises(QueryError, match="no searchable words"):
            backend.search(search, Paging(per_page=len(ARTICLES)))
        return
    page = backend.search(search, Paging(per_page=len(ARTICLES)))
    assert {hit.id for hit in page.hits} == wanted, search.query
    assert page.total == len(wanted)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(boxes=st.lists(st.one_of(st.text(max_size=40), HOSTILE), min_size=6, max_size=6),
       scope=st.sampled_from(["any", "author", "body"]), within=st.integers(1, MAX_NEAR_DISTANCE))
def test_whatever_is_typed_the_query_parses_or_says_what_to_change(backend: WhooshBackend, boxes: list[str],
                                                                   scope: str, within: int) -> None:
    words = Words(*boxes[:5], within=within, scope=scope, query=boxes[5])  # the query box too: syntax, in brackets
    try:
        search = built_search(words, Search())
        backend.search(search, Paging(per_page=1))
    except QueryError as err:
        assert str(err)  # a message, never another exception (a 500)


@settings(max_examples=300, deadline=None)
@given(form=forms(), scope=st.sampled_from(["any", "headline", "body", "author", "topic", "source"]))
def test_a_built_query_reads_back_into_the_same_form(form: dict[str, Any], scope: str) -> None:
    words = words_of({**form, "scope": scope})
    query = build_query(words)
    back = form_of(Search(query=query))
    assert build_query(back) == query
    assert not back.query  # read into the boxes, not left whole in the query box


# --- a search read back into the form (the results page's link)


@pytest.mark.parametrize(
    ("query", "match", "words"),
    [
        ("oil prices", "all", Words(all_words="oil prices")),
        ("opec oil prices", "any", Words(any_words="opec oil prices")),
        ('"oil prices" -opec', "all", Words(exact_phrase="oil prices", none_words="opec")),
        ('title:oil -title:"crude oil"', "all", Words(all_words="oil", none_words='"crude oil"', scope="headline")),
        ("(opec OR cartel) oil NEAR prices", "all", Words(all_words="", any_words="opec cartel",
                                                          near_words="oil prices")),
        ("by:mankowski", "all", Words(all_words="mankowski", scope="author")),
        ("*", "all", Words()),
        # What the boxes cannot say stays in the query box, whole.
        ("oil OR gas", "all", Words(query="oil OR gas")),
        ("export* prices", "all", Words(query="export* prices")),
        ("date:1987-03 oil", "all", Words(query="date:1987-03 oil")),
        ('"oil prices"~5', "all", Words(query='"oil prices"~5')),
        ("headline:oil gas", "all", Words(query="headline:oil gas")),
        ("a NEAR/3 b NEAR/4 c", "all", Words(query="a NEAR/3 b NEAR/4 c")),
        ("(a OR b) (c OR d)", "all", Words(query="(a OR b) (c OR d)")),
        ("NOT oil", "all", Words(query="NOT oil")),
        ('"unclosed', "all", Words(query='"unclosed')),
        ("oil -gas", "any", Words(query="oil -gas")),
    ],
)
def test_a_search_reads_back_into_the_form(query: str, match: str, words: Words) -> None:
    assert form_of(Search(query=query, match=match)) == words


# --- the page and its API


@pytest.fixture
def app(index_dir: Path) -> Iterator[Flask]:
    app = create_app({"INDEX": str(index_dir), "TESTING": True, "RATE_LIMIT": 0})
    yield app
    app.extensions["newsarchive"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sent(**fields: str) -> dict[str, str]:
    """Return the query string a browser sends for the form: every field, blank unless given."""
    return {**{f.name: "" for f in FORM_FIELDS}, "within": "10", "field": "any", "q": "", "topic": "", "author": "",
            "source": "", "from": "", "to": "", "sort": "relevance", "group": "story", **fields}


def value_of(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}"[^>]*?value="([^"]*)"', page, re.S)
    assert found, f"no value for #{field_id}"
    return unescape(found.group(1))


def test_the_search_page_links_to_the_form_with_its_search(client: FlaskClient) -> None:
    page = client.get("/?q=rates+-storm&topic=economy&sort=newest").get_data(as_text=True)
    link = unescape(re.search(r'<a class="advanced-link" href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    assert urlsplit(link).path == "/advanced"
    assert parse_qs(urlsplit(link).query) == {"q": ["rates -storm"], "topic": ["economy"], "sort": ["newest"]}


def test_the_form_is_filled_in_from_the_search_it_was_opened_from(client: FlaskClient) -> None:
    response = client.get("/advanced?q=title:rates+-title:storm&topic=economy&topic=markets&from=2020-01&sort=newest"
                          "&year=2021&count=stories")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert value_of(page, "adv-all") == "rates" and value_of(page, "adv-none") == "storm"
    assert re.search(r'<option value="headline" selected>', page)
    assert value_of(page, "adv-topic-1") == "economy" and value_of(page, "adv-topic-2") == "markets"
    assert value_of(page, "adv-topic-3") == ""  # one more box for another value
    assert value_of(page, "adv-from") == "2020-01-01" and re.search(r'<option value="newest" selected>', page)
    assert '<input type="hidden" name="year" value="2021">' in page  # carried, not lost
    assert '<input type="hidden" name="count" value="stories">' in page
    assert value_of(page, "adv-q") == ""
    assert '<a href="/?q=title:rates+-title:storm&amp;topic=economy&amp;topic=markets' in page  # and back


def test_a_query_the_boxes_cannot_say_stays_in_the_query_box(client: FlaskClient) -> None:
    page = client.get("/advanced?q=rates+OR+storm&match=any").get_data(as_text=True)
    assert value_of(page, "adv-q") == "rates OR storm" and value_of(page, "adv-all") == ""
    assert "That search found articles with <em>any</em> of its words" in page


def test_the_suggested_facet_values_are_the_archive_s_own(client: FlaskClient) -> None:
    page = client.get("/advanced").get_data(as_text=True)
    topics = re.search(r'<datalist id="top-topic">(.*?)</datalist>', page, re.S).group(1)  # type: ignore[union-attr]
    assert re.findall(r'value="([^"]+)"', topics)[0] == "economy"  # the most frequent first
    assert 'list="top-author"' in page and "Jane Doe" in page


def test_the_sent_form_lands_on_the_results_page(client: FlaskClient) -> None:
    response = client.get("/advanced", query_string=sent(all="rates", none="storm", field="headline",
                                                         topic="economy", sort="newest"))
    assert response.status_code == 303
    assert response.location == "/?q=headline:rates+-headline:storm&topic=economy&sort=newest"
    results = client.get(response.location).get_data(as_text=True)
    assert value_of(results, "q") == "headline:rates -headline:storm"
    assert re.findall(r'href="/articles/(a\d)', results) == ["a5", "a1"]


def test_what_is_typed_is_words_on_the_results_page_too(client: FlaskClient) -> None:
    response = client.get("/advanced", query_string=sent(all="inflation OR", none="-storm", exact='"central" bank'))
    assert response.location == '/?q=inflation+%22OR%22+%22central+bank%22+-%22-storm%22'
    results = client.get(response.location).get_data(as_text=True)
    assert re.findall(r'href="/articles/(a\d)', results) == ["a5"]


def test_show_the_query_shows_it_and_links_to_the_results(client: FlaskClient) -> None:
    response = client.get("/advanced", query_string=sent(near="interest rates", within="1", topic="economy",
                                                         preview="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert value_of(page, "built-query") == "interest NEAR/1 rates"
    assert "With Topic: economy" in page and 'id="built" aria-labelledby="built-title" hidden' not in page
    assert 'id="built-link" href="/?q=interest+NEAR/1+rates&amp;topic=economy"' in page
    assert value_of(page, "adv-near") == "interest rates"  # the form stays as filled in


def test_an_empty_form_says_so_and_keeps_the_form(client: FlaskClient) -> None:
    response = client.get("/advanced", query_string=sent())
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert">The form asks for nothing' in page and 'id="adv-all"' in page


def test_a_form_that_cannot_be_run_is_a_400_with_the_fields_as_typed_and_escaped(client: FlaskClient) -> None:
    hostile = '"><script>alert(1)</script>'
    response = client.get("/advanced", query_string=sent(all=hostile, near="oil", q="<b>x</b>"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "needs two different words or more" in page
    assert "<script>alert" not in page and "<b>x</b>" not in page
    assert value_of(page, "adv-all") == hostile and value_of(page, "adv-q") == "<b>x</b>"


def test_the_preview_escapes_the_query(client: FlaskClient) -> None:
    page = client.get("/advanced", query_string=sent(all="<img src=x onerror=alert(1)>", preview="1")).get_data(
        as_text=True)
    assert "<img" not in page and value_of(page, "built-query") == '"<img" "src=x" "onerror=alert(1)>"'


def test_the_api_answers_the_query_a_form_builds(client: FlaskClient) -> None:
    answer = client.get("/api/advanced", query_string=sent(all="rates", none="OR", topic="economy",
                                                           sort="oldest")).get_json()
    assert answer == {"query": 'rates -"OR"', "filters": ["Topic: economy", "Oldest first"],
                      "params": {"q": 'rates -"OR"', "topic": ["economy"], "sort": "oldest"},
                      "url": "http://localhost/?q=rates+-%22OR%22&topic=economy&sort=oldest"}


@pytest.mark.parametrize(("fields", "code", "says"), [
    ({}, "empty_form", "the form asks for nothing"),
    ({"near": "oil"}, "cannot_run", "needs two different words or more"),
    ({"all": "oil", "q": "date:junk"}, "cannot_run", "date:junk is not a date"),
    ({"all": "oil", "from": "2021", "to": "2020"}, "cannot_run", "the date range is empty"),
])
def test_the_api_says_why_a_form_being_filled_in_cannot_be_run_yet(client: FlaskClient, fields: dict[str, str],
                                                                   code: str, says: str) -> None:
    response = client.get("/api/advanced", query_string=sent(**fields))
    assert response.status_code == 200 and response.get_json()["problem"]["code"] == code
    assert says in response.get_json()["problem"]["message"]


@pytest.mark.parametrize(("fields", "says"), [
    ({"near": "oil prices", "within": "0"}, "must be from 1 to 1,000"),
    ({"field": "<script>"}, "unknown field '<script>'"),
    ({"all": "oil", "sort": "random"}, "unknown sort"),
])
def test_the_api_refuses_what_no_form_sends_in_the_one_error_shape(client: FlaskClient, fields: dict[str, str],
                                                                  says: str) -> None:
    response = client.get("/api/advanced", query_string=sent(**fields))
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "bad_request" and says in response.get_json()["error"]["message"]


def test_carried_parameters_reach_the_results_page(client: FlaskClient) -> None:
    response = client.get("/advanced", query_string={**sent(all="rates", group="none"), "year": "2021",
                                                     "count": "stories"})
    assert parse_qs(urlsplit(response.location).query) == {"q": ["rates"], "year": ["2021"], "group": ["none"],
                                                           "count": ["stories"]}


def test_the_openapi_document_describes_the_form_s_api(client: FlaskClient) -> None:
    operation = client.get("/api/openapi.json").get_json()["paths"]["/api/advanced"]["get"]
    names = [p["name"] for p in operation["parameters"]]
    assert names[:7] == [f.name for f in FORM_FIELDS] and "topic" in names and "match" not in names
    within = next(p for p in operation["parameters"] if p["name"] == "within")
    assert within["schema"]["maximum"] == MAX_NEAR_DISTANCE

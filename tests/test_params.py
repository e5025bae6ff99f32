"""The search parameters are declared once (indexer.request.PARAMS): the query string, the CLI and the OpenAPI
document are derived from it and agree with it, and a search survives a round trip through its URL."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from urllib.parse import parse_qsl

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.request import (
    FACETS,
    MATCHES,
    PARAMS,
    SORTS,
    Paging,
    Search,
    build_params,
    canonical_search,
    default_search,
    parse_params,
)
from newsarchive.cli import main
from webapp.openapi import SEARCH_PARAMETERS

BY_NAME = {param.name: param for param in PARAMS}


def test_every_field_of_a_search_and_of_its_page_is_a_parameter() -> None:
    declared = {param.field for param in PARAMS}
    assert declared == {f.name for f in fields(Search)} | {f.name for f in fields(Paging)} - {"facet_limit"}
    assert {param.field for param in PARAMS if param.paging} == {"page", "per_page"}


def test_the_cli_has_the_argument_and_an_option_of_each_parameter() -> None:
    command = main.commands["search"]
    given = {p.name: p for p in command.params}
    assert isinstance(given["query"], click.Argument)
    for param in PARAMS:
        if param.name == "q":
            continue
        option = given[param.field]
        assert isinstance(option, click.Option)
        assert option.opts == ["--" + param.name.replace("_", "-")]
        assert option.multiple == param.repeatable
        if param.kind == "choice":
            assert isinstance(option.type, click.Choice) and tuple(option.type.choices) == param.choices
            assert option.default == param.default_for(page=True)  # the CLI shows what the page shows
        if param.kind == "number":
            assert option.default == param.default
    search_fields = {p.name for p in command.params} - {"index_dir", "as_json", "help"}
    assert search_fields == {param.field for param in PARAMS}


def test_the_openapi_document_lists_each_parameter_with_its_rules() -> None:
    listed = {p["name"]: p for p in SEARCH_PARAMETERS}
    assert list(listed) == [param.name for param in PARAMS]
    assert listed["sort"]["schema"]["enum"] == list(SORTS) and listed["match"]["schema"]["enum"] == list(MATCHES)
    assert listed["q"]["schema"]["maxLength"] == BY_NAME["q"].maximum
    assert listed["per_page"]["schema"]["maximum"] == BY_NAME["per_page"].maximum
    for name in FACETS:
        assert listed[name]["schema"]["type"] == "array"
        assert listed[name]["schema"]["maxItems"] == BY_NAME[name].maximum
    for param in PARAMS:
        assert listed[param.name]["description"].startswith(param.help)


def args(pairs: dict[str, object]) -> MultiDict[str, str]:
    flat: list[tuple[str, str]] = []
    for name, value in pairs.items():
        flat += [(name, str(v)) for v in value] if isinstance(value, list) else [(name, str(value))]
    return MultiDict(flat)


values = st.lists(st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8), max_size=3, unique=True)
dates = st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2100, 12, 31)))
searches = st.builds(Search, query=st.text(max_size=20).map(str.strip), topic=values.map(tuple),
                     author=values.map(tuple), source=values.map(tuple), year=values.map(tuple),
                     month=values.map(tuple), date_from=dates, date_to=dates, sort=st.sampled_from(SORTS),
                     match=st.sampled_from(MATCHES))


@settings(max_examples=200, deadline=None)
@given(search=searches, page=st.integers(1, 1000))
def test_a_search_survives_the_round_trip_through_its_query_string(search: Search, page: int) -> None:
    parsed = parse_params(args(build_params(search, page)).getlist, per_page=25, page=True)
    assert parsed == (search, Paging(page=page, per_page=25))
    parsed = parse_params(args(build_params(search, page, for_page=False)).getlist, per_page=25)
    assert parsed == (search, Paging(page=page, per_page=25))


@settings(max_examples=200, deadline=None)
@given(search=searches)
def test_the_canonical_form_runs_the_same_search_whatever_the_order_of_values(search: Search) -> None:
    canonical = canonical_search(search)
    parsed, _ = parse_params(MultiDict(parse_qsl(canonical, keep_blank_values=True)).getlist)
    assert parsed == replace(search, query="" if search.query == "*" else search.query, **{
        name: tuple(sorted(values)) for name, values in search.selections().items()})
    shuffled = replace(search, **{name: tuple(reversed(values)) for name, values in search.selections().items()})
    assert canonical_search(shuffled) == canonical


def test_the_canonical_form_is_sorted_encoded_and_without_defaults() -> None:
    search = Search(query=' oil & "gas prices" ', topic=("b", "a&b"), date_to=date(1987, 3, 31), sort="newest")
    assert canonical_search(search) == "q=oil%20%26%20%22gas%20prices%22&sort=newest&to=1987-03-31&topic=a%26b&topic=b"
    assert canonical_search(Search()) == canonical_search(Search(query=" * ")) == ""
    assert canonical_search(Search(query="東京", match="any")) == "match=any&q=%E6%9D%B1%E4%BA%AC"


def test_defaults_are_left_out_of_urls_and_filled_in_when_parsing() -> None:
    assert build_params(Search(), for_page=False) == {}
    assert build_params(default_search(page=True)) == {}
    # The page groups copies of a story unless told otherwise; the API, feeds and exports do not.
    assert build_params(Search()) == {"group": "none"}
    assert build_params(default_search(page=True), for_page=False) == {"group": "story"}
    assert parse_params(MultiDict().getlist, page=True) == (default_search(page=True), Paging())
    assert build_params(Search(sort="newest", topic=("oil",)), page=2, for_page=False) == {
        "topic": ["oil"], "sort": "newest", "page": 2}
    assert parse_params(MultiDict([("sort", ""), ("page", " "), ("utm_source", "x")]).getlist) == (Search(),
                                                                                                     Paging())


@pytest.mark.parametrize(("given", "message"), [
    ([("q", "a"), ("q", "b")], "q was given 2 times: give it once"),
    ([("page", "²")], "page must be a whole number"),
    ([("from", "2021-02-30")], "from: "),
    ([("topic", str(n)) for n in range(51)], r"too many topic values \(at most 50\)"),
])
def test_bad_parameters_are_refused_naming_the_parameter(given: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_params(MultiDict(given).getlist)

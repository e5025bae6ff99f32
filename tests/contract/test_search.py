"""The contract of search: query forms, filters, facets, sorting, pages, snippets, suggestions, related, lookups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from indexer.backend import SearchBackend
from indexer.build import IndexOptions, index_paths
from indexer.errors import ArticleNotFoundError, QueryError
from indexer.request import Paging, Search


def ids(backend: SearchBackend, query: str = "", **options: object) -> set[str]:
    page = backend.search(Search(query=query, **options), Paging(per_page=100))  # type: ignore[arg-type]
    assert page.total == len(page.hits)
    return {hit.id for hit in page.hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("inflation rates", {"a1", "a5"}),  # AND by default
        ('"interest rates"', {"a1", "a5"}),  # phrase
        ('"rates interest"', set()),
        ("storm OR tourists", {"a2", "a6", "a7"}),
        ("inflation NOT bank", {"a1", "a4"}),
        ("inflation -bank", {"a1", "a4"}),
        ("headline:storm", {"a2"}),
        ("title:storm", {"a2"}),  # alias
        ("author:doe", {"a1", "a2", "a5"}),
        ('author:"jane doe"', {"a1", "a2", "a5"}),
        ("topic:markets", {"a5"}),
        ("source:courier", {"a5", "a6"}),
        ('source:"daily planet"', {"a1", "a3"}),
        ("infla*", {"a1", "a4", "a5"}),  # wildcard
        ("stoorm~", {"a2", "a7"}),  # fuzzy
        ("date:2020-01", {"a1", "a2"}),
        ("date:2020", {"a1", "a2", "a6"}),
        ("date:[2020-01-01 TO 2020-01-16]", {"a1"}),
        ("rates date:[2021-01-01 TO]", {"a5"}),
        ("storm date:[TO 2020-12-31]", {"a2"}),
        ("topic:economy (date:2019 OR date:2021)", {"a4", "a5"}),  # a date scope before a closing bracket
        ("U.S.", {"a3"}),
        ("US officials", {"a3"}),
        ("cafe", {"a6"}),  # accents folded
        ("author:alvarez", {"a6"}),
        ("raising", {"a1"}),  # stemmed: raised/raising
        ("new state", {"a3"}),  # news words are not stop words
        # NEAR: within N words (stop words not counted), either order; plain NEAR is NEAR/10.
        ("rates NEAR/2 inflation", {"a5"}),  # "rates steady as inflation": 2 apart; a1's are 3 apart
        ("inflation NEAR/3 rates", {"a1", "a5"}),
        ("rates NEAR/1 interest", {"a1", "a5"}),  # next to each other, either order; the phrase is in order:
        ('"rates interest"~1', set()),
        ("inflation NEAR rates", {"a1", "a5"}),
        ("title:rates NEAR interest", {"a1"}),  # both in the headline
        ('"interest rates" NEAR/2 inflation', {"a5"}),
        ("(rates NEAR/3 inflation) -markets", {"a5"}),
        ("storm NEAR coast OR tourists", {"a2", "a6"}),  # NEAR binds tighter than OR
    ],
)
def test_query_forms(backend: SearchBackend, query: str, expected: set[str]) -> None:
    assert ids(backend, query) == expected


def test_empty_query_browses_everything_newest_first_undated_last(backend: SearchBackend) -> None:
    page = backend.search(Search(), Paging(per_page=10))
    assert page.total == 7
    assert [h.id for h in page.hits] == ["a5", "a4", "a6", "a2", "a1", "a3", "a7"]
    assert all(h.score is None for h in page.hits)


def test_a_lone_star_browses_everything_newest_first(backend: SearchBackend) -> None:
    page = backend.search(Search(query=" * "), Paging(per_page=10))
    assert page.total == 7 and [h.id for h in page.hits] == ["a5", "a4", "a6", "a2", "a1", "a3", "a7"]
    assert backend.search(Search(query="*", topic=("economy",))).total == 3


def test_sort_by_date(backend: SearchBackend) -> None:
    newest = backend.search(Search(query="inflation", sort="newest"))
    oldest = backend.search(Search(query="inflation", sort="oldest"))
    assert [h.id for h in newest.hits] == ["a5", "a4", "a1"]
    assert [h.id for h in oldest.hits] == ["a1", "a4", "a5"]


def test_relevance_puts_headline_matches_first(backend: SearchBackend) -> None:
    page = backend.search(Search(query="storm"))
    assert [h.id for h in page.hits][0] == "a2"
    assert page.hits[0].score is not None and page.hits[0].score > page.hits[1].score  # type: ignore[operator]


def test_filters_several_values_each(backend: SearchBackend) -> None:
    assert ids(backend, topic=("economy",)) == {"a1", "a4", "a5"}
    assert ids(backend, topic=("economy", "weather")) == {"a1", "a2", "a4", "a5"}
    assert ids(backend, topic=("economy",), source=("Courier",)) == {"a5"}
    assert ids(backend, author=("Jane Doe",)) == {"a1", "a2", "a5"}
    assert ids(backend, year=("2020",)) == {"a1", "a2", "a6"}
    assert ids(backend, month=("2020-01", "2019-11")) == {"a1", "a2", "a3"}
    assert ids(backend, "rates", topic=("markets",)) == {"a5"}


def test_date_range_filter(backend: SearchBackend) -> None:
    assert ids(backend, date_from=date(2020, 1, 16), date_to=date(2020, 7, 4)) == {"a2", "a6"}
    assert ids(backend, date_from=date(2021, 1, 1)) == {"a4", "a5"}
    with pytest.raises(QueryError, match="empty"):
        ids(backend, date_from=date(2021, 1, 1), date_to=date(2020, 1, 1))


def test_facets_count_the_whole_result_set(backend: SearchBackend) -> None:
    page = backend.search(Search(query="inflation"), Paging(per_page=1))
    assert page.total == 3 and len(page.hits) == 1
    facets = {name: {v.value: v.count for v in values} for name, values in page.facets.items()}
    assert facets["topic"] == {"economy": 3, "markets": 1}
    assert facets["author"] == {"Jane Doe": 2, "Mallory": 1}
    assert facets["source"] == {"Gazette": 1, "Courier": 1, "Daily Planet": 1}
    assert facets["year"] == {"2020": 1, "2021": 2}
    assert [v.value for v in page.facets["month"]] == ["2020-01", "2021-03", "2021-06"]


def test_facet_counts_ignore_their_own_selection(backend: SearchBackend) -> None:
    page = backend.search(Search(topic=("weather",), source=("Gazette",)))
    assert page.total == 1
    topic = {v.value: (v.count, v.selected) for v in page.facets["topic"]}
    # other topics still counted under the source selection, so a second topic can be added
    assert topic == {"economy": (1, False), "weather": (1, True)}
    source = {v.value: v.count for v in page.facets["source"]}
    assert source == {"Gazette": 1}


def test_selected_value_without_matches_is_still_listed(backend: SearchBackend) -> None:
    page = backend.search(Search(query="storm", topic=("nonexistent",)))
    assert page.total == 0
    assert ("nonexistent", 0, True) in [(v.value, v.count, v.selected) for v in page.facets["topic"]]


def test_pagination(backend: SearchBackend) -> None:
    pages = [backend.search(Search(), Paging(page=n, per_page=3)) for n in (1, 2, 3)]
    seen = [h.id for p in pages for h in p.hits]
    assert seen == ["a5", "a4", "a6", "a2", "a1", "a3", "a7"]
    assert pages[0].pages == 3
    assert backend.search(Search(), Paging(page=4, per_page=3)).hits == ()


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (Search(query="date:junk"), r"date:junk is not a date .*date:1987-03"),
        (Search(query="date:[foo TO bar]"), "not a date or a date range"),
        (Search(query="date:2020-01-22T10:00"), "not a date"),
        (Search(query="date:1987-13"), "month must be in 1..12"),
        (Search(query="the of"), "no searchable words"),
        (Search(query="x" * 2000), "too long"),
        ((Search(), Paging(per_page=0)), "per_page"),
        ((Search(), Paging(per_page=101)), "per_page"),
        ((Search(), Paging(page=0)), "page"),
        ((Search(), Paging(page=1001, per_page=10)), "depth"),
        (Search(sort="random"), "unknown sort"),
        (Search(query="fingerprint:abc"), "unknown field"),
        (Search(query="rates NEAR/0 inflation"), "the distance must be between 1 and 1,000 words"),
        (Search(query="inflation NOT"), r"NOT at the end leaves nothing out: .*\(coffee NOT tea\)"),
        (Search(query="inflation -"), r"- at the end leaves nothing out"),
        (Search(query="inflation OR"), r"OR at the end joins nothing"),
        (Search(query="AND inflation"), r"AND at the start joins nothing"),
        (Search(query="date:[2021-03-01 TO 2021-02-01]"),
         r"date:\[2021-03-01 TO 2021-02-01\] is empty: 2021-03-01 is after 2021-02-01. Write date:\[2021-02-01 TO"),
        (Search(query="rates NEAR infla*"), "NEAR joins words or phrases, not wildcards"),
        (Search(query="rates NEAR the"), "each side of NEAR needs a searchable word"),
        (Search(query='rates NEAR "the of"'), "each side of NEAR needs a searchable word"),  # was a 500
        (Search(query="rates NEAR -inflation"), "NEAR joins words or phrases, not '-'"),
        (Search(query="rates NEAR (bank OR fed)"), "NEAR joins words or phrases"),
    ],
)
def test_bad_requests_raise_query_error(backend: SearchBackend, request_: Search | tuple[Search, Paging],
                                        message: str) -> None:
    with pytest.raises(QueryError, match=message):
        backend.search(*request_) if isinstance(request_, tuple) else backend.search(request_)


def test_snippets_escape_text_and_mark_matches(backend: SearchBackend) -> None:
    page = backend.search(Search(query="payload inflation"))
    snippet = page.hits[0].snippet
    assert "<mark>Payload</mark>" in snippet and "<mark>inflation</mark>" in snippet
    assert "&lt;img src=x onerror=alert(2)&gt;" in snippet
    assert "<img" not in snippet and "<script" not in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_snippet_marks_stemmed_and_wildcard_matches(backend: SearchBackend) -> None:
    assert "<mark>raised</mark>" in backend.search(Search(query="raising")).hits[0].snippet
    snippets = [h.snippet for h in backend.search(Search(query="infla*")).hits]
    assert all("<mark>inflation</mark>" in s for s in snippets)


def test_snippet_without_body_match_is_the_escaped_lead(backend: SearchBackend) -> None:
    page = backend.search(Search(query="headline:hostile"))
    assert page.hits[0].snippet.startswith("Payload &lt;img")
    browse = backend.search(Search(), Paging(per_page=1))
    assert "<mark>" not in browse.hits[0].snippet


def test_did_you_mean(backend: SearchBackend) -> None:
    page = backend.search(Search(query="inflaton"))
    assert page.total == 0
    assert page.suggestion == "inflation"
    assert backend.search(Search(query="inflation")).suggestion is None
    # each misspelt word is corrected as typed; operators, phrases and known words are kept
    assert backend.search(Search(query='"interest rtes" OR stoorm')).suggestion == '"interest rates" OR storm'
    assert backend.search(Search(query="headline:stoorm")).suggestion is None  # scoped words are left
    assert backend.search(Search(query="rtaes NEAR/3 inflation")).suggestion == "rates NEAR/3 inflation"
    # values of name fields, against the values they hold (aliases too); quoted ones are left
    assert backend.search(Search(query="topic:economi")).suggestion == "topic:economy"
    assert backend.search(Search(query="section:economi rates")).suggestion == "section:economy rates"
    assert backend.search(Search(query="author:doee")).suggestion == "author:doe"
    assert backend.search(Search(query='topic:"economi"')).suggestion is None


def test_related_articles(backend: SearchBackend) -> None:
    related = backend.related("a1", limit=3)
    assert related and related[0].id == "a5"
    assert "a1" not in {r.id for r in related}
    assert related[0].date is not None


def test_get_by_id(backend: SearchBackend) -> None:
    article = backend.article("a2")
    assert article.headline == "Storm batters coast"
    assert article.author == ("John Roe", "Jane Doe")
    assert article.topic == ("weather",)
    with pytest.raises(ArticleNotFoundError):
        backend.article("nope")


def test_highlight_article_body(backend: SearchBackend) -> None:
    html = backend.highlight_article(backend.article("a4"), "payload")
    assert html.startswith("<mark>Payload</mark> &lt;img")


def test_stats(backend: SearchBackend) -> None:
    stats = backend.stats()
    assert stats.documents == 7
    assert stats.first_date is not None and stats.first_date.date() == date(2019, 11, 5)
    assert stats.last_date is not None and stats.last_date.date() == date(2021, 6, 30)
    assert stats.top["author"][0].value == "Jane Doe" and stats.top["author"][0].count == 3


def test_json_shape(backend: SearchBackend) -> None:
    data = backend.search(Search(query="storm"), Paging(per_page=1)).to_dict()
    assert set(data) == {"query", "total", "stories", "group", "count", "page", "per_page", "hits", "facets",
                         "suggestion", "also_searched", "timeline"}
    hit = data["hits"][0]
    assert set(hit) == {"id", "headline", "author", "date", "topic", "source", "url", "snippet", "score", "story",
                        "language", "people", "orgs", "places"}
    assert hit["date"] == "2020-01-20T00:00:00" and hit["author"] == ["John Roe", "Jane Doe"]
    assert set(data["facets"]) == {"topic", "author", "source", "year", "month", "language", "person", "org", "place"}
    assert [v["value"] for v in data["facets"]["language"]] == ["en"] and hit["language"] == "en"
    assert data["facets"]["topic"] == [{"value": "weather", "count": 1}]


def test_match_any_finds_any_word_and_ranks_more_words_first(backend: SearchBackend) -> None:
    assert ids(backend, "storm tourists") == set()
    page = backend.search(Search(query="storm coast tourists", match="any"))
    assert {h.id for h in page.hits} == {"a2", "a6", "a7"}
    assert page.hits[0].id == "a2"  # storm and coast
    with pytest.raises(QueryError, match="unknown match"):
        backend.search(Search(query="storm", match="some"))


def test_an_index_with_no_articles_answers_every_search(tmp_path: Path,
                                                        make_backend: Callable[[Path], SearchBackend]) -> None:
    # Every file failed (or none was given): the index exists, empty, and searches say so rather than crash.
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    index_paths([bad], make_backend(tmp_path / "ix"), IndexOptions(procs=1))
    empty = make_backend(tmp_path / "ix")
    assert empty.search(Search(query="ferry")).total == 0
    assert empty.search(Search()).total == 0
    assert empty.stats().documents == 0

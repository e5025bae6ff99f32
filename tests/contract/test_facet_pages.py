"""Every facet value reachable, on every backend: a facet's values paged and searched, counted for a search.

An archive of many bylines (more than the search page's top 20): paging lists every one, each with the count the
search's own facets give it; a search within the facet finds a value by any part of it, case and accents aside.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from indexer.backend import Batch, SearchBackend
from indexer.errors import QueryError
from indexer.facetpages import MAX_CONTAINING_LENGTH, MAX_FACET_PAGE, MAX_FACET_PER_PAGE, FacetRequest
from indexer.records import Article
from indexer.request import Paging, Search
from indexer.results import FacetValue

# Fictional bylines: 36 reporters with 1 to 4 articles each, and a few names with accents.
NAMED = ("Siobhán Ní Bhriain", "José Álvarez", "Zoë Ångström", "SIOBHAN KELLY")
REPORTERS = [f"Reporter {n:02d}" for n in range(1, 37)] + list(NAMED)


def _articles() -> list[Article]:
    found = []
    for i, name in enumerate(REPORTERS):
        for copy in range(1 + i % 4):
            story = f"s{i:03d}{copy // 2}"  # pairs of a reporter's articles are one story
            harbour = "harbour" if (i + copy) % 3 == 0 else "market"
            found.append(Article(f"{i:02d}-{copy}", f"{harbour.title()} news {i} {copy}",
                                 f"The {harbour} report number {i}, copy {copy}.", author=(name,),
                                 date=datetime(2019 + i % 3, 1 + copy, 5), topic=("ports" if i % 2 else "trade",),
                                 source=f"Outlet {i % 5}", story=story))
    return found


ARTICLES = _articles()
EVERY_VALUE = Paging(facet_limit=10_000)


@pytest.fixture
def bylines(tmp_path: Path, make_backend: Callable[[Path], SearchBackend]) -> SearchBackend:
    backend = make_backend(tmp_path / "index")
    backend.prepare()
    backend.commit(Batch(articles={a.id: (a, False) for a in ARTICLES}))
    return make_backend(tmp_path / "index")


def every_page(backend: SearchBackend, search: Search, name: str, containing: str = "",
               per_page: int = 7) -> list[FacetValue]:
    """Return the values of every page of a facet, asking page after page until an empty one."""
    found: list[FacetValue] = []
    page = 1
    while True:
        got = backend.facet_page(FacetRequest(search, name, containing, page, per_page))
        assert got.per_page == per_page and got.page == page
        if not got.values:
            assert got.total == len(found) and got.pages == max(1, -(-len(found) // per_page))
            return found
        assert len(got.values) == per_page or page == got.pages
        found.extend(got.values)
        page += 1


def test_paging_lists_every_value_with_the_search_s_own_counts(bylines: SearchBackend) -> None:
    values = every_page(bylines, Search(), "author")
    assert len(values) == len(REPORTERS) > 20  # beyond the page's top 20
    assert {v.value: v.count for v in values} == dict(Counter(a.author[0] for a in ARTICLES))
    assert values == list(bylines.search(Search(), EVERY_VALUE).facets["author"])  # the order too
    assert len(bylines.search(Search()).facets["author"]) == 20  # what the search page alone shows


def test_values_are_counted_for_the_search_without_the_facet_s_own_selection(bylines: SearchBackend) -> None:
    search = Search(query="harbour", topic=("ports",), author=("Reporter 04", "Reporter 03"),
                    source=("Outlet 3", "Outlet 1"))
    expected = bylines.search(search, EVERY_VALUE).facets
    for name in ("author", "topic", "source", "year"):
        assert every_page(bylines, search, name, per_page=3) == list(expected[name]), name
    authors = every_page(bylines, search, "author")
    matching = Counter(a.author[0] for a in ARTICLES if "harbour" in a.body and a.topic == ("ports",)
                       and a.source in ("Outlet 3", "Outlet 1"))
    assert {v.value: v.count for v in authors} == {**matching, "Reporter 03": 0}  # its selection is not applied
    # Reporter 03 wrote no port article: counted 0, and listed as chosen.
    assert [v.value for v in authors if v.selected] == ["Reporter 04", "Reporter 03"]
    sources = {v.value: v.count for v in every_page(bylines, search, "source")}
    assert sources == {"Outlet 3": 2, "Outlet 1": 0}


def test_a_value_is_found_by_any_part_of_it_case_and_accents_aside(bylines: SearchBackend) -> None:
    def found(containing: str) -> set[str]:
        return {v.value for v in every_page(bylines, Search(), "author", containing)}

    assert found("siob") == {"Siobhán Ní Bhriain", "SIOBHAN KELLY"}  # a prefix, either case, either accent
    assert found("HAN") == {"Siobhán Ní Bhriain", "SIOBHAN KELLY"}  # within the name
    assert found("sieb") == set()
    assert found("  ni   bhr ") == {"Siobhán Ní Bhriain"}  # spaces trimmed and taken as one
    assert found("ÁLVAR") == found("alvar") == {"José Álvarez"}
    assert found("zoe angstrom") == {"Zoë Ångström"}
    assert found("porter 1") == {f"Reporter {n}" for n in range(10, 20)}
    assert found("") == set(REPORTERS)
    page = bylines.facet_page(FacetRequest(Search(), "author", "porter", per_page=10))
    assert page.total == 36 and page.pages == 4 and page.containing == "porter"
    assert [v.count for v in page.values] == sorted((v.count for v in page.values), reverse=True)


def test_selected_values_are_flagged_even_when_the_search_has_none(bylines: SearchBackend) -> None:
    search = Search(query="market", author=("Reporter 05", "Nobody Wrote This"))
    values = every_page(bylines, search, "author")
    assert {v.value for v in values if v.selected} == {"Reporter 05", "Nobody Wrote This"}
    assert next(v for v in values if v.value == "Nobody Wrote This").count == 0  # listed last, as on the page
    assert values[-1].value == "Nobody Wrote This"
    (flagged,) = bylines.facet_page(FacetRequest(search, "author", "05")).values
    assert flagged.value == "Reporter 05" and flagged.selected


def test_a_page_past_the_last_is_empty(bylines: SearchBackend) -> None:
    page = bylines.facet_page(FacetRequest(Search(), "author", page=99, per_page=10))
    assert page.values == () and page.total == len(REPORTERS) and page.pages == 4
    none = bylines.facet_page(FacetRequest(Search(), "author", "no such name"))
    assert none.values == () and none.total == 0 and none.pages == 1
    data = page.to_dict()
    assert data == {"facet": "author", "containing": "", "count": "articles", "total": 40, "page": 99,
                    "per_page": 10, "pages": 4, "values": []}


def test_count_stories_counts_each_story_once(bylines: SearchBackend) -> None:
    search = Search(count="stories", group="story")
    values = every_page(bylines, search, "author", per_page=9)
    assert values == list(bylines.search(search, EVERY_VALUE).facets["author"])
    stories = Counter(name for name, _ in {(a.author[0], a.story) for a in ARTICLES})
    assert {v.value: v.count for v in values} == dict(stories)
    assert bylines.facet_page(FacetRequest(search, "author", "reporter 04")).to_dict()["values"] == [
        {"value": "Reporter 04", "count": 2, "selected": False}]  # 4 articles, 2 stories


def test_years_and_months_keep_their_date_order(bylines: SearchBackend) -> None:
    years = every_page(bylines, Search(), "year", per_page=2)
    assert [v.value for v in years] == ["2019", "2020", "2021"]
    months = every_page(bylines, Search(), "month", "2020")
    assert [v.value for v in months] == sorted(v.value for v in months) and len(months) == 4


@pytest.mark.parametrize(("wanted", "says"), [
    (FacetRequest(Search(), "byline"), "unknown facet 'byline': the facets are topic, author"),
    (FacetRequest(Search(), "author", page=0), "page must be between 1 and 1,000,000"),
    (FacetRequest(Search(), "author", page=MAX_FACET_PAGE + 1), "page must be between"),
    (FacetRequest(Search(), "author", per_page=0), f"per_page must be between 1 and {MAX_FACET_PER_PAGE}"),
    (FacetRequest(Search(), "author", per_page=MAX_FACET_PER_PAGE + 1), "per_page must be between"),
    (FacetRequest(Search(), "author", "x" * (MAX_CONTAINING_LENGTH + 1)), "containing is too long"),
    (FacetRequest(Search(count="story"), "author"), "unknown count"),
    (FacetRequest(Search(query="date:junk"), "author"), "is not a date"),
])
def test_a_bad_request_says_what_to_change(bylines: SearchBackend, wanted: FacetRequest, says: str) -> None:
    with pytest.raises(QueryError, match=says):
        bylines.facet_page(wanted)

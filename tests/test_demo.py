"""The bundled demo collection (demo/): it indexes cleanly, has variety, and its story threads hang together."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.backend import SearchBackend, open_backend
from indexer.build import IndexOptions, IndexReport, index_paths
from indexer.request import Paging, Search
from indexer.results import SearchPage

DEMO = Path(__file__).resolve().parents[1] / "demo"
# The plain-text articles name no source; this is the one demo/README.md tells users to pass.
TEXT_SOURCE = "Valley Courier (fictional sample)"

# Each thread: a query that finds exactly its articles, and their headlines.
THREADS = {
    "flood": ("wend", {
        "River Wend bursts its banks in Brackenford as 140 homes are flooded",
        "Brackenford flood clean-up begins as the River Wend falls",
        "Brackenford flood victims still waiting on insurance payouts",
        "Council backs £14m flood wall for Brackenford",
        "Work starts on Brackenford flood wall along Millrace Lane",
        "Unfinished Brackenford flood wall passes its first test as the Wend rises",
        "Brackenford flood wall opens, and the action group calls it a day",
        "Flood wall holds as the Wend rises to its highest level since 2019",
    }),
    "ferry": ("ferry", {
        "Tidewater Lines to end Saltmarsh Quay ferry after 61 years",
        "Saltmarsh Quay islanders launch petition to save their ferry",
        "Last sailing: the Marigold leaves Kestrel Bay for the final time",
        "Islanders form co-operative to buy the Marigold ferry",
        "Ferry co-operative hits £1.2m target as county adds a grant",
        "Marigold returns as the Saltmarsh Quay ferry sails again",
        "Revived Saltmarsh Quay ferry carries its 100,000th passenger",
        "Ferry co-operative votes to buy a second boat for winter sailings",
    }),
    "budget": ("marrowby library", {
        "Marrowby council plans to close two libraries to fill £3.1m budget gap",
        "Hundreds march against Marrowby library closures",
        "Marrowby budget vote deadlocked as Müller amendment splits council",
        "Marrowby agrees compromise budget: libraries saved, council tax up 4.9%",
        "A year after the budget fight, Marrowby’s libraries are busier than ever",
        "Marrowby passes 2022 budget in 40 minutes after last year’s stand-off",
        "Library hours extended in Marrowby after budget deal",
    }),
    "hospital": ("ashgrove", {
        "Dunhollow General unveils plans for £48m Ashgrove Wing",
        "Ashgrove Wing approved despite parking fears at Dunhollow General",
        "Pandemic pushes back Dunhollow hospital expansion by a year",
        "Cranes rise over Dunhollow General as Ashgrove Wing work begins",
        "Ashgrove Wing opens to its first patients at Dunhollow General",
        "Dunhollow hospital struggles to staff its new Ashgrove Wing",
    }),
    "rovers": ("rovers", {
        "Brackenford Rovers begin the season with a new manager and old ambitions",
        "Rovers go top of the league after 3-1 win at Lowmoor Athletic",
        "Boxing Day sell-out as Rovers beat Penmoor Town in top-of-the-table clash",
        "Luka Novák breaks Brackenford Rovers’ goalscoring record",
        "Promoted! Brackenford Rovers clinch the title at Wendside Park",
        "Thousands line Brackenford streets for Rovers’ promotion parade",
        "Rovers open the season with a home draw",
    }),
    "merger": ("halloway", {
        "Halloway Ceramics agrees merger with Penmoor Pottery",
        "Thornleigh kiln workers fear for their jobs after pottery merger",
        "Regulator clears Halloway–Penmoor pottery merger",
        "Halloway Penmoor to close Penmoor works and move 140 jobs to Thornleigh",
        "Halloway Penmoor wins U.S. hotel order and rehires 30 workers",
        "Two years after the merger, Halloway Penmoor reports record exports",
    }),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IndexReport, SearchBackend]]:
    """The demo folder indexed once, as a user would: one run over the whole folder."""
    target = tmp_path_factory.mktemp("demo") / "ix"
    report = index_paths([DEMO], open_backend(folder=target), IndexOptions(procs=1, source=TEXT_SOURCE))
    service = open_backend(folder=target)
    yield report, service
    service.close()


@pytest.fixture(scope="module")
def everything(built: tuple[IndexReport, SearchBackend]) -> SearchPage:
    """The empty query: every article, with facets over the whole collection."""
    return built[1].search(Search(), Paging(per_page=1))


def facet_values(page: SearchPage, name: str) -> list[str]:
    return [facet.value for facet in page.facets[name]]


def thread_ids(service: SearchBackend, query: str) -> dict[str, str]:
    """Map id -> headline for every article a thread's query finds."""
    page = service.search(Search(query=query), Paging(per_page=100))
    return {hit.id: hit.headline for hit in page.hits}


def test_every_article_is_read_cleanly(built: tuple[IndexReport, SearchBackend]) -> None:
    report = built[0]
    # demo/README.md is documentation: the folder walk passes over it without a report.
    assert report.skipped == [] and report.notices == []
    assert report.added >= 72


def test_collection_has_variety(everything: SearchPage) -> None:
    assert everything.total >= 72
    assert len(facet_values(everything, "topic")) >= 6
    assert len(facet_values(everything, "source")) >= 4
    assert len(facet_values(everything, "author")) >= 10
    assert len(facet_values(everything, "year")) >= 4


def test_every_source_is_marked_fictional(everything: SearchPage) -> None:
    sources = everything.facets["source"]
    assert sum(facet.count for facet in sources) == everything.total  # every article has a source
    assert all("fictional" in facet.value for facet in sources)


def test_languages_are_stated_or_detected(everything: SearchPage) -> None:
    # Three partner articles state their language, three are detected; no English article is taken for another.
    assert {v.value: v.count for v in everything.facets["language"]} == {"en": 80, "fr": 2, "de": 2, "es": 2}


@pytest.mark.parametrize(("query", "language", "ids", "marked"), [
    ("élection", "fr", {"cso-2023-03-20-municipales", "cso-2024-06-08-jumelage"}, ("élections", "l’élection")),
    ("municipal", "fr", {"cso-2023-03-20-municipales", "cso-2024-06-08-jumelage"}, ("municipale",)),
    ("Haus", "de", {"llb-2023-09-14-neubau", "llb-2024-05-27-gemeinderatswahl"}, ("Hauses", "Haus")),
    ("elección", "es", {"evr-2023-05-29-municipales", "evr-2024-10-12-biblioteca"}, ("elecciones", "elección")),
])
def test_a_query_is_stemmed_in_the_language_filtered_by(built: tuple[IndexReport, SearchBackend], query: str,
                                                        language: str, ids: set[str], marked: tuple[str, ...]) -> None:
    page = built[1].search(Search(query=query, language=(language,)))
    assert {hit.id for hit in page.hits} == ids and {hit.language for hit in page.hits} == {language}
    snippets = " ".join(hit.snippet for hit in page.hits)
    assert all(f"<mark>{word}</mark>" in snippets for word in marked)


def test_a_french_word_searched_in_english_stays_english(built: tuple[IndexReport, SearchBackend]) -> None:
    page = built[1].search(Search(query="élection", language=("en",)), Paging(per_page=100))
    assert page.total >= 2 and {hit.language for hit in page.hits} == {"en"}
    assert any("<mark>elections</mark>" in hit.snippet for hit in page.hits)


def test_web_pages_and_feeds_give_their_fields(built: tuple[IndexReport, SearchBackend]) -> None:
    service = built[1]
    page = service.search(Search(query='"flood wall holds"')).hits[0]
    assert (page.author, page.topic, page.source) == (
        ("Priya Natarajan", "Tom Ashby"), ("Environment",), "Lowmoor Echo (fictional sample)")
    assert page.date is not None and page.date.isoformat() == "2024-09-02T07:15:00"
    assert service.search(Search(query="advertisement OR riverwatcher OR subscribe")).total == 0
    radio = service.search(Search(source=("Brackenford Community Radio (fictional sample)",)), Paging(per_page=5))
    assert radio.total == 3 and {hit.id for hit in radio.hits} >= {"bcr-2024-1119-ferry"}


def test_plain_text_articles_get_the_source_given(built: tuple[IndexReport, SearchBackend]) -> None:
    page = built[1].search(Search(source=(TEXT_SOURCE,)), Paging(per_page=1))
    assert page.total == len(list((DEMO / "text").glob("*.txt")))


@pytest.mark.parametrize("thread", sorted(THREADS))
def test_thread_search_finds_its_articles(built: tuple[IndexReport, SearchBackend], thread: str) -> None:
    query, headlines = THREADS[thread]
    assert set(thread_ids(built[1], query).values()) == headlines


@pytest.mark.parametrize("thread", sorted(THREADS))
def test_related_coverage_stays_in_the_thread(built: tuple[IndexReport, SearchBackend], thread: str) -> None:
    service = built[1]
    ids = thread_ids(service, THREADS[thread][0])
    for article_id, headline in ids.items():
        related = service.related(article_id)
        assert related and related[0].id in ids and related[0].id != article_id, headline


def test_accents_and_acronyms_are_searchable(built: tuple[IndexReport, SearchBackend]) -> None:
    service = built[1]
    assert service.search(Search(query="muller")).total >= 4
    assert service.search(Search(query='author:"zoe marchetti"')).total >= 4
    assert service.search(Search(query="E.U.")).total >= 2


def test_people_organisations_and_places_are_stated_or_found(built: tuple[IndexReport, SearchBackend],
                                                             everything: SearchPage) -> None:
    _, service = built
    people = {v.value: v.count for v in everything.facets["person"]}
    # Stated by one wire record, found in the text of the ferry thread's other articles.
    assert people["Agnès Pellerin"] >= 5 and people["Piet Müller"] >= 3
    stated = service.article("kbw-20230814-ferry-100000th-passenger")  # a JSON array's "people" field
    assert stated.people == ("Agnès Pellerin", "Ewan Crabbe", "Finn Gallacher")
    page = service.article("https://lowmoor-echo.example/news/2024/09/flood-wall-holds")  # JSON-LD mentions
    assert "Margaret Oyelaran" in page.people and page.places[:1] == ("River Wend",)
    places = {v.value for v in everything.facets["place"]}
    assert {"Brackenford", "Marrowby", "Kestrel Bay", "Saltmarsh Quay"} <= places
    found = {hit.id for hit in service.search(Search(query="person:pellerin"), Paging(per_page=50)).hits}
    assert len(found) == people["Agnès Pellerin"]  # accents aside, by the surname alone

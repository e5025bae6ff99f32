"""People, organisations and places on every backend: stated or found names as facets (canonical, one value a
name), their selections, and the query fields person:, org:, place: (canonical names and their variants)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.backend import SearchBackend
from indexer.build import IndexOptions, index_paths
from indexer.facetpages import FacetRequest
from indexer.request import Paging, Search

# Written for these tests, in the fictional demo's valley. Names stated on some records (in their variants), found in
# the text of the others.
RECORDS = [
    {"id": "n1", "title": "Quell named harbour chief", "date": "2021-03-01",
     "body": "Mara Quell, the new chief of the Saltmarsh Harbour Board, said the ferry to Dunhollow would run all "
             "winter.", "people": ["M. Quell"], "organizations": "SHB", "places": ["Dunhollow Town"]},
    {"id": "n2", "title": "Winter ferry timetable", "date": "2021-03-02",
     "body": "The ferry will call at Dunhollow twice a day, the Harbour Board said. The timetable is ready, Quell "
             "told the council on Monday."},
    {"id": "n3", "title": "Mayor visits the quay", "date": "2021-03-03",
     "body": "The mayor of Ashgrove met the harbour chief on the quay.", "people": "Tom Rennet; Mara A. Quell",
     "locations": "Ashgrove"},
    {"id": "n4", "title": "Police quell a quayside brawl", "date": "2021-03-04",
     "body": "Officers moved in to quell a brawl outside the harbour board's offices; nobody was hurt."},
]
ALIASES = """# the valley's names
[person]
Mara Quell: M. Quell, Mara A. Quell
[org]
Saltmarsh Harbour Board: Harbour Board, SHB
[place]
Dunhollow: Dunhollow Town
"""


@pytest.fixture
def archive(tmp_path: Path, make_backend: Callable[[Path], SearchBackend],
            monkeypatch: pytest.MonkeyPatch) -> SearchBackend:
    aliases = tmp_path / "aliases.txt"
    aliases.write_text(ALIASES, encoding="utf-8")
    monkeypatch.setenv("NEWSARCHIVE_ALIASES", str(aliases))
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    index_paths([corpus], make_backend(tmp_path / "index"), IndexOptions(procs=1))
    return make_backend(tmp_path / "index")


def ids(backend: SearchBackend, query: str = "", **selections: tuple[str, ...]) -> set[str]:
    return {hit.id for hit in backend.search(Search(query=query, **selections), Paging(per_page=50)).hits}


def test_the_person_facet_lists_each_person_once_by_canonical_name(archive: SearchBackend) -> None:
    facets = archive.search(Search()).facets
    assert [(v.value, v.count) for v in facets["person"]] == [("Mara Quell", 3), ("Tom Rennet", 1)]
    assert [(v.value, v.count) for v in facets["org"]] == [("Saltmarsh Harbour Board", 2)]
    assert [(v.value, v.count) for v in facets["place"]] == [("Dunhollow", 2), ("Ashgrove", 1)]


def test_names_are_stated_canonical_or_found_in_the_text(archive: SearchBackend) -> None:
    stated, found, lowercase = archive.article("n1"), archive.article("n2"), archive.article("n4")
    assert (stated.people, stated.orgs, stated.places) == (("Mara Quell",), ("Saltmarsh Harbour Board",),
                                                           ("Dunhollow",))
    assert (found.people, found.orgs, found.places) == (("Mara Quell",), ("Saltmarsh Harbour Board",),
                                                        ("Dunhollow",))
    assert (lowercase.people, lowercase.orgs, lowercase.places) == ((), (), ())  # "quell", "harbour board"
    # A record stating people keeps its own: the text's other names are not added to them.
    assert archive.article("n3").people == ("Tom Rennet", "Mara Quell")


@pytest.mark.parametrize(("query", "expected"), [
    ("person:quell", {"n1", "n2", "n3"}),
    ('person:"m. quell"', {"n1", "n2", "n3"}),  # a variant, indexed with its canonical name
    ("people:rennet", {"n3"}),
    ("org:shb", {"n1", "n2"}),
    ('org:"harbour board"', {"n1", "n2"}),
    ("place:dunhollow", {"n1", "n2"}),
    ("location:ashgrove", {"n3"}),
    ("quell -person:quell", {"n4"}),
    ("person:quell place:ashgrove", {"n3"}),
])
def test_the_name_fields_search_canonical_names_and_their_variants(archive: SearchBackend, query: str,
                                                                   expected: set[str]) -> None:
    assert ids(archive, query) == expected


def test_a_facet_value_selects_its_articles_and_hits_carry_names(archive: SearchBackend) -> None:
    page = archive.search(Search(person=("Mara Quell",), place=("Dunhollow",)), Paging(per_page=10))
    assert {hit.id for hit in page.hits} == {"n1", "n2"}
    hit = next(h for h in page.hits if h.id == "n2")
    assert (hit.people, hit.orgs, hit.places) == (("Mara Quell",), ("Saltmarsh Harbour Board",), ("Dunhollow",))
    assert hit.to_dict()["people"] == ["Mara Quell"]
    # Each facet is counted without its own selection, as every facet is.
    assert {v.value: v.count for v in page.facets["place"]} == {"Dunhollow": 2, "Ashgrove": 1}
    assert ids(archive, person=("Mara Quell", "Tom Rennet")) == {"n1", "n2", "n3"}
    assert ids(archive, org=("Nobody At All",)) == set()


def test_facet_pages_stats_and_exports_have_names(archive: SearchBackend) -> None:
    found = archive.facet_page(FacetRequest(Search(), "person", containing="QUEL"))
    assert [(v.value, v.count) for v in found.values] == [("Mara Quell", 3)]
    assert [(v.value, v.count) for v in archive.stats().top["org"]] == [("Saltmarsh Harbour Board", 2)]
    exported = {article.id: article.places for article in archive.iter_matches(Search(sort="oldest"), 10)}
    assert exported == {"n1": ("Dunhollow",), "n2": ("Dunhollow",), "n3": ("Ashgrove",), "n4": ()}


def test_a_later_run_finds_names_stated_in_an_earlier_one(archive: SearchBackend, tmp_path: Path,
                                                           make_backend: Callable[[Path], SearchBackend]) -> None:
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"id": "n5", "title": "Rennet opens the ferry season", "body": "Tom Rennet "
                                 "cut the ribbon at Ashgrove quay."}) + "\n", encoding="utf-8")
    index_paths([later], make_backend(tmp_path / "index"), IndexOptions(procs=1))
    backend = make_backend(tmp_path / "index")
    article = backend.article("n5")
    assert (article.people, article.places) == (("Tom Rennet",), ("Ashgrove",))
    assert ids(backend, "person:rennet") == {"n3", "n5"}

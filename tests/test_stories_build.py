"""Indexing runs give articles their stories: a lightly edited copy joins its source's story, stories survive
re-runs, deletes and rebuilds with the same ids, and `solr import`-style copies keep them (indexer/build.py)."""

from __future__ import annotations

from pathlib import Path

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.maintenance import delete_articles
from indexer.request import Search

from .conftest import write_jsonl

WIRE = (
    "The harbour board of Port Ellery voted on Tuesday to approve a new ferry terminal on the north quay, ending "
    "two years of argument over the cost of the project and the route of the access road.\n\n"
    "Board chair Miriam Castell said the terminal would open in the spring of next year and would double the "
    "number of crossings to the islands during the summer season.\n\n"
    "Opponents of the plan, led by the quay traders' association, said they would ask the regional court to "
    "review the decision, arguing that the board had not consulted residents on the new road."
)
SOURCE = {"id": "wire-1", "title": "Harbour board approves ferry terminal", "body": WIRE,
          "date": "2021-03-02T08:00:00", "source": "Wire"}
COPY = {"id": "courier-7", "title": "Ferry terminal gets the go-ahead",  # reworded, trimmed, another outlet
        "body": "PORT ELLERY (Valley Courier) - " + WIRE.rsplit("\n\n", 1)[0],
        "date": "2021-03-03T06:00:00", "source": "Valley Courier"}
OTHER = {"id": "wire-2", "title": "Council budget passes",
         "body": "The county council passed its budget for next year on Wednesday after a long debate about the "
                 "cost of road repairs, school buses and the new library, with eleven votes to four against.",
         "date": "2021-03-02T09:00:00", "source": "Wire"}


def test_an_edited_copy_joins_its_source_and_ids_stay(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    report = index_paths([write_jsonl(tmp_path / "a.jsonl", [SOURCE, OTHER, COPY])], open_backend("whoosh", folder),
                         IndexOptions(procs=1))
    assert report.added == 3 and report.story_seconds > 0
    backend = open_backend("whoosh", folder)
    story = backend.article("wire-1").story
    assert story and backend.article("courier-7").story == story
    assert backend.article("wire-2").story not in ("", story)
    page = backend.search(Search(query="ferry terminal", group="story"))
    assert page.total == 2 and page.stories == 1
    assert page.hits[0].id == "wire-1" and [c.id for c in page.hits[0].copies or ()] == ["courier-7"]
    assert page.hits[0].story is not None and page.hits[0].story.outlets == 2
    backend.close()

    # A re-run changes nothing; deleting the source leaves the copy its story; a rebuild gives the same ids.
    assert index_paths([tmp_path / "a.jsonl"], open_backend("whoosh", folder), IndexOptions(procs=1)).unchanged == 3
    delete_articles(open_backend("whoosh", folder), ["wire-1"])
    assert open_backend("whoosh", folder).article("courier-7").story == story
    rebuilt = tmp_path / "rebuilt"
    index_paths([tmp_path / "a.jsonl"], open_backend("whoosh", rebuilt), IndexOptions(procs=1, rebuild=True))
    assert open_backend("whoosh", rebuilt).article("courier-7").story == story


def test_a_copy_indexed_later_joins_the_story(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    index_paths([write_jsonl(tmp_path / "first.jsonl", [SOURCE, OTHER])], open_backend("whoosh", folder),
                IndexOptions(procs=1))
    story = open_backend("whoosh", folder).article("wire-1").story
    index_paths([write_jsonl(tmp_path / "later.jsonl", [COPY])], open_backend("whoosh", folder),
                IndexOptions(procs=1))
    backend = open_backend("whoosh", folder)
    assert backend.article("courier-7").story == story
    assert backend.article("wire-1").story == story  # an earlier article never changes story

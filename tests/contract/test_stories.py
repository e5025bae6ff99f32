"""Stories on every backend: one result per story, its copies, stories counted in facets and the timeline.

The articles are written with their story ids given (as an indexing run gives them: indexer/stories.py), so what
is tested here is the engine's part: grouping, ranking, counting and filtering by story.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from indexer.backend import Batch, SearchBackend
from indexer.errors import QueryError
from indexer.records import Article
from indexer.request import Paging, Search


def story_article(article_id: str, story: str, day: int | None, source: str, headline: str, body: str,
                  topic: tuple[str, ...] = ("economy",)) -> Article:
    when = datetime(2020, 1, day, 9, 0) if day else None
    return Article(article_id, headline, body, date=when, source=source, topic=topic, story=story)


FED = "sfed00000001"
STORM = "sstorm000001"
ARTICLES = [
    story_article("f1", FED, 10, "Wire", "Fed raises rates", "The Federal Reserve raised interest rates today."),
    story_article("f2", FED, 11, "Daily Planet", "Fed lifts rates again",
                  "The Federal Reserve raised interest rates today. Rates rates rates, said the planet."),
    story_article("f3", FED, 12, "Gazette", "Rates up", "The Federal Reserve raised interest rates. Markets fell."),
    story_article("t1", STORM, 20, "Wire", "Storm batters coast", "A storm hit the coast.", ("weather",)),
    story_article("t2", STORM, None, "Wire", "Storm batters coast (update)", "A storm hit the coast. Roads closed.",
                  ("weather",)),
    story_article("u1", "sone00000001", 25, "Gazette", "Council meets", "The council met on rates."),
    story_article("u2", "", 26, "Wire", "Harbour opens", "The harbour opened."),  # indexed before stories
]


@pytest.fixture
def stories(tmp_path: Path, make_backend: Callable[[Path], SearchBackend]) -> SearchBackend:
    backend = make_backend(tmp_path / "index")
    backend.prepare()
    backend.commit(Batch(articles={a.id: (a, False) for a in ARTICLES}))
    return make_backend(tmp_path / "index")


def test_every_article_says_its_story_and_how_many_outlets_ran_it(stories: SearchBackend) -> None:
    page = stories.search(Search(), Paging(per_page=10))
    assert page.total == 7 and page.stories == 4 and not page.grouped
    by_id = {hit.id: hit for hit in page.hits}
    assert by_id["f2"].story is not None and by_id["f2"].copies is None
    assert (by_id["f2"].story.id, by_id["f2"].story.size, by_id["f2"].story.outlets) == (FED, 3, 3)
    assert by_id["t1"].story is not None and (by_id["t1"].story.size, by_id["t1"].story.outlets) == (2, 1)
    assert by_id["u2"].story is None  # no story id: a story of its own, said as none
    assert stories.article("f3").story == FED
    data = page.to_dict()
    assert data["stories"] == 4 and data["group"] == "none"
    assert next(h for h in data["hits"] if h["id"] == "f1")["story"] == {"id": FED, "size": 3, "outlets": 3}


def test_grouped_a_story_is_its_earliest_matching_version_with_the_others_as_copies(stories: SearchBackend) -> None:
    page = stories.search(Search(query="federal reserve", group="story"))
    assert page.total == 3 and page.stories == 1 and page.grouped
    (hit,) = page.hits
    assert hit.id == "f1"  # the earliest version, though f2 scores best
    assert [c.id for c in hit.copies or ()] == ["f2", "f3"]
    assert [c.source for c in hit.copies or ()] == ["Daily Planet", "Gazette"]
    assert hit.score == max(h.score or 0 for h in stories.search(Search(query="federal reserve")).hits)
    # Only f3 says "markets": it shows the story, its copies the others.
    only = stories.search(Search(query="markets", group="story")).hits
    assert [h.id for h in only] == ["f3"] and [c.id for c in only[0].copies or ()] == ["f1", "f2"]
    assert only[0].story is not None and only[0].story.size == 3


def test_grouped_paging_counts_stories(stories: SearchBackend) -> None:
    first = stories.search(Search(group="story", sort="oldest"), Paging(per_page=2))
    assert first.stories == 4 and first.pages == 2
    assert [h.id for h in first.hits] == ["f1", "t1"]  # by each story's earliest (undated t2 is t1's copy)
    second = stories.search(Search(group="story", sort="oldest"), Paging(page=2, per_page=2))
    assert [h.id for h in second.hits] == ["u1", "u2"]
    newest = stories.search(Search(group="story", sort="newest"), Paging(per_page=5))
    assert [h.id for h in newest.hits] == ["u2", "u1", "t1", "f1"]
    assert newest.hits[1].copies == () and newest.hits[0].copies == ()


def test_facets_and_the_timeline_count_stories_when_asked(stories: SearchBackend) -> None:
    articles = stories.search(Search(query="rates"))
    assert {f.value: f.count for f in articles.facets["topic"]} == {"economy": 4}
    assert {f.value: f.count for f in articles.facets["source"]} == {"Wire": 1, "Daily Planet": 1, "Gazette": 2}
    counted = stories.search(Search(query="rates", count="stories"))
    assert counted.total == 4 and counted.stories == 2
    assert {f.value: f.count for f in counted.facets["topic"]} == {"economy": 2}
    assert {f.value: f.count for f in counted.facets["source"]} == {"Wire": 1, "Daily Planet": 1, "Gazette": 2}
    assert dict(counted.days) == {date(2020, 1, 10): 1, date(2020, 1, 25): 1}  # each story on its earliest day
    assert dict(articles.days) == {date(2020, 1, d): 1 for d in (10, 11, 12, 25)}


def test_a_story_filter_lists_every_copy(stories: SearchBackend) -> None:
    page = stories.search(Search(story=(FED,)))
    assert {h.id for h in page.hits} == {"f1", "f2", "f3"}
    assert stories.search(Search(story=(FED, STORM), group="story")).stories == 2
    assert stories.search(Search(story=("snosuchstory",))).total == 0


def test_grouped_exports_give_each_story_once_with_its_id(stories: SearchBackend) -> None:
    grouped = list(stories.iter_matches(Search(group="story", sort="oldest"), 100))
    assert [a.id for a in grouped] == ["f1", "t1", "u1", "u2"]
    assert [a.story for a in grouped] == [FED, STORM, "sone00000001", ""]
    every = list(stories.iter_matches(Search(sort="oldest"), 100))
    assert len(every) == 7 and {a.story for a in every if a.id.startswith("f")} == {FED}


def test_deleting_a_copy_leaves_the_story(stories: SearchBackend) -> None:
    stories.commit(Batch(deletes=["f1"]))
    (hit,) = stories.search(Search(query="federal", group="story")).hits
    assert hit.id == "f2" and hit.story is not None and hit.story.size == 2 and hit.story.outlets == 2


def test_unknown_group_or_count_is_refused(stories: SearchBackend) -> None:
    with pytest.raises(QueryError, match="unknown group"):
        stories.search(Search(group="stories"))
    with pytest.raises(QueryError, match="unknown count"):
        stories.search(Search(count="story"))

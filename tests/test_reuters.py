"""The whole Reuters-21578 folder through the CLI: one index build, then counts and queries a user would run.

The collection is read from ../shared/data (research-only licence: never copied into the repo). The module is
skipped when it is absent; every test is marked slow (deselect with -m "not slow").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner, Result

from indexer.parsers import parse_path
from indexer.records import Article
from newsarchive.cli import main

from .conftest import REUTERS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not REUTERS.is_dir(), reason=f"Reuters-21578 not found at {REUTERS}"),
]

STORIES = 21_578
EARN, ACQ = 3_987, 2_448
SUMMARY = re.compile(
    r"^Indexed .+: (?P<added>[\d,]+) added, (?P<updated>[\d,]+) updated, (?P<unchanged>[\d,]+) unchanged, "
    r"(?P<deleted>[\d,]+) deleted; (?P<skipped>[\d,]+) skipped\. (?P<files_read>[\d,]+) files read, "
    r"(?P<files_unchanged>[\d,]+) unchanged, in [\d.]+ s\.$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Build:
    """The index of the whole folder and what the `index` command printed."""

    index: Path
    result: Result


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="newsarchive")


def counts(result: Result) -> dict[str, int]:
    match = SUMMARY.search(result.stdout)
    assert match, result.output
    return {k: int(v.replace(",", "")) for k, v in match.groupdict().items()}


def sgm_files() -> list[Path]:
    return sorted(REUTERS.rglob("*.sgm"))


def other_files() -> list[Path]:
    """The other-data files beside the stories: reported as skipped (hidden files, READMEs, licences are not read)."""
    return sorted(
        p for p in REUTERS.rglob("*")
        if p.is_file() and p.suffix != ".sgm" and not p.name.upper().startswith(("README", "LICENSE"))
        and not any(part.startswith(".") for part in p.relative_to(REUTERS).parts)
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    index = tmp_path_factory.mktemp("reuters") / "index"
    result = run("index", REUTERS, "--index", index)
    assert result.exit_code == 0, result.output
    return Build(index, result)


@pytest.fixture(scope="module")
def stories() -> list[Article]:
    """Every story, parsed directly (the expected answers are computed from these)."""
    return [item for path in sgm_files() for item in parse_path(path) if isinstance(item, Article)]


def search(build: Build, *args: object) -> dict[str, Any]:
    result = run("search", "--json", "--index", build.index, *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def facet(page: dict[str, Any], name: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in page["facets"][name]}


# --- the build ----------------------------------------------------------------------------------------------


def test_every_story_is_added_and_the_other_files_skipped(build: Build) -> None:
    assert counts(build.result) == {
        "added": STORIES, "updated": 0, "unchanged": 0, "deleted": 0, "skipped": len(other_files()),
        "files_read": len(sgm_files()) + len(other_files()), "files_unchanged": 0,
    }
    assert "21,578 added" in build.result.stdout


def test_skipped_files_are_listed_and_no_story_file_is_among_them(build: Build) -> None:
    stderr = build.result.stderr
    assert f"Skipped ({len(other_files())}):" in stderr
    listed = [line for line in stderr.splitlines() if line.startswith("  ")]
    assert len(listed) == len(other_files())
    for path in other_files():
        assert any(line.startswith(f"  {path}: ") for line in listed), path
    assert not [line for line in listed if ".sgm" in line]
    for readme in ("README.txt", "README.repo.md", "LICENSE.repo-mit.txt"):
        assert not any(line.startswith(f"  {REUTERS / readme}: ") for line in listed)  # documentation: passed over


def test_rerun_finds_everything_unchanged(build: Build) -> None:
    again = run("index", REUTERS, "--index", build.index)
    assert again.exit_code == 0, again.output
    assert "0 added" in again.stdout and "21,578 unchanged" in again.stdout
    assert counts(again) == {
        "added": 0, "updated": 0, "unchanged": STORIES, "deleted": 0, "skipped": len(other_files()),
        # the skipped files are read again so that their problems stay visible until fixed
        "files_read": len(other_files()), "files_unchanged": len(sgm_files()),
    }
    assert search(build)["total"] == STORIES


# --- stats --------------------------------------------------------------------------------------------------


def test_stats_json(build: Build) -> None:
    result = run("stats", "--json", "--index", build.index)
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["documents"] == STORIES
    assert stats["first_date"].startswith("1987-02-26T")
    assert stats["last_date"].startswith("1987-10-20T")
    assert stats["top_topic"][:2] == [{"value": "earn", "count": EARN}, {"value": "acq", "count": ACQ}]
    assert stats["top_source"] == [{"value": "Reuters", "count": STORIES}]
    assert {"value": "Cal Mankowski", "count": 18} in stats["top_author"]


def test_stats_plain(build: Build) -> None:
    result = run("stats", "--index", build.index)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("21,578 articles, 1987-02-26 to 1987-10-20, ")
    assert "top topic: earn (3,987), acq (2,448), " in result.stdout
    assert "top source: Reuters (21,578)" in result.stdout


# --- browsing and facets ------------------------------------------------------------------------------------


def test_empty_query_facets(build: Build, stories: list[Article]) -> None:
    page = search(build)
    assert page["total"] == STORIES
    topics = facet(page, "topic")
    assert topics["earn"] == EARN and topics["acq"] == ACQ
    months = facet(page, "month")
    assert months["1987-03"] == 11_544
    assert months == dict(Counter(f"{s.date:%Y-%m}" for s in stories if s.date))
    assert sum(months.values()) == STORIES
    assert facet(page, "year") == {"1987": STORIES}
    assert facet(page, "source") == {"Reuters": STORIES}


def test_browsing_is_newest_first_and_oldest_on_request(build: Build) -> None:
    assert search(build)["hits"][0]["date"].startswith("1987-10-20T")
    oldest = search(build, "--sort", "oldest")["hits"]
    assert oldest[0]["date"].startswith("1987-02-26T")
    assert [h["date"] for h in oldest] == sorted(h["date"] for h in oldest)


def test_two_topics_give_the_stories_having_either(build: Build, stories: list[Article]) -> None:
    expected = sum(1 for s in stories if {"earn", "acq"} & set(s.topic))
    assert EARN < expected < EARN + ACQ  # some stories have both
    page = search(build, "--topic", "earn", "--topic", "acq", "--per-page", 100)
    assert page["total"] == expected
    assert all({"earn", "acq"} & set(h["topic"]) for h in page["hits"])


def test_month_query_and_filters_agree_with_the_month_facet(build: Build, stories: list[Article]) -> None:
    april = facet(search(build), "month")["1987-04"]
    assert april == sum(1 for s in stories if s.date and (s.date.year, s.date.month) == (1987, 4))
    assert search(build, "date:1987-04")["total"] == april
    assert search(build, "--month", "1987-04")["total"] == april
    assert search(build, "--from", "1987-04", "--to", "1987-04")["total"] == april
    assert search(build, "--from", "1987-04-01", "--to", "1987-04-30")["total"] == april


# --- queries ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ('"trade deficit"', ("TRADE", "DEFICIT")),
        ("opec oil prices", ("OPEC", "OIL")),
        ("coffee quotas", ("COFFEE",)),
        ("bundesbank interest rates", ("BUNDESBANK", "INTEREST", "RATE")),
        ("takeover bid", ("TAKEOVER", "BID")),
    ],
)
def test_realistic_queries_rank_matching_headlines_first(build: Build, query: str, words: tuple[str, ...]) -> None:
    page = search(build, query)
    assert page["total"] > 10
    for hit in page["hits"][:3]:
        assert any(word in hit["headline"].upper() for word in words), hit["headline"]
        assert hit["source"] == "Reuters"
    assert "<mark>" in page["hits"][0]["snippet"]


def test_author_query_finds_only_that_reporter(build: Build, stories: list[Article]) -> None:
    expected = {s.id for s in stories if "Cal Mankowski" in s.author}
    page = search(build, "author:mankowski", "--per-page", 100, "--group", "none")  # every copy
    assert page["total"] == len(expected) == 18
    assert {h["id"] for h in page["hits"]} == expected
    grouped = search(build, "author:mankowski", "--per-page", 100)  # one a story, as the CLI shows by default
    assert len(grouped["hits"]) == grouped["stories"] <= page["total"]
    assert {h["id"] for h in grouped["hits"]} <= expected
    assert all("Cal Mankowski" in h["author"] for h in page["hits"])
    by_facet = search(build, "--author", "Cal Mankowski", "--per-page", 100, "--group", "none")
    facet_ids = {h["id"] for h in by_facet["hits"]}
    assert facet_ids == expected


def test_cocoa_in_the_cocoa_topic(build: Build, stories: list[Article]) -> None:
    page = search(build, "cocoa", "--topic", "cocoa", "--per-page", 100, "--group", "none")
    assert 0 < page["total"] <= sum(1 for s in stories if "cocoa" in s.topic)
    assert len(page["hits"]) == page["total"]
    for hit in page["hits"]:
        assert "cocoa" in hit["topic"]
        assert "<mark>" in hit["snippet"]
    assert facet(page, "topic")["cocoa"] == page["total"]


def test_a_brief_story_is_found_by_its_title(build: Build, stories: list[Article]) -> None:
    brief = next(s for s in stories if s.id == "reuters21578:31")
    assert brief.body == ""  # TYPE="BRIEF": a title only
    page = search(build, "estate curbs")
    hit = next(h for h in page["hits"] if h["id"] == brief.id)
    assert hit["headline"] == "U.S. TAX WRITERS SEEK ESTATE TAX CURBS, RAISING 6.7 BILLION DLRS THRU 1991"
    assert "<mark>ESTATE</mark>" in hit["snippet"] and "<mark>CURBS</mark>" in hit["snippet"]


def test_brief_stories_are_found_by_the_words_of_their_titles(build: Build, stories: list[Article]) -> None:
    briefs = [s for s in stories if not s.body]
    assert len(briefs) > 1000
    for story in briefs[:: len(briefs) // 4][:4]:
        words = re.findall(r"[A-Za-z]{4,}", story.headline)
        assert words, story.headline
        page = search(build, " ".join(words), "--per-page", 100)
        assert story.id in {h["id"] for h in page["hits"]}, (story.headline, words)


@pytest.mark.parametrize(
    ("url", "status", "expect"),
    [
        ("/", 200, "21,578 articles"),
        ("/?q=trade+deficit&topic=trade&topic=bop&year=1987", 200, "<mark>deficit</mark>"),
        ("/?month=1987-03&sort=newest&page=3", 200, 'aria-current="page"'),
        ("/?q=inflaton", 200, "Showing results for <strong>inflation</strong>; search instead for"),
        ("/?q=inflaton&as_typed=1", 200, "Did you mean"),
        ("/?q=date:junk", 400, "is not a date"),
        ("/articles/reuters21578:5508?q=trade", 200, "Related coverage"),
        ("/embed?q=cocoa", 200, "<mark>cocoa</mark>"),
        ("/api/search?q=cocoa&topic=cocoa", 200, '"total":'),
        ("/api/articles/reuters21578:5508", 200, "FRANCE REDUCES TRADE DEFICIT"),
        ("/api/articles/reuters21578:5508/related", 200, '"related":'),
        ("/api/stats", 200, '"documents":21578'),
        ("/api/openapi.json", 200, '"openapi":'),
        ("/export.csv?q=cocoa&topic=cocoa", 200, "id,headline,author,date,topic,source,people,orgs,places,url,body"),
        ("/export.jsonl?topic=cocoa", 200, '"topic": ["cocoa"'),
        ("/search.atom?q=cocoa", 200, "<entry>"),
        ("/opensearch.xml", 200, "{searchTerms}"),
        ("/api/articles/reuters21578:0", 404, '"not_found"'),
    ],
)
def test_every_route_answers_on_reuters(build: Build, url: str, status: int, expect: str) -> None:
    from webapp import create_app

    app = create_app({"INDEX": str(build.index), "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0})
    response = app.test_client().get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[:300]
    assert expect in body.replace(", ", ",").replace(": ", ":") or expect in body
    app.extensions["newsarchive"].close()


# --- every byline through the author facet (issue 15: every facet value reachable) ------------------------------


def facet_values_of(client: Any, query: str) -> list[dict[str, Any]]:
    """Return every value /api/facets/author lists for a query string, page after page until an empty one."""
    found: list[dict[str, Any]] = []
    for page in range(1, 100):
        answer = client.get(f"/api/facets/author?{query}&per_page=100&page={page}").get_json()
        if not answer["values"]:
            assert answer["total"] == len(found)
            return found
        found.extend(answer["values"])
    raise AssertionError("more pages than any archive's bylines fill")


def test_every_byline_is_found_by_the_author_facet_s_search(build: Build, stories: list[Article]) -> None:
    from webapp import create_app

    bylines = Counter(name for story in stories for name in set(story.author))
    assert len(bylines) > 200  # far more than the page's top 20
    app = create_app({"INDEX": str(build.index), "RATE_LIMIT": 0})
    client = app.test_client()
    every = facet_values_of(client, "containing=")
    assert {v["value"]: v["count"] for v in every} == dict(bylines)  # paging lists each once, counted
    missed = []
    for name in bylines:
        last = name.split()[-1]
        for containing in (last.lower(), name[1:-1].upper()):  # its last word as typed, or any part in capitals
            if name not in {v["value"] for v in facet_values_of(client, urlencode({"containing": containing}))}:
                missed.append((name, containing))
    assert not missed
    app.extensions["newsarchive"].close()


# --- people, organisations and places ----------------------------------------------------------------------


def every_hit(build: Build, *args: object) -> list[dict[str, Any]]:
    """Return every hit of a search (every copy), page after page."""
    hits: list[dict[str, Any]] = []
    for number in range(1, 100):
        page = search(build, *args, "--per-page", 100, "--page", number, "--group", "none")
        hits.extend(page["hits"])
        if len(hits) >= page["total"]:
            return hits
    raise AssertionError("more pages than expected")


def test_person_volcker_finds_the_stories_reuters_tags_volcker(build: Build, stories: list[Article]) -> None:
    tagged = {s.id for s in stories if "Volcker" in s.people}  # the parser's readable code
    assert len(tagged) > 20
    hits = every_hit(build, "person:volcker")
    found = {h["id"] for h in hits}
    assert tagged <= found
    assert all(h["people"].count("Paul Volcker") == 1 for h in hits)  # "volcker" merged by the alias file
    # The rest were named in their text, in stories that tag no one.
    by_id = {s.id: s for s in stories}
    for extra in found - tagged:
        assert by_id[extra].people == () and "Volcker" in f"{by_id[extra].headline} {by_id[extra].body}", extra
    page = search(build, "volcker")
    people = facet(page, "person")
    assert [name for name in people if "olcker" in name] == ["Paul Volcker"]  # one value, not "Volcker" too
    assert facet(search(build), "person")["Paul Volcker"] == len(found)
    by_facet = every_hit(build, "--person", "Paul Volcker")
    assert {h["id"] for h in by_facet} == found


def test_reuters_codes_are_merged_into_one_place(build: Build, stories: list[Article]) -> None:
    usa = {s.id for s in stories if "USA" in s.places}
    places = facet(search(build), "place")
    assert places["United States"] >= len(usa) > 10_000
    assert not {"USA", "Usa", "U.S."} & set(places)
    assert places["Soviet Union"] >= sum(1 for s in stories if "Ussr" in s.places)

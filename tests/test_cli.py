"""The `newsarchive` command through click's CliRunner: what a user sees (output, JSON, exit codes, counts)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from indexer import __version__
from indexer.runlock import run_lock
from indexer.settings import INDEX
from newsarchive.cli import main

from .conftest import CORPUS, SAMPLE, write_jsonl

PAGE_KEYS = {"query", "total", "stories", "group", "count", "page", "per_page", "hits", "facets", "suggestion",
             "also_searched", "timeline", "index", "search"}
# The CLI groups copies of a story as the search page does: each hit lists its story's other articles.
HIT_KEYS = {"id", "headline", "author", "date", "topic", "source", "url", "snippet", "score", "story", "copies",
            "language", "people", "orgs", "places"}
SUMMARY = re.compile(
    r"^Indexed (?P<index>.+): (?P<added>[\d,]+) added, (?P<updated>[\d,]+) updated, "
    r"(?P<unchanged>[\d,]+) unchanged, (?P<deleted>[\d,]+) deleted; (?P<skipped>[\d,]+) skipped\. "
    r"(?P<files_read>[\d,]+) files read, (?P<files_unchanged>[\d,]+) unchanged, in [\d.]+ s\.$",
    re.MULTILINE,
)

# An article in the plain-text layout of the sample (headline, blank, author, date, topic, blank, body).
FERRY_TEXT = """Harbour ferry returns after winter repairs

Sam Writer
March 3, 2021 - 9:15 am
Transport


The harbour ferry returned to service on Monday after three months of winter repairs.

Commuters said they were glad to leave the bus behind.
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run in tmp_path with no index configured, so a test never reads or writes ./index of the repo."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(INDEX.env, raising=False)
    yield


def run(*args: object, env: dict[str, str] | None = None) -> Result:
    """Invoke `newsarchive ARGS...`."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env, prog_name="newsarchive")


def ok(*args: object, env: dict[str, str] | None = None) -> Result:
    """Invoke and require exit status 0."""
    result = run(*args, env=env)
    assert result.exit_code == 0, result.output
    return result


def counts(result: Result) -> dict[str, int]:
    """The numbers of the `index` summary line (printed on stdout)."""
    match = SUMMARY.search(result.stdout)
    assert match, result.output
    return {k: int(v.replace(",", "")) for k, v in match.groupdict().items() if k != "index"}


def search_json(index: Path, *args: object) -> dict[str, Any]:
    """Run `search --json` and return the decoded page."""
    data: dict[str, Any] = json.loads(ok("search", "--json", "--index", index, *args).stdout)
    return data


def hit_ids(index: Path, *args: object) -> list[str]:
    return [hit["id"] for hit in search_json(index, "--per-page", 100, *args)["hits"]]


def assert_user_error(result: Result, *fragments: str) -> None:
    """Exit 1, one `Error: ...` line on stderr (after the progress label, for `index`), no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr


# --- index --------------------------------------------------------------------------------------------------


def test_index_prints_summary_and_second_run_finds_everything_unchanged(tmp_path: Path, corpus_file: Path) -> None:
    index = tmp_path / "ix"
    first = ok("index", corpus_file, "--index", index)
    assert counts(first) == {"added": 7, "updated": 0, "unchanged": 0, "deleted": 0, "skipped": 0,
                             "files_read": 1, "files_unchanged": 0}
    assert f"Indexed {index}: 7 added" in first.stdout
    second = ok("index", corpus_file, "--index", index)
    assert counts(second) == {"added": 0, "updated": 0, "unchanged": 7, "deleted": 0, "skipped": 0,
                              "files_read": 0, "files_unchanged": 1}
    assert search_json(index)["total"] == 7


def test_rebuild_adds_everything_again(tmp_path: Path, corpus_file: Path) -> None:
    index = tmp_path / "ix"
    ok("index", corpus_file, "--index", index)
    rebuilt = ok("index", corpus_file, "--index", index, "--rebuild")
    assert counts(rebuilt)["added"] == 7
    assert counts(rebuilt)["unchanged"] == 0
    assert search_json(index)["total"] == 7


def test_rerun_after_the_file_changed_counts_updates_and_deletions(tmp_path: Path, corpus_file: Path) -> None:
    index = tmp_path / "ix"
    ok("index", corpus_file, "--index", index)
    changed = [dict(r, body="The Federal Reserve raised rates; hurricane warnings too.") if r["id"] == "a1" else r
               for r in CORPUS if r["id"] != "a7"]
    write_jsonl(corpus_file, [*changed, {"id": "a8", "title": "New arrival", "body": "Fresh copy."}])
    result = ok("index", corpus_file, "--index", index)
    assert counts(result) == {"added": 1, "updated": 1, "unchanged": 5, "deleted": 1, "skipped": 0,
                              "files_read": 1, "files_unchanged": 0}
    assert hit_ids(index, "hurricane") == ["a1"]
    assert hit_ids(index, "wire") == []
    assert search_json(index)["total"] == 7


def test_format_option_forces_the_format(tmp_path: Path) -> None:
    # JSON Lines in a .txt file: by extension it is read as a plain-text article and skipped.
    odd = write_jsonl(tmp_path / "export.txt", CORPUS)
    guessed = ok("index", odd, "--index", tmp_path / "guessed")
    assert counts(guessed)["added"] == 0 and counts(guessed)["skipped"] == 1
    assert f"{odd}: not in the plain-text article layout" in guessed.stderr
    forced = ok("index", odd, "--index", tmp_path / "forced", "--format", "jsonl")
    assert counts(forced)["added"] == 7 and counts(forced)["skipped"] == 0
    assert hit_ids(tmp_path / "forced", "storm") == ["a2", "a7"]


def test_unknown_format_is_a_usage_error(tmp_path: Path, corpus_file: Path) -> None:
    result = run("index", corpus_file, "--index", tmp_path / "ix", "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_source_option_names_the_source_of_plain_text_articles(tmp_path: Path) -> None:
    story = tmp_path / "ferry.txt"
    story.write_text(FERRY_TEXT, encoding="utf-8")
    ok("index", story, "--index", tmp_path / "ix", "--source", "Harbour Times")
    page = search_json(tmp_path / "ix", "ferry")
    assert page["total"] == 1
    hit = page["hits"][0]
    assert hit["source"] == "Harbour Times"
    assert hit["headline"] == "Harbour ferry returns after winter repairs"
    assert hit["author"] == ["Sam Writer"]
    assert hit["date"] == "2021-03-03T09:15:00"
    assert hit["topic"] == ["Transport"]
    assert page["facets"]["source"] == [{"value": "Harbour Times", "count": 1}]
    assert hit_ids(tmp_path / "ix", "--source", "Harbour Times") == [hit["id"]]


def test_without_source_option_plain_text_articles_have_no_source(tmp_path: Path) -> None:
    story = tmp_path / "ferry.txt"
    story.write_text(FERRY_TEXT, encoding="utf-8")
    ok("index", story, "--index", tmp_path / "ix")
    page = search_json(tmp_path / "ix", "ferry")
    assert page["hits"][0]["source"] == ""
    assert page["facets"]["source"] == []


def test_source_option_does_not_override_a_source_the_record_names(tmp_path: Path, corpus_file: Path) -> None:
    nameless = write_jsonl(tmp_path / "nameless.jsonl", [{"id": "n1", "title": "Nameless", "body": "No source."}])
    ok("index", corpus_file, nameless, "--index", tmp_path / "ix", "--source", "Fallback")
    sources = {v["value"]: v["count"] for v in search_json(tmp_path / "ix")["facets"]["source"]}
    assert sources == {"Courier": 2, "Daily Planet": 2, "Gazette": 2, "Wire": 1, "Fallback": 1}


def test_bad_records_and_unknown_files_are_listed_and_the_rest_is_indexed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = inbox / "wire.jsonl"
    good.write_text(
        json.dumps({"id": "g1", "title": "Harbour opens", "body": "Ships arrive.", "date": "2020-05-01"}) + "\n"
        + '{"id": "g2", "title": broken\n'
        + json.dumps({"id": "g3", "title": "Harbour closes", "body": "Ships leave."}) + "\n",
        encoding="utf-8",
    )
    unknown = inbox / "scan.bin"
    unknown.write_bytes(b"\x00\x01\x02 not an article")
    result = run("index", inbox, "--index", tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert counts(result)["added"] == 2
    assert counts(result)["skipped"] == 2
    assert "Skipped (2):" in result.stderr
    assert f"{good}: line 2: invalid JSON" in result.stderr
    assert f"{unknown}: unrecognised format" in result.stderr
    # Problems go to stderr only: stdout is the summary line.
    assert "invalid JSON" not in result.stdout
    assert result.stdout.count("\n") == 1
    assert sorted(hit_ids(tmp_path / "ix", "harbour")) == ["g1", "g3"]


def test_a_file_with_a_bad_line_is_reread_and_reported_again(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "g1", "title": "Harbour opens"}\nnot json\n', encoding="utf-8")
    ok("index", feed, "--index", tmp_path / "ix")
    again = ok("index", feed, "--index", tmp_path / "ix")
    assert counts(again) == {"added": 0, "updated": 0, "unchanged": 1, "deleted": 0, "skipped": 1,
                             "files_read": 1, "files_unchanged": 0}
    assert f"{feed}: line 2: invalid JSON" in again.stderr


def test_index_env_var_is_used_when_index_option_is_absent(tmp_path: Path, corpus_file: Path) -> None:
    env = {INDEX.env: str(tmp_path / "from-env")}
    result = ok("index", corpus_file, env=env)
    assert f"Indexed {tmp_path / 'from-env'}: 7 added" in result.stdout
    page = json.loads(ok("search", "--json", "storm", env=env).stdout)
    assert page["total"] == 2
    assert '"documents": 7' in ok("stats", "--json", env=env).stdout
    assert not (tmp_path / "index").exists()


def test_index_option_wins_over_the_env_var(tmp_path: Path, corpus_file: Path) -> None:
    env = {INDEX.env: str(tmp_path / "from-env")}
    ok("index", corpus_file, "--index", tmp_path / "explicit", env=env)
    assert not (tmp_path / "from-env").exists()
    assert json.loads(ok("stats", "--json", "--index", tmp_path / "explicit", env=env).stdout)["documents"] == 7


def test_second_indexing_run_while_the_run_lock_is_held(tmp_path: Path, corpus_file: Path, index_dir: Path) -> None:
    with run_lock(index_dir):
        result = run("index", corpus_file, "--index", index_dir)
        deleting = run("delete", "a1", "--index", index_dir)
        # Readers are not blocked by a writer.
        assert search_json(index_dir, "storm")["total"] == 2
    assert_user_error(result, "being written by another newsarchive process", str(index_dir))
    assert_user_error(deleting, "being written by another newsarchive process")
    assert counts(ok("index", corpus_file, "--index", index_dir))["unchanged"] == 7


# --- search -------------------------------------------------------------------------------------------------


def test_search_json_shape(index_dir: Path) -> None:
    result = ok("search", "--json", "--index", index_dir, "storm")
    page = json.loads(result.stdout)  # one JSON object and nothing else
    assert set(page) == PAGE_KEYS
    # The CLI groups copies of a story, as the page does: the canonical search says so.
    assert page["query"] == "storm" and page["search"] == "group=story&q=storm"
    assert page["index"]["articles"] == 7 and page["index"]["backend"] == "whoosh" and page["index"]["digest"]
    assert (page["total"], page["page"], page["per_page"]) == (2, 1, 10)
    assert page["suggestion"] is None
    assert [h["id"] for h in page["hits"]] == ["a2", "a7"]
    for hit in page["hits"]:
        assert set(hit) == HIT_KEYS
        assert isinstance(hit["score"], float)
    first = page["hits"][0]
    assert first["headline"] == "Storm batters coast"
    assert first["author"] == ["John Roe", "Jane Doe"]
    assert first["topic"] == ["weather"]
    assert first["source"] == "Gazette"
    assert first["url"] == ""
    assert "<mark>storm</mark>" in first["snippet"]
    assert first["date"] == "2020-01-20T00:00:00"
    assert page["hits"][1]["date"] is None  # the undated story
    assert set(page["facets"]) == {"topic", "author", "source", "year", "month", "language", "person", "org", "place"}
    assert page["facets"]["source"] == [{"value": "Gazette", "count": 1}, {"value": "Wire", "count": 1}]


def test_search_json_dates_are_iso_8601(index_dir: Path) -> None:
    page = search_json(index_dir)
    dated = [h["date"] for h in page["hits"] if h["date"] is not None]
    assert len(dated) == 6
    for value in dated:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", value)
        assert datetime.fromisoformat(value).isoformat() == value
    assert dated[0] == "2021-06-30T00:00:00"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--topic", "economy"], {"a1", "a4", "a5"}),
        (["--topic", "economy", "--topic", "weather"], {"a1", "a2", "a4", "a5"}),
        (["--author", "Jane Doe"], {"a1", "a2", "a5"}),
        (["--author", "Ann Lee", "--author", "Mallory"], {"a3", "a4"}),
        (["--source", "Courier"], {"a5", "a6"}),
        (["--topic", "economy", "--source", "Courier"], {"a5"}),
        (["--year", "2020"], {"a1", "a2", "a6"}),
        (["--month", "2020-01"], {"a1", "a2"}),
        (["--month", "2020-01", "--month", "2019-11"], {"a1", "a2", "a3"}),
        (["--from", "2021"], {"a4", "a5"}),
        (["--from", "2020", "--to", "2020"], {"a1", "a2", "a6"}),
        (["--from", "2020-02"], {"a4", "a5", "a6"}),
        (["--to", "2019-11"], {"a3"}),
        (["--from", "2020-01-16", "--to", "2020-07-04"], {"a2", "a6"}),
        (["--from", "2020-01-20", "--to", "2020-01-20"], {"a2"}),
        (["rates", "--topic", "markets"], {"a5"}),
        (["inflation", "--year", "2021"], {"a4", "a5"}),
    ],
)
def test_search_filters(index_dir: Path, options: list[str], expected: set[str]) -> None:
    page = search_json(index_dir, "--per-page", 100, *options)
    assert {h["id"] for h in page["hits"]} == expected
    assert page["total"] == len(expected)


def test_search_near(index_dir: Path) -> None:
    assert hit_ids(index_dir, "rates NEAR/2 inflation") == ["a5"]
    assert set(hit_ids(index_dir, "inflation NEAR/3 rates")) == {"a1", "a5"}
    assert_user_error(run("search", "--index", index_dir, "rates NEAR/5000 inflation"), "between 1 and 1,000 words")


def test_search_sort(index_dir: Path) -> None:
    assert hit_ids(index_dir, "inflation", "--sort", "newest") == ["a5", "a4", "a1"]
    assert hit_ids(index_dir, "inflation", "--sort", "oldest") == ["a1", "a4", "a5"]
    assert hit_ids(index_dir, "--sort", "oldest")[:2] == ["a3", "a1"]
    result = run("search", "--index", index_dir, "--sort", "random")
    assert result.exit_code == 2
    assert "Invalid value for '--sort'" in result.stderr


def test_search_pages(index_dir: Path) -> None:
    pages = [search_json(index_dir, "--per-page", 3, "--page", n) for n in (1, 2, 3, 4)]
    assert [[h["id"] for h in p["hits"]] for p in pages] == [["a5", "a4", "a6"], ["a2", "a1", "a3"], ["a7"], []]
    assert all(p["total"] == 7 and p["per_page"] == 3 for p in pages)
    assert [p["page"] for p in pages] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--per-page", "0"], "per_page"),
        (["--per-page", "101"], "per_page"),
        (["--page", "0"], "page"),
        (["--from", "2021", "--to", "2020"], "the date range is empty"),
        (["the of"], "no searchable words"),
    ],
)
def test_search_bad_parameters_are_errors(index_dir: Path, options: list[str], message: str) -> None:
    assert_user_error(run("search", "--index", index_dir, *options), message)


def test_search_plain_text_output(index_dir: Path) -> None:
    result = ok("search", "--index", index_dir, "storm")
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"1-2 of 2 articles \(\d+ ms\)", lines[0])
    assert "1. Storm batters coast  [2020-01-20]  a2" in lines
    assert "   John Roe, Jane Doe; weather; Gazette" in lines
    assert "2. Undated wire story  [undated]  a7" in lines
    assert "topic: weather (1)" in lines
    assert "source: Gazette (1), Wire (1)" in lines
    assert "Did you mean" not in result.stdout
    assert "<mark>" not in result.stdout and "\x1b[" not in result.stdout


def test_search_plain_text_shows_page_range(index_dir: Path) -> None:
    result = ok("search", "--index", index_dir, "--per-page", 3, "--page", 2)
    assert re.match(r"4-6 of 7 articles \(\d+ ms\)\n", result.stdout)
    assert "\n4. Storm batters coast  [2020-01-20]  a2\n" in result.stdout


def test_search_plain_text_is_terminal_text_not_html(index_dir: Path) -> None:
    result = ok("search", "--index", index_dir, "payload")
    assert "1. <script>alert(1)</script> hostile headline  [2021-03-01]  a4" in result.stdout
    assert "Payload <img src=x onerror=alert(2)> inside" in result.stdout
    assert "&lt;" not in result.stdout


def test_search_plain_text_did_you_mean(index_dir: Path) -> None:
    result = ok("search", "--index", index_dir, "inflaton")
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"0 articles \(\d+ ms\)", lines[0])
    assert lines[1] == "Did you mean: inflation"
    assert search_json(index_dir, "inflaton")["suggestion"] == "inflation"


def test_empty_query_lists_everything_newest_first(index_dir: Path) -> None:
    result = ok("search", "--index", index_dir)
    assert re.match(r"1-7 of 7 articles", result.stdout)
    headlines = re.findall(r"^\d+\. (.+?)  \[", result.stdout, re.MULTILINE)
    assert headlines[0] == "Central bank holds rates steady"
    assert headlines[-1] == "Undated wire story"


# --- stats --------------------------------------------------------------------------------------------------


def test_stats_plain(index_dir: Path) -> None:
    lines = ok("stats", "--index", index_dir).stdout.splitlines()
    assert re.fullmatch(r"7 articles, 2019-11-05 to 2021-06-30, \d+ segment\(s\); index fingerprint [0-9a-f]{16}",
                        lines[0])
    assert lines[1].startswith("top topic: economy (3), ")
    assert lines[2].startswith("top author: Jane Doe (3), ")
    assert "José Álvarez (1)" in lines[2]
    assert lines[3].startswith("top source: ") and "Wire (1)" in lines[3]


def test_stats_json(index_dir: Path) -> None:
    stats = json.loads(ok("stats", "--json", "--index", index_dir).stdout)
    assert stats["documents"] == 7 and stats["index"]["articles"] == 7  # the shape of /api/stats, fingerprint too
    assert stats["first_date"] == "2019-11-05T00:00:00"
    assert stats["last_date"] == "2021-06-30T00:00:00"
    assert stats["top_topic"][0] == {"value": "economy", "count": 3}
    assert {v["value"]: v["count"] for v in stats["top_topic"]} == {
        "economy": 3, "markets": 1, "weather": 1, "politics": 1, "business": 1,
    }
    assert stats["top_author"][0] == {"value": "Jane Doe", "count": 3}
    assert {v["value"]: v["count"] for v in stats["top_source"]} == {
        "Daily Planet": 2, "Gazette": 2, "Courier": 2, "Wire": 1,
    }


def test_stats_of_an_emptied_index(index_dir: Path) -> None:
    ok("delete", *[r["id"] for r in CORPUS], "--index", index_dir)
    assert ok("stats", "--index", index_dir).stdout.startswith("0 articles, no dates")
    stats = json.loads(ok("stats", "--json", "--index", index_dir).stdout)
    assert (stats["documents"], stats["first_date"], stats["last_date"]) == (0, None, None)
    assert stats["top_topic"] == stats["top_author"] == stats["top_source"] == []


# --- delete -------------------------------------------------------------------------------------------------


def test_delete_removes_an_article(index_dir: Path) -> None:
    assert hit_ids(index_dir, "storm") == ["a2", "a7"]
    result = ok("delete", "a2", "--index", index_dir)
    assert result.stdout == "Deleted 1 article(s).\n"
    assert hit_ids(index_dir, "storm") == ["a7"]
    assert json.loads(ok("stats", "--json", "--index", index_dir).stdout)["documents"] == 6


def test_delete_unknown_id_is_an_error(index_dir: Path) -> None:
    result = run("delete", "nope", "--index", index_dir)
    assert_user_error(result, "not in the index", "nope")
    assert result.stderr == "Error: not in the index: nope\n"
    assert result.stdout == "Deleted 0 article(s).\n"
    assert search_json(index_dir)["total"] == 7


def test_delete_known_and_unknown_ids_deletes_the_known_ones(index_dir: Path) -> None:
    result = run("delete", "a1", "nope", "--index", index_dir)
    assert_user_error(result, "not in the index: nope")
    assert result.stdout == "Deleted 1 article(s).\n"
    assert "a1" not in hit_ids(index_dir, "rates")


# --- errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["search", "storm"], ["search", "--json"], ["stats"], ["delete", "a1"]])
def test_missing_index_is_an_error_not_a_traceback(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "missing"
    result = run(*command, "--index", missing)
    assert_user_error(result, "newsarchive index")
    assert result.output.startswith(f"Error: no index at {missing}")
    assert result.stdout == ""


def test_missing_default_index_names_it(tmp_path: Path) -> None:
    result = run("search", "storm")
    assert_user_error(result, "newsarchive index")
    assert result.stderr.startswith("Error: no index at index")


def test_failed_delete_leaves_no_folder_behind(tmp_path: Path) -> None:
    missing = tmp_path / "typo"
    assert_user_error(run("delete", "a1", "--index", missing), "no index at")
    assert not missing.exists()


@pytest.mark.parametrize("query", ["date:junk", "date:[foo TO bar]", "fingerprint:abc"])
def test_bad_query_is_an_error(index_dir: Path, query: str) -> None:
    result = run("search", "--json", "--index", index_dir, query)
    assert_user_error(result)
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--from", "2020-13"),
        ("--to", "2020-13"),
        ("--to", "2020-00"),
        *[(option, value) for option in ("--from", "--to") for value in ("2020-02-30", "20200", "last week")],
    ],
)
def test_bad_date_bound_is_a_usage_error(index_dir: Path, option: str, value: str) -> None:
    result = run("search", "--index", index_dir, option, value)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.stderr
    assert "YYYY" in result.stderr or "not a date" in result.stderr
    assert "Usage: newsarchive search" in result.stderr
    assert "Traceback" not in result.output


def test_index_without_paths_or_with_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert run("index", "--index", tmp_path / "ix").exit_code == 2
    result = run("index", tmp_path / "nope.jsonl", "--index", tmp_path / "ix")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


# --- help and version ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ([], ["index", "delete", "search", "stats", "--version", "--help"]),
        (["index"], ["--index", "--format", "--source", "--rebuild", "--batch-size", "--procs"]),
        (["delete"], ["--index"]),
        (["search"], ["--index", "--topic", "--author", "--source", "--year", "--month", "--from", "--to",
                      "--sort", "--page", "--per-page", "--json"]),
        (["stats"], ["--index", "--json"]),
    ],
)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(command: list[str], options: list[str], flag: str) -> None:
    result = ok(*command, flag)
    assert result.stdout.startswith(f"Usage: newsarchive {' '.join(command)}".rstrip())
    for option in options:
        assert option in result.stdout


def test_index_help_lists_the_formats() -> None:
    text = ok("index", "--help").stdout
    for fmt in ("csv", "json", "jsonl", "reuters", "text"):
        assert fmt in text
    assert INDEX.env in text


def test_version() -> None:
    result = ok("--version")
    assert result.stdout == f"newsarchive, version {__version__}\n"


# --- the real sample article --------------------------------------------------------------------------------


@pytest.fixture
def sample_index(tmp_path: Path) -> Path:
    if not SAMPLE.is_file():
        pytest.skip(f"sample article not found: {SAMPLE}")
    index = tmp_path / "sample-ix"
    result = ok("index", SAMPLE, "--index", index)
    assert counts(result)["added"] == 1 and counts(result)["skipped"] == 0
    return index


@pytest.mark.parametrize("query", ["U.S.", '"eye off ISIS"', "grynkewich", "headline:isis"])
def test_sample_article_is_found(sample_index: Path, query: str) -> None:
    page = search_json(sample_index, query)
    assert page["total"] == 1
    hit = page["hits"][0]
    assert hit["headline"] == "Did the U.S. take their eye off ISIS for too long?"
    assert hit["author"] == ["Elizabeth Howe"]
    assert hit["date"] == "2020-01-22T16:07:00"
    assert hit["topic"] == ["Operation Inherent Resolve"]
    assert hit["source"] == ""


@pytest.mark.parametrize(
    "query",
    [
        "newsletter",  # the trailing promotion is dropped
        '"Iraqi bases housing"',  # a related-story headline is not body text
    ],
)
def test_sample_article_web_litter_is_not_searchable(sample_index: Path, query: str) -> None:
    assert search_json(sample_index, query)["total"] == 0


def test_sample_snippet_marks_the_match(sample_index: Path) -> None:
    snippet = search_json(sample_index, "U.S.")["hits"][0]["snippet"]
    assert "<mark>U.S.</mark>" in snippet


def test_source_given_on_a_rerun_applies_to_unchanged_files(tmp_path: Path) -> None:
    story = tmp_path / "ferry.txt"
    story.write_text(FERRY_TEXT, encoding="utf-8")
    ok("index", story, "--index", tmp_path / "ix")
    ok("index", story, "--index", tmp_path / "ix", "--source", "Harbour Times")
    assert search_json(tmp_path / "ix", "ferry")["hits"][0]["source"] == "Harbour Times"


def test_facets_lists_every_value_a_page_at_a_time_and_searches_them(index_dir: Path) -> None:
    every = json.loads(ok("facets", "author", "--index", index_dir, "--json", "--per-page", "100").output)
    authors = Counter(a for r in CORPUS for a in ([r["author"]] if isinstance(r.get("author"), str) else
                                                  r.get("author") or []))
    assert {v["value"]: v["count"] for v in every["values"]} == dict(authors) and every["total"] == len(authors)
    assert set(every) >= {"facet", "containing", "count", "total", "page", "per_page", "pages", "values", "search",
                          "index"}
    first = ok("facets", "author", "--index", index_dir, "--per-page", "1").output.splitlines()
    top = every["values"][0]
    assert first[0] == f"author values 1-1 of {len(authors)} (page 1 of {len(authors)}), counting articles:"
    assert first[1].split(None, 1) == [str(top["count"]), top["value"]]
    name = top["value"]
    part = name[1:4].upper()  # within the name, in capitals: found all the same
    found = json.loads(ok("facets", "author", "--index", index_dir, "--json", "--containing", part).output)
    assert name in [v["value"] for v in found["values"]]
    assert all(part.lower() in v["value"].lower() for v in found["values"])
    past = ok("facets", "author", "--index", index_dir, "--page", "99").output
    assert past.startswith("No author values; page 99 is past the last")
    bad = CliRunner().invoke(main, ["facets", "colour", "--index", str(index_dir)])
    assert bad.exit_code == 2 and "'colour' is not one of" in bad.output

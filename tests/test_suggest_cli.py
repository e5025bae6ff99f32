"""`newsarchive suggest` through click's CliRunner: the words and headlines offered, as text and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.suggest import MAX_SUGGESTIONS, MIN_PREFIX

from .test_cli import assert_user_error, ok, run


def test_the_words_completed_with_their_counts_then_the_headlines(index_dir: Path) -> None:
    lines = ok("suggest", "Fed ra", "--index", index_dir).stdout.splitlines()
    assert [" ".join(line.split()) for line in lines] == [
        "Fed rates 2 articles", "Fed race 1 article", "Fed raised 1 article", "Fed raises 1 article", "",
        "Go to article:", "Fed raises interest rates again [2020-01-15, Daily Planet] a1"]


def test_json_is_the_api_s_shape(index_dir: Path) -> None:
    found = json.loads(ok("suggest", "CAFE", "--json", "--index", index_dir).stdout)
    assert found == {"prefix": "CAFE", "words": [{"text": "café", "word": "café", "articles": 1}],
                     "headlines": [{"id": "a6", "headline": "Café owners welcome tourists",
                                    "date": "2020-07-04T00:00:00", "source": "Courier"}]}
    limited = json.loads(ok("suggest", "in", "--limit", 1, "--json", "--index", index_dir).stdout)
    assert [w["word"] for w in limited["words"]] == ["inflation"]


def test_nothing_to_suggest_is_said(index_dir: Path) -> None:
    assert ok("suggest", "zzz", "--index", index_dir).stdout == "Nothing to suggest for 'zzz'.\n"


def test_a_prefix_or_limit_out_of_bounds_is_an_error(index_dir: Path, tmp_path: Path) -> None:
    result = run("suggest", "i", "--index", index_dir)
    assert_user_error(result, f"prefix must be {MIN_PREFIX} to")
    assert result.stdout == ""
    limited = run("suggest", "in", "--limit", MAX_SUGGESTIONS + 1, "--index", index_dir)
    assert limited.exit_code == 2 and "Invalid value for '--limit'" in limited.stderr
    assert_user_error(run("suggest", "in", "--index", tmp_path / "missing"), "no index at")

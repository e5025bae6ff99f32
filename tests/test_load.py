"""The load test's CI form (bench/load.py): 8 clients for 10 s against `newsarchive serve` (gunicorn, real HTTP) on
an index of generated articles, while `newsarchive index` adds a file halfway through: every answer is right, every
kind of request was made, memory is sampled, and the server answers with the new articles before the end."""

from __future__ import annotations

import pytest

from bench.load import MIX, LoadReport, markdown, run_load
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths

from .crashkit import READ_ERRORS, ConcurrentReadError, corpus_records, write_jsonl

ARTICLES = 1500
CLIENTS = 8
SECONDS = 10.0
ADDED = 25
WORD = "zorbifex"  # in the added file only
INDEX_AT = 0.3  # of the way through: the index run (about 1.5 s, more on a loaded machine) lands well before the end


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> LoadReport:
    """One load test of the CI form, with its index run."""
    folder = tmp_path_factory.mktemp("load")
    index_paths([write_jsonl(folder / "data.jsonl", corpus_records(ARTICLES))], open_backend(folder=folder / "ix"),
                                                                   IndexOptions(procs=1))
    added = write_jsonl(folder / "added.jsonl", [
        {"id": f"load-added-{n}", "headline": f"Zorbifex harbour report {n}", "date": f"2024-05-{n % 28 + 1:02d}",
         "body": f"The {WORD} harbour opened berth {n} today, officials said.", "source": "Load test"}
        for n in range(ADDED)
    ])
    return run_load(folder / "ix", clients=CLIENTS, seconds=SECONDS, index_during=added, probe_query=WORD,
                    index_at=INDEX_AT)


def test_every_answer_is_right(report: LoadReport) -> None:
    assert report.requests > 0
    if report.errors:
        read_errors = {e.split(":")[0].rsplit(".", 1)[-1] for e in report.server_exceptions}
        known = {error.__name__ for error in READ_ERRORS} | {"error"}  # zlib.error and struct.error print as "error"
        if report.server_exceptions and read_errors <= known and all("-> 500" in e for e in report.error_samples):
            raise ConcurrentReadError(markdown(report))
    assert report.errors == 0, markdown(report)


def test_every_kind_of_request_was_made(report: LoadReport) -> None:
    assert {kind for kind, figures in report.kinds.items() if figures["requests"]} == {*MIX, "all"}


def test_the_server_answers_with_the_articles_of_a_commit_made_during_the_test(report: LoadReport) -> None:
    indexing = report.indexing
    assert indexing is not None and indexing.returncode == 0, indexing
    assert f"{ADDED} added" in indexing.summary
    assert report.documents_after == report.documents_before + ADDED == ARTICLES + ADDED
    assert indexing.probe_total == ADDED  # a search for a word only in the added file finds all of it
    # Seen without a restart. When is logged by the report, not asserted: on a loaded machine the index run's own
    # start-up can push its commit past the end of a 10 s test, and the probe keeps asking after the end.
    assert indexing.visible_at is not None, "the server never answered with the new articles"


def test_server_memory_is_sampled_each_second(report: LoadReport) -> None:
    assert len(report.rss_samples) >= SECONDS / 2  # one a second, fewer when the sampler itself is starved
    assert 0 < report.rss_mb["start"] <= report.rss_mb["max"] < 2000

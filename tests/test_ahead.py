"""Languages and story measures made ahead, in a process of its own (indexer/ahead.py), are those made in the run's."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from indexer import ahead as ahead_module
from indexer import build as build_module
from indexer.ahead import AHEAD_CHUNK, Ahead
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.languages import detect_languages
from indexer.records import Article
from indexer.results import article_to_dict
from indexer.stories import STORIES_NAME, StoryStore, measure, story_text

from .conftest import REUTERS

DEMO = Path(__file__).resolve().parents[1] / "demo"


def _articles() -> list[Article]:
    """The demo's articles in four languages (half of them stating theirs), and Reuters' first when present."""
    records = [json.loads(line) for path in sorted(DEMO.glob("*.jsonl"))
               for line in path.read_text(encoding="utf-8").splitlines()]
    articles = [Article(id=f"d{i}", headline=str(r.get("title", "")), body=str(r.get("body", "")),
                        language="fr" if i % 2 else "") for i, r in enumerate(records)]
    if (REUTERS / "sgm-data").exists():
        from indexer.parsers import parse_path

        found = parse_path(sorted((REUTERS / "sgm-data").glob("*.sgm"))[0])
        articles += [item for item in found if isinstance(item, Article)]
    while len(articles) < 2 * AHEAD_CHUNK + 50:  # copies: the same measures, several chunks
        articles += [Article(id=f"{a.id}-{len(articles)}", headline=a.headline, body=a.body) for a in articles[:200]]
    return articles


def _same_measures(found: dict[str, tuple[int, np.ndarray | None]], articles: list[Article]) -> None:
    texts = list(dict.fromkeys(story_text(a) for a in articles))
    for text, (size, row) in zip(texts, measure(texts), strict=True):
        assert found[text][0] == size
        assert (found[text][1] is None and row is None) or np.array_equal(found[text][1], row)


def test_what_the_process_makes_is_what_is_made_here(tmp_path: Path) -> None:
    articles = _articles()
    unstated = [(a.headline, a.body) for a in articles if not a.language]
    ahead = Ahead()
    try:
        for article in articles[:-7]:  # the last few never sent: made when taken
            ahead.send(article)
        assert ahead._asked and all(future is not None for _, future in ahead._asked)  # noqa: SLF001
        made = ahead.cut()
        assert made.languages(unstated) == detect_languages(unstated)
        measured = made.measures()
        _same_measures(measured, articles[:-7])
        (tmp_path / "here").mkdir()
        (tmp_path / "there").mkdir()
        here, there = StoryStore(tmp_path / "here"), StoryStore(tmp_path / "there")
        assert there.assign(articles, measured) == here.assign(articles)
        here.close()
        there.close()
        assert made.ready()
        assert ahead.cut().measures() == {}  # the next batch's: nothing sent since
    finally:
        ahead.close()


def test_without_the_process_everything_is_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(ahead_module, "ProcessPoolExecutor", refused)
    articles = _articles()[:AHEAD_CHUNK + 10]
    unstated = [(a.headline, a.body) for a in articles if not a.language]
    ahead = Ahead()
    for article in articles:
        ahead.send(article)
    made = ahead.cut()
    assert made.ready()  # nothing to wait for
    assert made.languages(unstated) == detect_languages(unstated)
    assert made.measures() == {}  # nothing came back: StoryStore.assign measures them
    ahead.close()


def test_a_run_on_two_processes_gives_the_stories_and_languages_of_a_run_on_one(tmp_path: Path) -> None:
    # More articles than a chunk (a run of fewer starts no process), the demo's first: its four languages.
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(article_to_dict(a)) + "\n" for a in _articles()), encoding="utf-8")
    found = {}
    for procs in (1, 2):
        folder = tmp_path / f"procs{procs}"
        index_paths([source], open_backend(folder=folder), IndexOptions(procs=procs))
        with sqlite3.connect(folder / STORIES_NAME) as db:
            stories = dict(db.execute("SELECT id, story FROM articles"))
        backend = open_backend(folder=folder)
        languages = {article_id: backend.article(article_id).language for article_id in stories}
        backend.close()
        found[procs] = (stories, languages)
    assert found[1] == found[2]
    assert len(set(found[2][1].values())) >= 4  # the demo's four languages


def test_a_run_of_few_articles_starts_no_process() -> None:
    articles = _articles()[:AHEAD_CHUNK - 1]
    unstated = [(a.headline, a.body) for a in articles if not a.language]
    ahead = Ahead()
    for article in articles:
        ahead.send(article)
    made = ahead.cut()
    assert made.languages(unstated) == detect_languages(unstated)
    assert made.measures() == {}  # made by StoryStore.assign
    assert ahead._pool is None  # noqa: SLF001
    ahead.close()


def test_reading_does_not_wait_for_the_process_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first chunk starts the process (and the forkserver: most of a second of imports); the reading goes on.
    started = threading.Event()
    real = ahead_module._submit  # noqa: SLF001

    def slow_start(*args: Any) -> Any:
        started.wait(timeout=60)
        return real(*args)

    monkeypatch.setattr(ahead_module, "_submit", slow_start)
    articles = _articles()[:2 * AHEAD_CHUNK]
    unstated = [(a.headline, a.body) for a in articles if not a.language]
    ahead = Ahead()
    try:
        for article in articles:
            ahead.send(article)  # two chunks asked for while the process is still starting
        assert len(ahead._asked) == 2 and not any(future.done() for _, future in ahead._asked)  # noqa: SLF001
        made = ahead.cut()
        assert not made.ready()  # the run reads on (build.py)
        started.set()
        assert made.languages(unstated) == detect_languages(unstated)
        assert made.ready()
        _same_measures(made.measures(), articles)
    finally:
        started.set()
        ahead.close()


def test_a_batch_waiting_for_the_process_lets_the_reading_go_on(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Never ready when asked: each batch waits until the next is read, and is committed then; the stories and
    # languages are those of a run on one process, every article indexed.
    source = tmp_path / "articles.jsonl"
    articles = _articles()
    source.write_text("".join(json.dumps(article_to_dict(a)) + "\n" for a in articles), encoding="utf-8")
    monkeypatch.setattr(ahead_module.Made, "ready", lambda self: False)
    read_when_committed: dict[int, list[int]] = {1: [], 2: []}  # by procs: the articles read by each commit
    real_commit = build_module._Run._commit  # noqa: SLF001

    def commit(run: Any, batch: Any) -> None:
        read_when_committed[run.options.procs].append(len(run.seen))
        real_commit(run, batch)

    monkeypatch.setattr(build_module._Run, "_commit", commit)  # noqa: SLF001
    found = {}
    for procs in (1, 2):
        folder = tmp_path / f"procs{procs}"
        report = index_paths([source], open_backend(folder=folder), IndexOptions(procs=procs, batch_size=400))
        assert report.added == len({a.id for a in articles})
        with sqlite3.connect(folder / STORIES_NAME) as db:
            stories = dict(db.execute("SELECT id, story FROM articles"))
        backend = open_backend(folder=folder)
        languages = {article_id: backend.article(article_id).language for article_id in stories}
        assert backend.article_count() == report.added
        backend.close()
        found[procs] = (stories, languages)
    assert found[1] == found[2]
    # On one process each batch is committed as soon as it is read; on two, once the next one has been read.
    n = len({a.id for a in articles})
    batches = range(1, -(-n // 400) + 1)
    assert read_when_committed[1] == [min(400 * k, n) for k in batches]
    assert read_when_committed[2] == [min(400 * (k + 1), n) for k in batches]


def test_a_process_started_before_its_first_chunk_makes_what_is_made_here() -> None:
    # Started as a large file starts to be read (build.AHEAD_START_BYTES), the language model loading meanwhile:
    # even fewer articles than a chunk then go to it.
    articles = _articles()[:AHEAD_CHUNK - 1]
    unstated = [(a.headline, a.body) for a in articles if not a.language]
    ahead = Ahead()
    try:
        ahead.start()
        assert ahead._pool is not None  # noqa: SLF001
        for article in articles:
            ahead.send(article)
        made = ahead.cut()
        assert made._asked and all(future is not None for _, future in made._asked)  # noqa: SLF001
        assert made.languages(unstated) == detect_languages(unstated)
        _same_measures(made.measures(), articles)
    finally:
        ahead.close()

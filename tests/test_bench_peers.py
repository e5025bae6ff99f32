"""The benchmark peers do the same work: the same totals, facets and timelines for the same queries."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.peers import PEERS, BenchQuery, Peer

SUBJECTS = ("ferry", "council", "storm", "museum", "bridge")
EVENTS = ("delay", "vote", "warning", "opening", "repair")
TOWNS = ("Oakport", "Millbrook", "Eastvale")
TOPICS = ("Transport", "Politics", "Weather")
SOURCES = ("Gazette", "Courier", "Wire")


def _article(i: int) -> dict[str, Any]:
    """A fictional article; words chosen so that every peer's stemmer and stop list treat them alike."""
    subject, event = SUBJECTS[i % 5], EVENTS[(i // 5) % 5]
    body = f"Residents of {TOWNS[i % 3]} followed the {subject} {event} closely. The {subject} {event} was news."
    if i % 2 == 0:
        body += " The harbour bridge stayed open."
    if i % 3 == 0:
        body += " A bridge near the harbour was inspected by the harbourmaster."
    return {
        "id": f"t{i:02d}",
        "headline": f"{subject.capitalize()} {event} in {TOWNS[i % 3]}",
        "body": body,
        "author": ["Ann Lee"] + (["Bo Chen"] if i % 4 == 0 else []),
        "date": None if i % 10 == 9 else date(2019 + i % 3, 1 + i % 12, 1 + i % 28).isoformat(),
        "topic": [TOPICS[i % 3]] + (["Local"] if i % 5 == 0 else []),
        "source": SOURCES[i % 3] if i % 8 else "",
        "url": f"https://example.org/{i}",
    }


CORPUS = [_article(i) for i in range(30)]
FIRST, EXTRA = CORPUS[:25], CORPUS[25:]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _matches(article: dict[str, Any], q: BenchQuery) -> bool:
    """Whether an article answers a query, worked out plainly from its text (the expected answer)."""
    fields = [article["headline"]] if q.field else [article["headline"], article["body"]]
    texts = [_words(text) for text in fields]
    if q.phrase:
        found = any(f" {' '.join(q.words)} " in f" {' '.join(t)} " for t in texts)
    elif q.words:
        present = [any(w in t for t in texts) for w in q.words]
        found = any(present) if q.any_words else all(present)
    else:
        found = True
    if q.prefix:
        found = found and any(w.startswith(q.prefix) for t in texts for w in t)
    when = date.fromisoformat(article["date"]) if article["date"] else None
    if q.date_from and (when is None or when < q.date_from):
        return False
    if q.date_to and (when is None or when > q.date_to):
        return False
    return found and (not q.topics or bool(set(q.topics) & set(article["topic"])))


def _expected(q: BenchQuery) -> list[dict[str, Any]]:
    return [a for a in CORPUS if _matches(a, q)]


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Peer]]:
    """Every peer, built from the first 25 articles, re-run, then given the last 5 (by a fresh peer object)."""
    tmp = tmp_path_factory.mktemp("peers")
    first, extra = tmp / "first.jsonl", tmp / "extra.jsonl"
    first.write_text("".join(json.dumps(a) + "\n" for a in FIRST), encoding="utf-8")
    extra.write_text("".join(json.dumps(a) + "\n" for a in EXTRA), encoding="utf-8")
    opened: dict[str, Peer] = {}
    for name, make in PEERS.items():
        folder = tmp / name
        peer = make()
        peer.build(first, folder, 1)
        peer.rerun(first, folder, 1)
        make().add(extra, folder, 1)  # a harness may run each step in a process of its own
        peer.open(folder)
        opened[name] = peer
    yield opened
    for peer in opened.values():
        peer.close()


QUERIES = [
    BenchQuery("term", ("ferry",)),
    BenchQuery("and", ("harbour", "bridge")),
    BenchQuery("phrase", ("harbour", "bridge"), phrase=True),
    BenchQuery("or", ("ferry", "storm"), any_words=True),
    BenchQuery("headline", ("storm",), field="headline"),
    BenchQuery("headline or", ("storm", "oakport"), field="headline", any_words=True),
    BenchQuery("headline phrase", ("museum", "opening"), field="headline", phrase=True),
    BenchQuery("prefix", prefix="harb"),
    BenchQuery("prefix and word", ("ferry",), prefix="insp"),
    BenchQuery("prefix or words", ("ferry", "storm"), any_words=True, prefix="insp"),
    BenchQuery("date range", ("bridge",), date_from=date(2020, 1, 1), date_to=date(2020, 12, 31)),
    BenchQuery("open date range", ("harbour",), date_from=date(2021, 3, 2)),
    BenchQuery("topics", ("bridge",), topics=("Transport", "Weather")),
    BenchQuery("everything", ()),
    BenchQuery("filters only", (), topics=("Local",), date_to=date(2020, 6, 30)),
]


@pytest.mark.parametrize("query", QUERIES, ids=[q.kind for q in QUERIES])
def test_every_peer_finds_the_same_articles(peers: dict[str, Peer], query: BenchQuery) -> None:
    expected = _expected(query)
    assert 0 < len(expected) < len(CORPUS) or query.kind == "everything"
    totals = {name: peer.run(query).total for name, peer in peers.items()}
    assert totals == {name: len(expected) for name in peers}
    wide = replace(query, per_page=100)
    for name, peer in peers.items():
        assert sorted(peer.run(wide).ids) == sorted(a["id"] for a in expected), name


def test_the_rerun_and_the_added_articles_are_counted_once(peers: dict[str, Peer]) -> None:
    for name, peer in peers.items():
        outcome = peer.run(BenchQuery("everything", per_page=100))
        assert sorted(outcome.ids) == sorted(a["id"] for a in CORPUS), name


def test_facets_and_timeline_count_the_whole_result_set(peers: dict[str, Peer]) -> None:
    query = BenchQuery("search page", ("harbour",), facets=True, timeline=True, per_page=3)
    matches = _expected(query)
    dated = [a["date"] for a in matches if a["date"]]
    expected = {
        "topic": Counter(t for a in matches for t in a["topic"]),
        "author": Counter(n for a in matches for n in a["author"]),
        "source": Counter(a["source"] for a in matches if a["source"]),
        "year": Counter(d[:4] for d in dated),
    }
    for name, peer in peers.items():
        outcome = peer.run(query)
        assert len(outcome.ids) == 3, name
        assert outcome.facets == {k: dict(v) for k, v in expected.items()}, name
        assert outcome.timeline == dict(Counter(d[:7] for d in dated)), name
        assert list(outcome.facets["year"]) == sorted(outcome.facets["year"]), name


def test_nothing_extra_unless_asked(peers: dict[str, Peer]) -> None:
    for name, peer in peers.items():
        outcome = peer.run(BenchQuery("term", ("ferry",)))
        assert (outcome.facets, outcome.snippets, outcome.timeline) == ({}, [], {}), name


def test_snippets_mark_the_matches(peers: dict[str, Peer]) -> None:
    for name, peer in peers.items():
        outcome = peer.run(BenchQuery("snippets", ("museum",), snippets=True, per_page=4))
        assert len(outcome.snippets) == len(outcome.ids) == 4, name
        for text in outcome.snippets:
            assert re.search(r"<(mark|b)\b[^>]*>museum</\1>", text, re.IGNORECASE), (name, text)


def test_newest_first_and_pages(peers: dict[str, Peer]) -> None:
    dated = BenchQuery("newest", ("bridge",), date_from=date(2019, 1, 1), date_to=date(2021, 12, 31),
                       sort="newest", per_page=5)
    newest = sorted(_expected(dated), key=lambda a: a["date"], reverse=True)
    for name, peer in peers.items():
        first, second = peer.run(dated), peer.run(replace(dated, page=2))
        assert first.ids + second.ids == [a["id"] for a in newest[:10]], name
        by_relevance = [peer.run(BenchQuery("page", ("bridge",), page=n, per_page=5)).ids for n in (1, 2)]
        assert len(by_relevance[0]) == len(by_relevance[1]) == 5 and not set(by_relevance[0]) & set(by_relevance[1])


def test_related_articles_share_the_subject(peers: dict[str, Peer]) -> None:
    ferries = {a["id"] for a in CORPUS if a["headline"].startswith("Ferry")}
    for name, peer in peers.items():
        outcome = peer.run(BenchQuery("related", related_to="t00"))
        assert 1 <= outcome.total == len(outcome.ids) <= 10, name
        assert "t00" not in outcome.ids, name
        assert outcome.ids[0] in ferries, (name, outcome.ids)


def test_fts5_replacing_rows_keeps_the_full_text_index_in_step(tmp_path: Path) -> None:
    """INSERT OR REPLACE fires the delete trigger only with recursive_triggers on; FTS5 checks its own index."""
    from bench.peers.fts5 import DATABASE, Fts5Peer

    corpus = tmp_path / "first.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in FIRST), encoding="utf-8")
    peer = Fts5Peer()
    peer.build(corpus, tmp_path / "fts5", 1)
    peer.rerun(corpus, tmp_path / "fts5", 1)
    db = sqlite3.connect(tmp_path / "fts5" / DATABASE)
    try:
        db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        assert db.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0] == len(FIRST)
    finally:
        db.close()

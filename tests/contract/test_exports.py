"""The contract of exports: iter_matches gives every match, in the search's order, whatever the page size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from indexer.backend import SearchBackend
from indexer.build import IndexOptions, index_paths
from indexer.errors import QueryError
from indexer.request import MAX_RESULT_DEPTH, Paging, Search

from ..conftest import write_jsonl

ARTICLES = 250  # more than a page (100 at most) and than a default export batch of some engines


@pytest.fixture
def archive(tmp_path: Path, make_backend: Callable[[Path], SearchBackend]) -> SearchBackend:
    records = [{"id": f"n{i:03d}", "title": f"Harbour report {i}", "date": f"2021-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                "topic": ["port" if i % 2 else "weather"], "source": "Gazette",
                "body": "The harbour was busy." + (" Cranes were idle." if i % 5 == 0 else "")}
               for i in range(ARTICLES)]
    index_paths([write_jsonl(tmp_path / "n.jsonl", records)], make_backend(tmp_path / "ix"), IndexOptions(procs=1))
    return make_backend(tmp_path / "ix")


def pages(backend: SearchBackend, search: Search) -> list[str]:
    seen: list[str] = []
    page = 1
    while True:
        hits = backend.search(search, Paging(page=page, per_page=100)).hits
        if not hits:
            return seen
        seen += [hit.id for hit in hits]
        page += 1


@pytest.mark.parametrize("search", [
    Search(),
    Search(sort="oldest"),
    Search(query="harbour cranes", match="any"),
    Search(query="harbour", topic=("port",), date_from=date(2021, 3, 1), date_to=date(2021, 8, 31)),
])
def test_an_export_is_every_match_in_the_order_of_the_pages(archive: SearchBackend, search: Search) -> None:
    exported = [a.id for a in archive.iter_matches(search, MAX_RESULT_DEPTH)]
    assert exported == pages(archive, search)
    assert len(exported) == archive.search(search).total and len(set(exported)) == len(exported)


def test_an_export_stops_at_its_limit_and_may_be_left_unfinished(archive: SearchBackend) -> None:
    assert len(list(archive.iter_matches(Search(), 120))) == 120
    matches = archive.iter_matches(Search(sort="newest"), ARTICLES)
    first = next(iter(matches))
    assert first.id == archive.search(Search(sort="newest")).hits[0].id
    matches.close()  # type: ignore[attr-defined]  # a client that hangs up: the backend lets go of what it held
    assert archive.search(Search()).total == ARTICLES
    unread = archive.iter_matches(Search(), ARTICLES)
    unread.close()  # type: ignore[attr-defined]  # closed before the first article (an answer computed again)
    assert list(unread) == [] and archive.search(Search()).total == ARTICLES


def test_a_bad_export_fails_before_its_first_article(archive: SearchBackend) -> None:
    with pytest.raises(QueryError, match="unknown field"):
        archive.iter_matches(Search(query="nosuchfield:x"), 10)
    with pytest.raises(QueryError, match="unknown sort"):
        archive.iter_matches(Search(sort="random"), 10)

"""newsarchive itself: `index_paths` to build and re-run, `WhooshBackend` to query.

Our search always computes facets (topic, author, source, year, month), a snippet per hit and the month facet
that draws the timeline, whatever the query asks for: that is what a search of ours is, so its timings include
them. Outcome.facets and .timeline are filled only when asked, like the other peers'.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.manifest import MANIFEST_NAME
from indexer.request import Paging, Search
from indexer.results import SearchPage
from indexer.whoosh import WhooshBackend
from indexer.whoosh.scoring import DEFAULT_RANKING, Ranking

from . import FACETS, RELATED_LIMIT, BenchQuery, Outcome
from .whoosh import query_text


class NewsarchivePeer:
    """newsarchive, through its library API (what the CLI and the web app call)."""

    name = "newsarchive"

    def __init__(self) -> None:
        self._service: WhooshBackend | None = None
        self._corpora: list[Path] = []
        self.ranking: Ranking = DEFAULT_RANKING  # the relevance grid sets others before open()

    def build(self, corpus: Path, folder: Path, procs: int) -> None:
        """Index the corpus into an empty folder."""
        index_paths([corpus], open_backend(folder=folder), IndexOptions(procs=procs))
        self._corpora = [corpus]

    def rerun(self, corpus: Path, folder: Path, procs: int) -> None:
        """Run the same indexing again: our users re-run it, and unchanged files are skipped."""
        index_paths([corpus], open_backend(folder=folder), IndexOptions(procs=procs))

    def add(self, extra: Path, folder: Path, procs: int) -> None:
        """Index the files indexed before and the new one, as a user re-running `newsarchive index` would."""
        paths = self._corpora or _indexed_files(folder)
        index_paths([*paths, extra], open_backend(folder=folder), IndexOptions(procs=procs))
        self._corpora = [*paths, extra]

    def open(self, folder: Path) -> None:
        """Open a search service on the index."""
        self._service = WhooshBackend(folder, ranking=self.ranking)

    def close(self) -> None:
        """Close the search service."""
        if self._service is not None:
            self._service.close()
            self._service = None

    def clear_caches(self) -> None:
        """Empty the decoded-postings cache, so the next query decodes every term it reads (a "cold" search)."""
        if self._service is not None:
            self._service.clear_caches()

    def run(self, query: BenchQuery) -> Outcome:
        """Run a search (or a related-articles lookup) through WhooshBackend."""
        service = self._service
        if service is None:
            raise RuntimeError("open() the peer before running queries")
        if query.related_to is not None:
            related = service.related(query.related_to, limit=RELATED_LIMIT)
            return Outcome(total=len(related), ids=[r.id for r in related])
        page = service.search(request_of(query), paging_of(query))
        outcome = Outcome(total=page.total, ids=[hit.id for hit in page.hits])
        if query.facets:
            outcome.facets = {name: _counts(page, name) for name in FACETS}
        if query.snippets:
            outcome.snippets = [hit.snippet for hit in page.hits]
        if query.timeline:
            outcome.timeline = _counts(page, "month")
        return outcome


def request_of(query: BenchQuery) -> Search:
    """Return the Search of a benchmark query (the text in our query language, the rest as parameters)."""
    return Search(
        query=query_text(query),
        topic=query.topics,
        date_from=query.date_from,
        date_to=query.date_to,
        sort=query.sort,
        match="any" if query.any_words else "all",
    )


def paging_of(query: BenchQuery) -> Paging:
    """Return the page a benchmark query asks for."""
    return Paging(page=query.page, per_page=query.per_page)


def _counts(page: SearchPage, name: str) -> dict[str, int]:
    return {value.value: value.count for value in page.facets[name] if value.count > 0}


def _indexed_files(folder: Path) -> list[Path]:
    """Return the files an index was built from, when add() runs on a peer that did not build it.

    Read from the manifest, which records every file indexed (a reach into our internals, for the benchmark only).
    """
    db = sqlite3.connect(folder / MANIFEST_NAME)
    try:
        return [Path(row[0]) for row in db.execute("SELECT path FROM files ORDER BY path")]
    finally:
        db.close()

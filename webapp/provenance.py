"""What an answer was computed from, carried with it: the index fingerprint, the canonical search, the /cite link.

JSON answers carry them in their body (`index`, `search`, `cite`), files in headers (`Newsarchive-Index`,
`Newsarchive-Search`, `Link: <...>; rel="cite-as"`) and in every row, feeds in their head. An answer and its
fingerprint are read together: when a commit lands between them, the answer is computed again (`consistent`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from werkzeug.datastructures import Headers

from indexer.errors import NewsArchiveError
from indexer.request import Search, canonical_search
from indexer.results import IndexFingerprint

from .service import search_backend
from .urls import absolute_url

T = TypeVar("T")
INDEX_HEADER = "Newsarchive-Index"
SEARCH_HEADER = "Newsarchive-Search"
# How often an answer is computed again when the index keeps changing under it; after that, the last pairing.
CONSISTENT_TRIES = 3


def consistent(run: Callable[[], T]) -> tuple[T, IndexFingerprint]:
    """Return run()'s answer and the fingerprint of the index it was computed on (no commit in between)."""
    backend = search_backend()
    try:
        before = backend.fingerprint()
    except NewsArchiveError:
        run()  # the answer's own error comes first: a bad request is a 400 even before an index exists
        raise
    for attempt in range(CONSISTENT_TRIES):
        answer = run()
        after = backend.fingerprint()
        if after == before or attempt == CONSISTENT_TRIES - 1:
            return answer, after
        close = getattr(answer, "close", None)
        if close is not None:  # an export's iterator holds a searcher of the older commit: let it go
            close()
        before = after
    raise AssertionError("unreachable")


def cite_url(search: Search, fingerprint: IndexFingerprint) -> str:
    """Return the absolute URL of the /cite page of a search on this index (its canonical form and fp=)."""
    query = "&".join(part for part in (canonical_search(search), f"fp={fingerprint.digest}") if part)
    return absolute_url("citing.cite") + "?" + query


def cited(search: Search, fingerprint: IndexFingerprint) -> dict[str, Any]:
    """Return what a search's JSON answer carries to be cited: `index`, `search` (canonical) and `cite`."""
    return {"index": fingerprint.to_dict(), "search": canonical_search(search), "cite": cite_url(search, fingerprint)}


def index_header(fingerprint: IndexFingerprint) -> str:
    """Return the fingerprint as a header value: `digest=...; backend=...; articles=...; last_commit=...; ...`."""
    shown = fingerprint.to_dict()
    order = ["digest", *(name for name in shown if name != "digest")]
    return "; ".join(f"{name}={'' if shown[name] is None else shown[name]}" for name in order)


def set_headers(headers: Headers, fingerprint: IndexFingerprint, search: Search | None = None) -> None:
    """Set the fingerprint header, and for a search its canonical form and its /cite link (rel="cite-as")."""
    headers[INDEX_HEADER] = index_header(fingerprint)
    if search is not None:
        headers[SEARCH_HEADER] = canonical_search(search)
        headers["Link"] = f'<{cite_url(search, fingerprint)}>; rel="cite-as"'

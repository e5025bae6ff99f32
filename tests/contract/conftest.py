"""The SearchBackend contract: every test here runs once per backend in indexer.backend.BACKENDS.

A backend is opened as the CLI opens it (open_backend) and written as indexing runs write it (index_paths), so a
new backend is tested by this suite as soon as it is registered. `make_backend(folder)` opens the backend under
test on another folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.backend import BACKENDS, SearchBackend, open_backend
from indexer.build import IndexOptions, index_paths

from ..conftest import CORPUS, write_jsonl


@pytest.fixture(params=sorted(BACKENDS))
def backend_name(request: pytest.FixtureRequest) -> str:
    """The name of the backend under test."""
    return str(request.param)


@pytest.fixture
def make_backend(backend_name: str, request: pytest.FixtureRequest) -> Iterator[Callable[[Path], SearchBackend]]:
    """Open the backend under test on a folder; every backend opened is closed after the test.

    On Solr each folder is a collection of its own (2 shards, on the session's cluster), deleted afterwards.
    """
    opened: list[SearchBackend] = []
    open_on = _solr_opener(request.getfixturevalue("solr_cluster")) if backend_name == "solr" else (
        lambda folder: open_backend(backend_name, folder))

    def make(folder: Path) -> SearchBackend:
        backend = open_on(folder)
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        backend.close()
    collections = {backend.client.collection for backend in opened if backend.name == "solr"}
    if collections:
        _delete_collections(request.getfixturevalue("solr_cluster"), collections)


def _solr_opener(urls: list[str]) -> Callable[[Path], SearchBackend]:
    from indexer.solr.backend import SolrBackend
    from indexer.solr.client import SolrClient

    def open_on(folder: Path) -> SearchBackend:
        name = "contract_" + hashlib.sha1(str(folder).encode()).hexdigest()[:12]
        return SolrBackend(folder, SolrClient(urls, name), shards=2)

    return open_on


def _delete_collections(urls: list[str], names: set[str]) -> None:
    from indexer.solr.client import SolrClient, SolrError

    admin = SolrClient(urls, "")
    for name in names:
        try:
            admin.get("/admin/collections", {"action": "DELETE", "name": name})
        except SolrError:
            pass  # never created (a test of what happens before an index exists)


@pytest.fixture
def backend(tmp_path: Path, make_backend: Callable[[Path], SearchBackend]) -> SearchBackend:
    """The backend under test, holding the small corpus (tests/conftest.py)."""
    folder = tmp_path / "index"
    index_paths([write_jsonl(tmp_path / "corpus.jsonl", CORPUS)], make_backend(folder), IndexOptions(procs=1))
    return make_backend(folder)

"""The SearchBackend contract: every test here runs once per backend in indexer.backend.BACKENDS.

A backend is opened as the CLI opens it (open_backend) and written as indexing runs write it (index_paths), so a
new backend is tested by this suite as soon as it is registered. `make_backend(folder)` opens the backend under
test on another folder.
"""

from __future__ import annotations

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
def make_backend(backend_name: str) -> Iterator[Callable[[Path], SearchBackend]]:
    """Open the backend under test on a folder; every backend opened is closed after the test."""
    opened: list[SearchBackend] = []

    def make(folder: Path) -> SearchBackend:
        backend = open_backend(backend_name, folder)
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        backend.close()


@pytest.fixture
def backend(tmp_path: Path, make_backend: Callable[[Path], SearchBackend]) -> SearchBackend:
    """The backend under test, holding the small corpus (tests/conftest.py)."""
    folder = tmp_path / "index"
    index_paths([write_jsonl(tmp_path / "corpus.jsonl", CORPUS)], make_backend(folder), IndexOptions(procs=1))
    return make_backend(folder)

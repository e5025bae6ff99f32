"""Shared fixtures: a small corpus written in code, indexed into a temporary folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from whoosh import fields
from whoosh.writing import SegmentWriter

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.whoosh import WhooshBackend
from indexer.whoosh.wordforms import FoundWords

# The session's shared SolrCloud (the `solr_cluster` fixture) and the hooks that start and stop it: pytest finds
# them by name in this module.
from .solr_cluster import (  # noqa: F401
    pytest_configure,
    pytest_configure_node,
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_unconfigure,
    solr_cluster,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REUTERS = SHARED / "data" / "reuters21578"
SAMPLE = SHARED / "samples" / "connecting-vets-2020-01-22.txt"

# Fictional articles chosen so that each query form has a known answer.
CORPUS = [
    {"id": "a1", "title": "Fed raises interest rates again", "author": "Jane Doe", "date": "2020-01-15T09:00:00",
     "topic": ["economy"], "source": "Daily Planet",
     "body": "The Federal Reserve raised interest rates on Wednesday, citing inflation. Markets fell."},
    {"id": "a2", "title": "Storm batters coast", "author": ["John Roe", "Jane Doe"], "date": "2020-01-20",
     "topic": ["weather"], "source": "Gazette",
     "body": "A powerful storm battered the coast, leaving thousands without power."},
    {"id": "a3", "title": "Elections: the new state of the race", "author": "Ann Lee", "date": "2019-11-05",
     "topic": ["politics"], "source": "Daily Planet",
     "body": "Voters in the state went to the polls. U.S. officials said turnout was high."},
    {"id": "a4", "title": "<script>alert(1)</script> hostile headline", "author": "Mallory", "date": "2021-03-01",
     "topic": ["economy"], "source": "Gazette",
     "body": "Payload <img src=x onerror=alert(2)> inside the inflation report."},
    {"id": "a5", "title": "Central bank holds rates steady", "author": "Jane Doe", "date": "2021-06-30",
     "topic": ["economy", "markets"], "source": "Courier",
     "body": "The central bank held interest rates steady as inflation cooled. Economists expected the decision."},
    {"id": "a6", "title": "Café owners welcome tourists", "author": "José Álvarez", "date": "2020-07-04",
     "topic": ["business"], "source": "Courier",
     "body": "Owners of the café near the harbour said tourists were back."},
    {"id": "a7", "title": "Undated wire story", "body": "A story with no date about the storm.", "source": "Wire"},
]


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    """Write records as JSON Lines and return the path."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    """The small corpus as a JSON Lines file."""
    return write_jsonl(tmp_path / "corpus.jsonl", CORPUS)


@pytest.fixture
def index_dir(tmp_path: Path, corpus_file: Path) -> Path:
    """An index of the small corpus."""
    target = tmp_path / "index"
    index_paths([corpus_file], open_backend(folder=target), IndexOptions(procs=1))
    return target


@pytest.fixture
def service(index_dir: Path) -> Iterator[WhooshBackend]:
    """A search service over the small corpus."""
    svc = WhooshBackend(index_dir)
    yield svc
    svc.close()


@contextmanager
def whoosh_own_codec() -> Iterator[None]:
    """Index as the releases before our codec did: Whoosh's W3 codec, its pickled positions (whoosh/codec.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("indexer.whoosh.schema.text_field", fields.TEXT)
        patch.setattr("indexer.whoosh.backend.index_writer", lambda ix, **kwargs: ix.writer(**kwargs))
        patch.setattr("indexer.whoosh.bulk.Builders.write", _whoosh_segments)
        yield


def _whoosh_segments(_builders: Any, ix: Any, items: list[Any], procs: int, count: Any,
                     make: Any = None) -> tuple[list[Any], Any]:
    """A commit's new segment as Whoosh's writer makes it (one, in this process): the releases before bulk.py."""
    documents = items if make is None else [make(item) for item in items]
    if not documents:
        return [], count([], FoundWords([], {}))
    writer = SegmentWriter(ix, _lk=False)
    for document in documents:
        writer.add_document(**document)
    return [writer._finalize_segment()], count(documents, FoundWords([], {}))  # no words found: from the texts

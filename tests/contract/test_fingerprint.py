"""The contract of index fingerprints: the same committed index gives the same one; every write changes it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from indexer.backend import Batch, SearchBackend
from indexer.build import IndexOptions, index_paths
from indexer.errors import IndexNotFoundError
from indexer.maintenance import delete_articles
from indexer.records import Article
from indexer.request import Search
from indexer.results import DIGEST_LENGTH

from ..conftest import CORPUS, write_jsonl

Make = Callable[[Path], SearchBackend]


def test_an_unchanged_index_gives_the_same_fingerprint(backend: SearchBackend, make_backend: Make) -> None:
    first = backend.fingerprint()
    backend.search(Search(query="rates"))  # reading changes nothing
    assert backend.fingerprint() == first
    assert make_backend(backend.folder).fingerprint() == first  # another reader of the same index agrees
    assert first.articles == len(CORPUS)
    assert re.fullmatch(f"[0-9a-f]{{{DIGEST_LENGTH}}}", first.digest)
    assert first.last_commit is not None and first.last_commit.tzinfo == UTC
    assert abs(datetime.now(UTC) - first.last_commit) < timedelta(minutes=10)
    assert first.backend == backend.name and first.schema_version == backend.schema_version
    assert first.analyzer_version.startswith("news-")
    shown = first.to_dict()
    assert shown["digest"] == first.digest and shown["articles"] == len(CORPUS)
    assert str(shown["last_commit"]).endswith("Z")


def test_adding_an_article_changes_the_fingerprint_and_its_count(backend: SearchBackend, make_backend: Make) -> None:
    before = backend.fingerprint()
    writer = make_backend(backend.folder)
    writer.commit(Batch(articles={"new1": (Article(id="new1", headline="Harbour crane repaired"), False)}))
    after = backend.fingerprint()
    assert after.articles == before.articles + 1
    assert after.digest != before.digest
    assert after.last_commit is not None and before.last_commit is not None and after.last_commit >= before.last_commit


def test_deleting_an_article_changes_the_fingerprint(backend: SearchBackend, make_backend: Make) -> None:
    before = backend.fingerprint()
    delete_articles(make_backend(backend.folder), ["a3"])
    after = backend.fingerprint()
    assert after.articles == before.articles - 1 and after.digest != before.digest


def test_replacing_an_article_changes_the_digest_not_the_count(backend: SearchBackend, make_backend: Make) -> None:
    before = backend.fingerprint()
    make_backend(backend.folder).commit(Batch(articles={"a1": (Article(id="a1", headline="Rates cut"), True)}))
    after = backend.fingerprint()
    assert after.articles == before.articles and after.digest != before.digest


def test_a_rebuild_of_the_same_articles_is_another_index(tmp_path: Path, make_backend: Make) -> None:
    source = write_jsonl(tmp_path / "c.jsonl", CORPUS)
    index_paths([source], make_backend(tmp_path / "ix"), IndexOptions(procs=1))
    reader = make_backend(tmp_path / "ix")
    first = reader.fingerprint()
    index_paths([source], make_backend(tmp_path / "ix"), IndexOptions(procs=1))  # nothing changed: no commit
    assert reader.fingerprint() == first
    index_paths([source], make_backend(tmp_path / "ix"), IndexOptions(procs=1, rebuild=True))
    assert reader.fingerprint().articles == first.articles and reader.fingerprint().digest != first.digest


def test_an_empty_index_has_no_last_commit_and_no_index_is_an_error(tmp_path: Path, make_backend: Make) -> None:
    with pytest.raises(IndexNotFoundError):
        make_backend(tmp_path / "none").fingerprint()
    empty = make_backend(tmp_path / "empty")
    empty.prepare()
    found = empty.fingerprint()
    assert found.articles == 0 and found.last_commit is None and found.to_dict()["last_commit"] is None

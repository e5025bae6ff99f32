"""`newsarchive solr import --from-index DIR`: a Whoosh archive moves into a Solr collection, resumably."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer.backend import Batch, SearchBackend, open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Search
from indexer.solr.backend import SolrBackend
from indexer.solr.client import SolrClient
from indexer.transfer import CHECKPOINT, transfer
from newsarchive.cli import main

from .conftest import write_jsonl

RECORDS = [{"id": f"m{i:03d}", "title": f"Harbour report {i}", "body": f"Crane {i % 7} was idle.",
            "date": f"2022-{i % 12 + 1:02d}-{i % 27 + 1:02d}", "topic": ["port"]} for i in range(120)]


@pytest.fixture
def whoosh(tmp_path: Path) -> tuple[Path, Path]:
    source = write_jsonl(tmp_path / "m.jsonl", RECORDS)
    index_paths([source], open_backend("whoosh", tmp_path / "whoosh"), IndexOptions(procs=1))
    return source, tmp_path / "whoosh"


def ids(backend: SearchBackend) -> list[str]:
    return sorted(article.id for article in backend.iter_matches(Search(), 10_000))


def test_the_command_copies_every_article_and_the_manifest(solr_cluster: list[str], whoosh: tuple[Path, Path],
                                                           tmp_path: Path) -> None:
    source, folder = whoosh
    env = {"NEWSARCHIVE_SOLR_URL": ",".join(solr_cluster), "NEWSARCHIVE_SOLR_COLLECTION": "imported"}
    result = CliRunner().invoke(main, ["solr", "import", "--from-index", str(folder), "--index",
                                       str(tmp_path / "solr"), "--batch-size", "50"], env=env)
    assert result.exit_code == 0, result.output
    assert "Imported 120 of 120 articles" in result.output
    target = SolrBackend(tmp_path / "solr", SolrClient(solr_cluster, "imported"))
    assert ids(target) == ids(open_backend("whoosh", folder))
    assert target.search(Search(query="crane idle", topic=("port",))).total == 120
    # The manifest came too: indexing the same file into the collection finds nothing to do.
    report = index_paths([source], target, IndexOptions(procs=1))
    assert (report.added, report.updated, report.files_unchanged) == (0, 0, 1)


class _Failing:
    """A target that fails on its n-th commit, as a cluster that goes away mid-import."""

    def __init__(self, backend: SearchBackend, fail_at: int) -> None:
        self.backend, self.fail_at, self.commits = backend, fail_at, 0

    def commit(self, batch: Batch, procs: int = 1) -> None:
        self.commits += 1
        if self.commits == self.fail_at:
            raise OSError("the cluster went away")
        self.backend.commit(batch, procs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)


def test_an_interrupted_import_resumes_after_its_last_batch(solr_cluster: list[str], whoosh: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    _, folder = whoosh
    source = open_backend("whoosh", folder)
    target = SolrBackend(tmp_path / "solr", SolrClient(solr_cluster, "resumed"))
    with pytest.raises(OSError, match="went away"):
        transfer(source, _Failing(target, fail_at=3), batch_size=40)  # type: ignore[arg-type]
    assert target.article_count() == 80 and (tmp_path / "solr" / CHECKPOINT).exists()
    report = transfer(source, target, batch_size=40)
    assert (report.resumed_after, report.copied, report.total) == (80, 40, 120)
    assert ids(target) == ids(source) and not (tmp_path / "solr" / CHECKPOINT).exists()
    source.close()


def test_init_creates_the_collection_once_and_check_finds_it_healthy(solr_cluster: list[str], tmp_path: Path) -> None:
    env = {"NEWSARCHIVE_BACKEND": "solr", "NEWSARCHIVE_SOLR_URL": ",".join(solr_cluster),
           "NEWSARCHIVE_SOLR_COLLECTION": "initialised", "NEWSARCHIVE_INDEX": str(tmp_path / "state")}
    first = CliRunner().invoke(main, ["solr", "init", "--shards", "2"], env=env)
    assert first.exit_code == 0, first.output
    assert "Created collection initialised: 2 shard(s) x 1 replica(s)" in first.output
    again = CliRunner().invoke(main, ["solr", "init", "--shards", "2"], env=env)
    assert again.exit_code == 0 and "nothing changed" in again.output
    check = CliRunner().invoke(main, ["check"], env=env)
    assert check.exit_code == 0, check.output
    assert "the collection 'initialised' answers: 2 shard(s), 0 articles" in check.output
    missing = CliRunner().invoke(main, ["search", "oil"], env={**env, "NEWSARCHIVE_SOLR_COLLECTION": "nowhere"})
    assert missing.exit_code == 1 and "no collection 'nowhere' on the Solr cluster" in missing.output

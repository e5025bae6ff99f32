"""Faults on a real SolrCloud are visible, never silent, and an acknowledged write is never lost (issue 13, item 5).

One cluster of two nodes for this module alone (it kills and restarts a node; the session's shared `solr_cluster`
is never touched here), collections of 2 shards x 1 replica, so that a node down takes a whole shard with it:

- a shard down: searches (shards.tolerant) say partial on the backend, the API ("partial": true), the page and
  the CLI; once the node is back, results are whole again;
- the cluster unreachable: 503 with a clear message naming the URL on the API and the page, `Error: ...` and exit
  1 on the CLI, in well under the client's timeout; a node that never answers is given up after the timeout; a
  dead URL before a live one is failed over;
- a node killed in the middle of an indexing run: the run fails (it does not hang), what was acknowledged is
  there, and a re-run after the node is back leaves exactly the corpus (none missing, none twice).

Skipped unless `java` and `mvn` are on PATH, failed instead in CI.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer.backend import Batch
from indexer.build import IndexOptions, index_paths
from indexer.errors import BackendUnavailableError
from indexer.request import Paging, Search
from indexer.solr.backend import SolrBackend
from indexer.solr.client import SolrClient
from indexer.solr.devcluster import DevCluster
from newsarchive.cli import main
from tests.solr_cluster import skip_without_tools
from webapp import create_app

from .conftest import CORPUS, write_jsonl

DEAD = "http://127.0.0.1:9/solr"  # the discard port: nothing listens, the connection is refused at once
DOWN = 2  # the node that is killed
ALL = Paging(per_page=100)
APP = {"TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevCluster]:
    """A cluster of this module's own, stopped afterwards."""
    skip_without_tools()
    cluster = DevCluster(tmp_path_factory.mktemp("faults-cloud"), nodes=2).start()
    try:
        yield cluster
    finally:
        cluster.stop()


def shard_nodes(cloud: DevCluster, collection: str) -> dict[str, int]:
    """Return shard name -> the node (1 or 2) that holds its only replica."""
    cloud.wait_for_active(collection)
    status = cloud.get("/admin/collections", action="CLUSTERSTATUS", collection=collection)["cluster"]
    node_of = {node.name: node.index for node in cloud.info.nodes}
    shards = status["collections"][collection]["shards"]
    return {name: node_of[next(iter(s["replicas"].values()))["node_name"]] for name, s in shards.items()}


@pytest.fixture(scope="module")
def small(cloud: DevCluster, tmp_path_factory: pytest.TempPathFactory) -> SolrBackend:
    """The small corpus in `faults_small` (2 shards x 1 replica, one shard on each node)."""
    folder = tmp_path_factory.mktemp("faults-small")
    backend = SolrBackend(folder / "index", SolrClient(cloud.node_urls, "faults_small", timeout=10), shards=2)
    index_paths([write_jsonl(folder / "corpus.jsonl", CORPUS)], backend, IndexOptions(procs=1))
    assert sorted(shard_nodes(cloud, "faults_small").values()) == [1, 2], "expected one shard on each node"
    return backend


def timing(line: str) -> None:
    """Note a timing in $SOLRCLOUD_TIMINGS, as tests/solrcloud/test_smoke.py does (nowhere without it)."""
    with open(os.environ.get("SOLRCLOUD_TIMINGS", os.devnull), "a", encoding="utf-8") as out:
        out.write(line + "\n")


def cli_env(urls: list[str], collection: str, folder: Path) -> dict[str, str]:
    return {"NEWSARCHIVE_BACKEND": "solr", "NEWSARCHIVE_SOLR_URL": ",".join(urls),
            "NEWSARCHIVE_SOLR_COLLECTION": collection, "NEWSARCHIVE_INDEX": str(folder)}


def stderr_of(result: Any) -> str:
    """What a CliRunner run wrote on stderr (click 8.2 keeps it apart; older ones mix it into output by default)."""
    try:
        return str(result.stderr)
    except ValueError:
        return str(result.output)


def test_a_shard_down_is_said_everywhere_and_whole_again_once_it_is_back(
        cloud: DevCluster, small: SolrBackend, tmp_path: Path) -> None:
    everything = small.search(Search())
    assert everything.total == len(CORPUS) and not everything.partial
    client = create_app(APP, backend=small).test_client()
    env = cli_env(cloud.node_urls, "faults_small", small.folder)

    cloud.stop_node(DOWN, kill=True)
    try:
        began = time.monotonic()
        page = small.search(Search())
        took = time.monotonic() - began
        assert page.partial, "a shard is down: the page must say it is partial"
        assert 0 < page.total < len(CORPUS)
        assert took < 10, f"a partial search took {took:.1f} s"
        timing(f"partial: {page.total} of {len(CORPUS)} in {took:.2f} s")
        assert small.search(Search(query="storm")).partial

        api = client.get("/api/search?q=")
        assert api.status_code == 200
        body = api.get_json()
        assert body["partial"] is True and body["total"] == page.total

        html = client.get("/?q=rates")
        assert html.status_code == 200
        assert 'class="partial"' in html.get_data(as_text=True)

        result = CliRunner().invoke(main, ["search", ""], env=env)
        assert result.exit_code == 0, result.output
        assert "Partial results:" in stderr_of(result)

        stats = client.get("/api/stats").get_json()
        assert stats["partial"] is True and stats["documents"] == page.total and stats["shards"] == 2
        result = CliRunner().invoke(main, ["stats"], env=env)
        assert result.exit_code == 0 and "Partial results:" in stderr_of(result), result.output

        # An export is whole or not made: a file cannot say "partial" (a 503 before the first byte).
        for url in ("/export.csv?q=", "/export.jsonl?q=rates"):
            exported = client.get(url)
            assert exported.status_code == 503, url
            assert "export would miss" in exported.get_data(as_text=True)

        # An article on the shard that is down: a 503 saying so (neither "not found" nor a 500); the others open.
        lost = [r["id"] for r in CORPUS if r["id"] not in {hit.id for hit in small.search(Search(), ALL).hits}]
        kept = next(hit.id for hit in page.hits)
        assert lost
        for url in (f"/api/articles/{lost[0]}", f"/api/articles/{lost[0]}/related", f"/articles/{lost[0]}"):
            answer = client.get(url)
            assert answer.status_code == 503, (url, answer.status_code)
            assert "did not answer" in answer.get_data(as_text=True)
        # Related coverage of an article that opens is drawn from the shards that answer, and says so.
        article_page = client.get(f"/articles/{kept}")
        assert article_page.status_code == 200
        assert "Related coverage is <strong>partial</strong>" in article_page.get_data(as_text=True)
        related = client.get(f"/api/articles/{kept}/related")
        assert related.status_code == 200 and related.get_json()["partial"] is True
        assert small.related(kept).partial
    finally:
        cloud.start_node(DOWN)
        cloud.wait_for_active("faults_small")

    again = small.search(Search())
    assert again.total == len(CORPUS) and not again.partial
    body = client.get("/api/search?q=").get_json()
    assert body["total"] == len(CORPUS) and "partial" not in body
    assert 'class="partial"' not in client.get("/?q=rates").get_data(as_text=True)
    assert "partial" not in client.get("/api/stats").get_json()
    assert client.get("/export.csv?q=").status_code == 200
    assert "partial" not in client.get(f"/api/articles/{CORPUS[0]['id']}/related").get_json()
    assert "Related coverage is" not in client.get(f"/articles/{CORPUS[0]['id']}").get_data(as_text=True)
    result = CliRunner().invoke(main, ["search", ""], env=env)
    assert result.exit_code == 0 and "Partial results" not in result.output + stderr_of(result)


def test_an_unreachable_cluster_is_a_503_with_the_url_in_bounded_time(tmp_path: Path) -> None:
    timeout = 5.0
    backend = SolrBackend(tmp_path / "index", SolrClient([DEAD], "faults_small", timeout=timeout))
    began = time.monotonic()
    with pytest.raises(BackendUnavailableError, match="127.0.0.1:9"):
        backend.search(Search(query="storm"))
    timing(f"unreachable: BackendUnavailableError in {time.monotonic() - began:.3f} s")
    assert time.monotonic() - began < timeout

    client = create_app(APP, backend=backend).test_client()
    began = time.monotonic()
    api = client.get("/api/search?q=storm")
    assert time.monotonic() - began < timeout
    assert api.status_code == 503
    error = api.get_json()["error"]
    assert error["code"] == "unavailable" and DEAD in error["message"]
    assert "did not answer" in error["message"]

    html = client.get("/?q=storm")
    assert html.status_code == 503
    assert "did not answer" in html.get_data(as_text=True)

    began = time.monotonic()
    result = CliRunner().invoke(main, ["search", "storm"], env=cli_env([DEAD], "faults_small", tmp_path / "index"))
    assert time.monotonic() - began < timeout
    assert result.exit_code == 1
    assert "Error: the Solr cluster did not answer" in result.output + stderr_of(result)
    assert DEAD in result.output + stderr_of(result)


def test_a_node_that_never_answers_is_given_up_after_the_timeout(tmp_path: Path) -> None:
    """A node that takes the connection and then says nothing costs one timeout per URL, not a hang."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # never accepted: the kernel completes the handshake, no answer ever comes
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/solr"
        timeout = 1.0
        backend = SolrBackend(tmp_path / "index", SolrClient([url, DEAD], "faults_small", timeout=timeout))
        began = time.monotonic()
        with pytest.raises(BackendUnavailableError, match="timed out") as raised:
            backend.search(Search(query="storm"))
        took = time.monotonic() - began
        assert url in str(raised.value) and DEAD in str(raised.value)
        assert timeout <= took < timeout + 2, f"gave up after {took:.1f} s"
        timing(f"silent node: BackendUnavailableError after {took:.2f} s (timeout {timeout} s)")

        # The same through the CLI, its timeout set by NEWSARCHIVE_SOLR_TIMEOUT (whole seconds).
        env = {**cli_env([url], "faults_small", tmp_path / "index"), "NEWSARCHIVE_SOLR_TIMEOUT": "2"}
        began = time.monotonic()
        result = CliRunner().invoke(main, ["search", "storm"], env=env)
        took = time.monotonic() - began
        assert result.exit_code == 1 and "timed out" in result.output + stderr_of(result)
        assert 2 <= took < 4, f"the CLI gave up after {took:.1f} s"


@pytest.mark.parametrize("value", ["0", "-3", "soon"])
def test_a_timeout_setting_that_cannot_be_used_is_refused_naming_it(tmp_path: Path, value: str) -> None:
    env = {**cli_env([DEAD], "faults_small", tmp_path / "index"), "NEWSARCHIVE_SOLR_TIMEOUT": value}
    result = CliRunner().invoke(main, ["search", "storm"], env=env)
    assert result.exit_code != 0
    assert "NEWSARCHIVE_SOLR_TIMEOUT" in result.output + stderr_of(result)


def test_a_dead_url_before_a_live_one_is_failed_over(cloud: DevCluster, small: SolrBackend) -> None:
    backend = SolrBackend(small.folder, SolrClient([DEAD, cloud.node_urls[0]], "faults_small", timeout=5))
    page = backend.search(Search(query="storm"))
    assert page.total == small.search(Search(query="storm")).total > 0 and not page.partial
    assert backend.article("a1").id == "a1"


ARTICLES = 300
FILES = 4


def generated(count: int) -> list[dict[str, object]]:
    return [{"id": f"g{n:04d}", "title": f"Generated story {n}", "date": f"2020-{1 + n % 12:02d}-{1 + n % 28:02d}",
             "source": f"Source {n % 5}", "topic": [f"topic{n % 7}"],
             "body": f"Story number {n} about harbour {n % 11} and the council vote {n % 13}."} for n in range(count)]


class Pausing(SolrBackend):
    """A SolrBackend whose first commit, once acknowledged, waits until the test has killed a node."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_done, self.go_on = threading.Event(), threading.Event()
        self.commits = 0

    def commit(self, batch: Batch, procs: int = 1) -> None:
        super().commit(batch, procs)
        self.commits += 1
        if self.commits == 1:
            self.first_done.set()
            self.go_on.wait(120)


def test_a_node_killed_mid_run_loses_no_acknowledged_write_and_a_rerun_is_exact(
        cloud: DevCluster, tmp_path: Path) -> None:
    records = generated(ARTICLES)
    per_file = ARTICLES // FILES
    files = [write_jsonl(tmp_path / f"part{i}.jsonl", records[i * per_file:(i + 1) * per_file]) for i in range(FILES)]
    options = IndexOptions(procs=1, batch_size=50)
    backend = Pausing(tmp_path / "index", SolrClient(cloud.node_urls, "faults_writes", timeout=10), shards=2)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            index_paths(files, backend, options)
        except BaseException as err:  # noqa: BLE001 - handed to the test's thread
            failure.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert backend.first_done.wait(240), "the first batch was never committed"
    assert sorted(shard_nodes(cloud, "faults_writes").values()) == [1, 2]
    cloud.stop_node(DOWN, kill=True)
    began = time.monotonic()
    backend.go_on.set()
    try:
        thread.join(120)
        failed_after = time.monotonic() - began
        assert not thread.is_alive(), "the indexing run hung with a node down"
        assert failure, "the run cannot have written every batch with a shard down"
        assert isinstance(failure[0], BackendUnavailableError), repr(failure[0])
        assert "start the node" in str(failure[0])
    finally:
        cloud.start_node(DOWN)
        cloud.wait_for_active("faults_writes")

    fresh = SolrBackend(tmp_path / "index", SolrClient(cloud.node_urls, "faults_writes", timeout=10), shards=2)
    kept = fresh.article_count()
    assert kept >= options.batch_size, f"the acknowledged first batch is missing: {kept} articles"
    report = index_paths(files, fresh, options)
    assert report.added + report.updated + report.unchanged == ARTICLES, report
    assert not report.skipped
    assert fresh.article_count() == ARTICLES
    page = fresh.search(Search(), Paging(per_page=1))
    assert page.total == ARTICLES and not page.partial
    for record in records[::23]:
        found = fresh.search(Search(query=f'"{record["title"]}"'), Paging(per_page=5))
        assert [hit.id for hit in found.hits].count(str(record["id"])) == 1
        assert fresh.article(str(record["id"])).id == record["id"]
    timing(f"writes: failed {failed_after:.1f} s after the kill ({failure[0]!r}); {kept} articles kept; "
          f"re-run {report.seconds:.1f} s: {report}")

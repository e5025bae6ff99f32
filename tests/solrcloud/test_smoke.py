"""A real two-node SolrCloud (ZooKeeper + 2 Solr JVMs on 127.0.0.1) answers, replicates, and tolerates a node down.

The cluster is the package's (indexer.solr.devcluster), started for this module alone because it stops and
restarts a node; the session's shared cluster (the `solr_cluster` fixture) is never touched here. Skipped unless
`java` and `mvn` are on PATH, failed instead in CI. Only the standard library speaks to Solr (urllib).
"""

from __future__ import annotations

import io
import json
import os
import socket
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer.solr.devcluster import DevCluster, alive
from tests.solr_cluster import skip_without_tools

CONFIGSET_DIR = Path(__file__).resolve().parent / "smoke-configset"
CONFIGSET = "newsarchive-smoke"
DOCS = [
    {"id": "a1", "title": "Storm batters coast", "body": "A storm battered the coast on Monday.", "source": "Gazette"},
    {"id": "a2", "title": "Fed raises rates", "body": "The Federal Reserve raised interest rates.", "source": "Wire"},
    {"id": "a3", "title": "Elections", "body": "Voters braved the storm to reach the polls.", "source": "Courier"},
]



def request(url: str, data: bytes | None = None, method: str = "GET", content_type: str = "") -> dict[str, Any]:
    """Send one request and parse Solr's JSON answer (an error status raises HTTPError)."""
    req = urllib.request.Request(url, data=data, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, timeout=60) as response:
        result: dict[str, Any] = json.load(response)
    return result


def configset_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("solrconfig.xml", "managed-schema.xml"):
            archive.write(CONFIGSET_DIR / name, name)
    return buffer.getvalue()


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevCluster]:
    """The cluster, started once for this module; afterwards nothing it started may still run or listen."""
    skip_without_tools()
    began = time.monotonic()
    cluster = DevCluster(tmp_path_factory.mktemp("smoke-cloud"), nodes=2, node_heap="512m").start()
    ports, pids = cluster.info.ports, cluster.info.pids
    timings = f"mvn {cluster.build_seconds:.1f} s, cluster up {cluster.startup_seconds:.1f} s"
    try:
        yield cluster
    finally:
        cluster.stop()
    elapsed = time.monotonic() - began
    still = [p for p in ports if listening(p)] + [p for p in pids if alive(p)]
    assert not still, f"still listening or running after stop: {still}"
    with open(Path(os.environ.get("SOLRCLOUD_TIMINGS", os.devnull)), "a", encoding="utf-8") as out:
        out.write(f"{timings}, module {elapsed:.1f} s\n")


@pytest.fixture(scope="module")
def smoke(cloud: DevCluster) -> DevCluster:
    """Our configset uploaded; `smoke` (2 shards x 2 replicas) and `smoke_rf1` (2 shards x 1) with DOCS in both."""
    base = cloud.node_urls[0]
    answer = request(f"{base.removesuffix('/solr')}/api/configsets/{CONFIGSET}", configset_zip(), "PUT",
                     "application/octet-stream")
    assert answer["responseHeader"]["status"] == 0
    for name, replicas in (("smoke", 2), ("smoke_rf1", 1)):
        created = cloud.get("/admin/collections", action="CREATE", name=name, numShards="2",
                            replicationFactor=str(replicas), **{"collection.configName": CONFIGSET})
        assert "success" in created, created
        cloud.wait_for_active(name)
        request(f"{base}/{name}/update?commit=true&wt=json", json.dumps(DOCS).encode(), "POST", "application/json")
    return cloud


def select(cloud: DevCluster, collection: str, node: int, **params: str) -> dict[str, Any]:
    return cloud.get(f"/{collection}/select", node, **{"q": "*:*", "fl": "id", "rows": "10", **params})


def ids(answer: dict[str, Any]) -> set[str]:
    return {doc["id"] for doc in answer["response"]["docs"]}


def test_every_node_is_a_cloud_node_on_loopback(cloud: DevCluster) -> None:
    assert len(cloud.node_urls) == 2 and len(set(cloud.node_urls)) == 2
    for node, url in enumerate(cloud.node_urls, 1):
        assert url.startswith("http://127.0.0.1:") and url.endswith("/solr")
        system = cloud.get("/admin/info/system", node)
        assert system["mode"] == "solrcloud"
        assert system["zkHost"] == cloud.zk_host
        assert system["lucene"]["solr-spec-version"] == "9.10.1"
    live = cloud.get("/admin/collections", action="CLUSTERSTATUS")["cluster"]["live_nodes"]
    assert sorted(live) == sorted(node.name for node in cloud.info.nodes)


def test_configset_is_uploaded(smoke: DevCluster) -> None:
    assert CONFIGSET in smoke.get("/admin/configs", action="LIST")["configSets"]


def test_every_node_answers_for_the_whole_collection(smoke: DevCluster) -> None:
    for node in (1, 2):
        for collection in ("smoke", "smoke_rf1"):
            assert ids(select(smoke, collection, node)) == {"a1", "a2", "a3"}
        assert ids(select(smoke, "smoke", node, q="storm")) == {"a1", "a3"}
        assert ids(select(smoke, "smoke", node, q="source:Wire")) == {"a2"}
    # Two shards, two replicas, each replica of a shard on a different node.
    smoke.wait_for_active("smoke")
    status = smoke.get("/admin/collections", action="CLUSTERSTATUS", collection="smoke")["cluster"]
    state = status["collections"]["smoke"]
    for shard in state["shards"].values():
        assert len({r["node_name"] for r in shard["replicas"].values()}) == 2


def test_a_node_down(smoke: DevCluster) -> None:
    """With a node down, a shard whose only replica it held is missing: shards.tolerant gives partialResults."""
    smoke.wait_for_active("smoke_rf1")
    status = smoke.get("/admin/collections", action="CLUSTERSTATUS", collection="smoke_rf1")["cluster"]
    state = status["collections"]["smoke_rf1"]
    node_of = {node.name: node.index for node in smoke.info.nodes}
    placed = {name: node_of[next(iter(s["replicas"].values()))["node_name"]] for name, s in state["shards"].items()}
    assert sorted(placed.values()) == [1, 2], f"expected one shard of smoke_rf1 on each node: {placed}"
    down, up = 2, 1
    up_shards = {name for name, node in placed.items() if node == up}
    where = select(smoke, "smoke_rf1", up, fl="id,[shard]")["response"]["docs"]  # [shard]: "shard1", ...
    kept = {d["id"] for d in where if d["[shard]"] in up_shards}
    assert 0 < len(kept) < len(DOCS), f"both shards should hold documents: {where}"

    smoke.stop_node(down)
    try:
        assert smoke.info.nodes[down - 1].pid == -1
        # Two replicas per shard: every shard still has one live, so the answer is whole.
        whole = select(smoke, "smoke", up)
        assert ids(whole) == {"a1", "a2", "a3"} and "partialResults" not in whole["responseHeader"]
        # One replica per shard: without shards.tolerant the query fails ...
        with pytest.raises(urllib.error.HTTPError) as failed:
            select(smoke, "smoke_rf1", up)
        assert failed.value.code == 503
        assert "no active servers hosting shard" in json.load(failed.value)["error"]["msg"]
        failed.value.close()
        # ... with it, the live shard answers and the header says the results are partial.
        partial = select(smoke, "smoke_rf1", up, **{"shards.tolerant": "true"})
        assert partial["responseHeader"]["partialResults"] is True
        assert ids(partial) == kept
    finally:
        smoke.start_node(down)
    assert smoke.info.nodes[down - 1].pid > 0
    for collection in ("smoke", "smoke_rf1"):
        smoke.wait_for_active(collection)
        for node in (1, 2):
            answer = select(smoke, collection, node)
            assert ids(answer) == {"a1", "a2", "a3"} and "partialResults" not in answer["responseHeader"]

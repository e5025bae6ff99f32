"""`newsarchive check` on Solr: the collection exists with this schema version and every shard has an active
leader; and how many Lucene segments the shards' leaders hold (the check's and `stats`'s figure)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import IndexNotFoundError, NewsArchiveError
from ..results import OK, PROBLEM, WARNING, CheckReport, Finding
from .client import SolrAccessError, SolrClient
from .provision import SOLR_SCHEMA_VERSION, VERSION_PROPERTY, SolrAdmin


def check_collection(folder: Path, client: SolrClient, cluster_status: Callable[[], dict[str, Any]],
                     article_count: Callable[[], int]) -> CheckReport:
    """Verify the collection: it exists with this schema version, every shard has an active leader
    (cluster_status: the collection's CLUSTERSTATUS, IndexNotFoundError when there is none)."""
    started = time.perf_counter()
    report = CheckReport(folder)
    add = report.findings.append
    init = f"create it: `newsarchive solr init` (collection {client.collection!r})"
    try:
        status = cluster_status()
    except IndexNotFoundError as err:
        add(Finding(PROBLEM, str(err), init))
        report.seconds = time.perf_counter() - started
        return report
    except NewsArchiveError as err:
        add(Finding(PROBLEM, str(err), "start the cluster, or point NEWSARCHIVE_SOLR_URL at its nodes"))
        report.seconds = time.perf_counter() - started
        return report
    version = SolrAdmin([], client=client).collection_property(client.collection, VERSION_PROPERTY)
    if str(version) != str(SOLR_SCHEMA_VERSION):
        add(Finding(PROBLEM, f"the collection has schema version {version}, this newsarchive writes "
                             f"{SOLR_SCHEMA_VERSION}", "rebuild into a new collection with `newsarchive solr "
                                                      "init` and `newsarchive index --rebuild`"))
    shards = status.get("shards", {})
    report.segments = segment_count(client, shards)
    for name, shard in sorted(shards.items()):
        replicas = shard.get("replicas", {}).values()
        active = [r for r in replicas if r.get("state") == "active"]
        if not any(r.get("leader") == "true" and r.get("state") == "active" for r in replicas):
            add(Finding(PROBLEM, f"shard {name} has no active leader: searches miss its articles",
                        "start the nodes that hold it (`newsarchive check` again then)"))
        elif len(active) < len(replicas):
            add(Finding(WARNING, f"shard {name}: {len(active)} of {len(replicas)} replicas active",
                        "start the nodes that hold the others"))
    if not any(f.level == PROBLEM for f in report.findings):
        report.documents = article_count()
        add(Finding(OK, f"the collection {client.collection!r} answers: {len(shards)} shard(s), "
                        f"{report.documents:,} articles"))
    report.seconds = time.perf_counter() - started
    return report


def segment_count(client: SolrClient, shards: dict[str, Any]) -> int:
    """Return how many Lucene segments the shards' leaders hold (each core's own status, on its node)."""
    total = 0
    for shard in shards.values():
        leader = next((r for r in shard.get("replicas", {}).values() if r.get("leader") == "true"), None)
        if leader is None:
            continue
        core = str(leader["core"])
        try:
            status = client.on_node(leader["base_url"]).get(
                "/admin/cores", {"action": "STATUS", "core": core, "indexInfo": "true"})
        except SolrAccessError:
            raise
        except NewsArchiveError:  # its node is down: the stats say partial
            continue
        total += int(status.get("status", {}).get(core, {}).get("index", {}).get("segmentCount", 0))
    return total

"""A node of the SolrCloud killed (SIGKILL) in the middle of a load and in the middle of searching: what the user
saw and what was lost. Run by bench/solr.py on its 2-node cluster, with collections of 2 shards x 1 replica, so
that the killed node takes a whole shard with it.

- Mid-load: `index_paths` into a fresh collection; once about a third of the corpus is acknowledged (committed
  batches), node 2 is killed while the load goes on. Measured: how soon the run fails and with what message,
  how many articles had been acknowledged, whether every one of them is there once the node is back (none may be
  missing), and a re-run of the same files: its time and report, and that the collection then holds exactly the
  corpus.
- Mid-search: a client asks /api/search (the web app in this process, over the backend) for the query list in a
  loop; node 2 is killed, then restarted. Each answer is classed whole (200), partial (200 with "partial": true)
  or error (anything else), by when it arrived: before the kill, while the node is down or recovering, and once
  its replica is active again; with the seconds from the restart to the first whole answer.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.run import _percentiles
from indexer.backend import Batch
from indexer.build import IndexOptions, index_paths
from indexer.request import Search
from indexer.solr.backend import SolrBackend
from indexer.solr.client import SolrClient
from indexer.solr.devcluster import DevCluster

DOWN = 2  # the node killed
KILL_AT = 1 / 3  # of the corpus acknowledged
SEARCH_BEFORE, SEARCH_DOWN, SEARCH_AFTER = 3.0, 8.0, 3.0  # seconds of searching in each phase
APP = {"TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0}


@dataclass
class LoadFault:
    """A node killed mid-load."""

    articles: int  # in the corpus
    acknowledged: int = 0  # in batches committed before the run failed
    failed_after_s: float = 0.0  # from the kill to the run's error
    error: str = ""  # what the run said
    kept: int = 0  # articles in the collection once the node was back
    acknowledged_missing: int = 0  # acknowledged and not there: must be 0
    rerun_s: float = 0.0
    rerun_report: str = ""
    after_rerun: int = 0  # articles in the collection after the re-run: must be the corpus
    distinct_after_rerun: int = 0


@dataclass
class SearchFault:
    """A node killed while a client searches."""

    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # phase -> whole/partial/error -> count
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)  # phase -> percentiles
    partial_totals: str = ""  # e.g. "everything: 10,512 of 21,578"
    errors: list[str] = field(default_factory=list)  # the first few error answers
    down_s: float = 0.0  # from the kill to the replica active again
    whole_again_s: float = 0.0  # from the restart to the first whole answer


class Acknowledging(SolrBackend):
    """A SolrBackend that notes the ids of every batch it has committed (acknowledged)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acknowledged: set[str] = set()
        self.grew = threading.Condition()

    def commit(self, batch: Batch, procs: int = 1) -> None:
        super().commit(batch, procs)
        with self.grew:
            self.acknowledged.update(batch.articles)
            self.grew.notify_all()


def ids_in(backend: SolrBackend) -> list[str]:
    """Return the id of every article in the collection (a cursor export)."""
    return [article.id for article in backend.iter_matches(Search(), 10**9)]


def kill_mid_load(cluster: DevCluster, folder: Path, files: list[Path], articles: int) -> LoadFault:
    """Load into a fresh 2-shard collection, kill a node a third of the way in; restart it, check, load again."""
    client = SolrClient(cluster.node_urls, "bench_faults_load", timeout=10)
    backend = Acknowledging(folder, client, shards=2)
    fault = LoadFault(articles)
    failure: list[BaseException] = []

    def load() -> None:
        try:
            index_paths(files, backend, IndexOptions(procs=1))
        except BaseException as err:  # noqa: BLE001 - handed to the measuring thread
            failure.append(err)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    with backend.grew:
        backend.grew.wait_for(lambda: len(backend.acknowledged) >= articles * KILL_AT or not thread.is_alive(), 3600)
    cluster.stop_node(DOWN, kill=True)
    killed = time.monotonic()
    thread.join(3600)
    fault.failed_after_s = time.monotonic() - killed
    fault.acknowledged = len(backend.acknowledged)
    fault.error = repr(failure[0]) if failure else "(the run finished: it cannot have written a lost shard)"
    cluster.start_node(DOWN)
    cluster.wait_for_active("bench_faults_load")
    fresh = SolrBackend(folder, client, shards=2)
    present = set(ids_in(fresh))
    fault.kept = len(present)
    fault.acknowledged_missing = len(backend.acknowledged - present)
    started = time.perf_counter()
    report = index_paths(files, fresh, IndexOptions(procs=1))
    fault.rerun_s = time.perf_counter() - started
    fault.rerun_report = (f"{report.added:,} added, {report.updated:,} updated, {report.unchanged:,} unchanged, "
                          f"{len(report.skipped):,} skipped")
    after = ids_in(fresh)
    fault.after_rerun, fault.distinct_after_rerun = fresh.article_count(), len(set(after))
    return fault


def kill_mid_search(cluster: DevCluster, backend: SolrBackend, queries: tuple[str, ...], total: int) -> SearchFault:
    """Search in a loop through the API while a node is killed and restarted; class every answer."""
    from webapp import create_app

    api = create_app(APP, backend=backend).test_client()
    # (when it arrived, outcome, ms, detail): an answer belongs to the phase it arrived in, since one asked just
    # before the kill and answered after it saw the node gone.
    answers: list[tuple[float, str, float, str]] = []
    stop = threading.Event()

    def client() -> None:
        n = 0
        while not stop.is_set():
            query = queries[n % len(queries)]
            n += 1
            began = time.monotonic()
            response = api.get("/api/search", query_string={"q": query})
            arrived = time.monotonic()
            took = (arrived - began) * 1000
            body = response.get_json(silent=True) or {}
            if response.status_code != 200:
                answers.append((arrived, "error", took, f"{response.status_code}: {body.get('error', {})}"))
            else:
                detail = f"{query or 'everything'}: {body.get('total', 0):,}"
                answers.append((arrived, "partial" if body.get("partial") else "whole", took, detail))

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    time.sleep(SEARCH_BEFORE)
    killed = time.monotonic()
    cluster.stop_node(DOWN, kill=True)
    time.sleep(SEARCH_DOWN)
    restarted = time.monotonic()
    cluster.start_node(DOWN)
    cluster.wait_for_active(backend.client.collection)
    active = time.monotonic()
    time.sleep(SEARCH_AFTER)
    stop.set()
    thread.join(60)

    fault = SearchFault(down_s=active - killed)
    phases = {"before the kill": (0.0, killed), "node down or recovering": (killed, active),
              "replica active again": (active, float("inf"))}
    for phase, (start, end) in phases.items():
        inside = [a for a in answers if start <= a[0] < end]
        fault.outcomes[phase] = dict(Counter(outcome for _, outcome, _, _ in inside))
        if inside:
            times = [ms for _, _, ms, _ in inside]
            fault.latency_ms[phase] = {**_percentiles(times), "max": max(times)}
    partial = next((a for a in answers if a[1] == "partial" and a[3].startswith("everything")), None)
    if partial:
        fault.partial_totals = f"{partial[3]} of {total:,}"
    fault.errors = [a[3] for a in answers if a[1] == "error"][:3]
    first_whole = next((a[0] for a in answers if a[0] >= restarted and a[1] == "whole"), None)
    fault.whole_again_s = (first_whole - restarted) if first_whole is not None else float("nan")
    return fault


def markdown(load: LoadFault, search: SearchFault) -> list[str]:
    """Return the faults' part of the report."""
    lost = "nothing" if load.acknowledged_missing == 0 else f"{load.acknowledged_missing:,} acknowledged articles"
    exact = load.after_rerun == load.distinct_after_rerun == load.articles
    lines = [
        "", "### A node killed (SIGKILL) mid-load", "",
        f"2 shards x 1 replica, node {DOWN} killed once {load.acknowledged:,} of {load.articles:,} articles were "
        f"acknowledged (committed batches).", "",
        f"- The run failed {load.failed_after_s:.1f} s after the kill: `{load.error}`.",
        f"- Once the node was back: {load.kept:,} articles in the collection; acknowledged and missing: {lost}.",
        f"- Re-run of the same files: {load.rerun_s:.1f} s ({load.rerun_report}); the collection then held "
        f"{load.after_rerun:,} articles, {load.distinct_after_rerun:,} distinct ids: "
        f"{'exactly the corpus' if exact else 'NOT the corpus'}.",
        "", "### A node killed (SIGKILL) mid-search", "",
        f"A client searching /api/search in a loop; node {DOWN} killed, restarted after {SEARCH_DOWN:.0f} s; "
        f"{search.down_s:.1f} s from the kill to its replica active again.", "",
        "| phase | whole | partial | error | p50, ms | max, ms |", "|---|---:|---:|---:|---:|---:|",
    ]
    for phase, counts in search.outcomes.items():
        latency = search.latency_ms.get(phase, {})
        lines.append(f"| {phase} | {counts.get('whole', 0):,} | {counts.get('partial', 0):,} | "
                     f"{counts.get('error', 0):,} | {latency.get('p50', 0):.1f} | {latency.get('max', 0):.1f} |")
    lines += ["", f"While partial, the page said so and the browse-all total was {search.partial_totals or '(none)'}"
                  f"; first whole answer {search.whole_again_s:.1f} s after the restart began."]
    if search.errors:
        lines.append("Errors seen: " + "; ".join(f"`{e}`" for e in search.errors))
    return lines

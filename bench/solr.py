"""Whoosh against SolrCloud (1 shard and 2 shards): load rate and search-page latency, and a node killed mid-load
and mid-search (bench/solr_faults.py), one run.

    python -m bench.solr [--corpus reuters|100k] [--rounds 5] [--no-faults]

The script starts its own local SolrCloud (indexer.solr.devcluster: ZooKeeper and 2 Solr nodes, each a JVM) on
this machine, so Solr's JVMs share the cores with the Python client that analyses and sends the documents: the
figures are of that setup, not of a Solr on machines of its own. Every system loads the same files (Reuters'
.sgm files, or the generated 100,000-article archive of bench/corpus) through the same `index_paths` (one
process); the search is what the web page asks for (10 hits, snippets, facets, timeline) over a fixed query
list, after one warm-up pass. Writes bench/results/solr-<corpus>-<time>.md and .json. Compare the ratios within
a run, not runs with each other.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.run import DATA, SHARED, SYNTHETIC, _percentiles, machine, write_results
from bench.solr_faults import LoadFault, SearchFault, kill_mid_load, kill_mid_search
from bench.solr_faults import markdown as faults_markdown
from indexer.backend import SearchBackend, open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Paging, Search

REUTERS = SHARED / "reuters21578" / "sgm-data"
NODES = 2
PAGE = Paging(per_page=10)
# The search page's work over the query forms people use (the list of bench/search_latency.py).
QUERIES = (
    "", "oil", "trade deficit", '"interest rates"', "opec OR cartel", "oil -opec", "headline:merger",
    "export*", "wheat date:1987-04", "dollar yen", "bank", "author:mankowski", "coffee brazil",
    "tokyo stock exchange", "gold",
)
SETUP = (f"Solr: a local SolrCloud of {NODES} nodes (each a JVM, plus ZooKeeper) started by this script on the same "
         "cores as the client, which analyses the documents in Python (one process)")


@dataclass
class SystemFigures:
    """How one system loaded Reuters and answered the search page."""

    articles: int
    load_seconds: float
    docs_per_second: float
    search_ms: dict[str, float]
    totals: list[int]


@dataclass
class SolrReport:
    """Everything one run measured."""

    corpus: str
    machine: str
    started: str
    setup: str
    rounds: int
    queries: list[str]
    systems: dict[str, SystemFigures] = field(default_factory=dict)
    totals_agree: bool = False
    load_fault: LoadFault | None = None
    search_fault: SearchFault | None = None


def load(backend_of: Any, files: list[Path]) -> tuple[SearchBackend, float]:
    """Index the files into a fresh backend; return the backend reopened for reading, and the seconds taken."""
    started = time.perf_counter()
    index_paths(files, backend_of(), IndexOptions(procs=1))
    seconds = time.perf_counter() - started
    return backend_of(), seconds


def search_times(backend: SearchBackend, rounds: int) -> tuple[list[float], list[int]]:
    """Time the search page over the query list; return the milliseconds and each query's total."""
    totals = [backend.search(Search(query=q), PAGE).total for q in QUERIES]  # warm-up
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            backend.search(Search(query=query), PAGE)
            times.append((time.perf_counter() - started) * 1000)
    return times, totals


def measure(name: str, backend_of: Any, files: list[Path], rounds: int) -> SystemFigures:
    """Load and search one system."""
    sys.stderr.write(f"{name}: loading\n")
    backend, seconds = load(backend_of, files)
    articles = backend.article_count()
    sys.stderr.write(f"{name}: {articles:,} articles in {seconds:.1f} s; searching\n")
    times, totals = search_times(backend, rounds)
    backend.close()
    return SystemFigures(articles, seconds, articles / seconds, _percentiles(times), totals)


def corpus_files(corpus: str) -> list[Path]:
    """Return the files of a corpus: Reuters' .sgm files, or the generated archive (made once, kept in bench/data)."""
    if corpus == "reuters":
        files = sorted(REUTERS.glob("*.sgm"))
        if not files:
            raise SystemExit(f"Reuters-21578 not found at {REUTERS}")
        return files
    if corpus not in SYNTHETIC:
        raise SystemExit(f"unknown corpus {corpus!r}: reuters, {', '.join(SYNTHETIC)}")
    from bench.corpus import ensure_corpus

    return [ensure_corpus(SYNTHETIC[corpus], seed=1, folder=DATA)]


def run(corpus: str, rounds: int, faults: bool) -> SolrReport:
    """Start the cluster, measure Whoosh and Solr with 1 and 2 shards (and the faults), stop the cluster."""
    from indexer.solr.backend import SolrBackend
    from indexer.solr.client import SolrClient
    from indexer.solr.devcluster import DevCluster

    files = corpus_files(corpus)
    report = SolrReport(corpus, machine(), datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), SETUP, rounds,
                        list(QUERIES))
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-solr-") as scratch:
        base = Path(scratch)
        report.systems["whoosh"] = measure("whoosh", lambda: open_backend("whoosh", base / "whoosh"), files, rounds)
        sys.stderr.write("starting a 2-node SolrCloud\n")
        with DevCluster(base / "cluster", nodes=NODES) as cluster:
            urls = cluster.node_urls
            for shards in (1, 2):
                name, collection = f"solr, {shards} shard{'s' * (shards > 1)}", f"bench_{shards}shard"

                def backend_of(shards: int = shards, collection: str = collection) -> SearchBackend:
                    return SolrBackend(base / collection, SolrClient(urls, collection), shards=shards)

                report.systems[name] = measure(name, backend_of, files, rounds)
                if faults and shards == 2:
                    sys.stderr.write("a node killed mid-search\n")
                    articles = report.systems[name].articles
                    report.search_fault = kill_mid_search(cluster, backend_of(), QUERIES, articles)
                SolrClient(urls, "").get("/admin/collections", {"action": "DELETE", "name": collection})
            if faults:
                sys.stderr.write("a node killed mid-load\n")
                articles = report.systems["whoosh"].articles
                report.load_fault = kill_mid_load(cluster, base / "faults-load", files, articles)
    report.totals_agree = len({tuple(s.totals) for s in report.systems.values()}) == 1
    return report


def markdown(report: SolrReport) -> str:
    """Return the report as a Markdown table, ratios against Whoosh."""
    names = list(report.systems)
    base = report.systems["whoosh"]
    cells = {
        "articles": lambda s: f"{s.articles:,}",
        "load, s": lambda s: f"{s.load_seconds:.1f}",
        "load, articles/s": lambda s: f"{s.docs_per_second:,.0f}",
        "load rate vs Whoosh": lambda s: f"{s.docs_per_second / base.docs_per_second:.2f}×",
        "search page p50, ms": lambda s: f"{s.search_ms['p50']:.1f}",
        "search page p95, ms": lambda s: f"{s.search_ms['p95']:.1f}",
        "p50 vs Whoosh": lambda s: f"{s.search_ms['p50'] / base.search_ms['p50']:.2f}×",
        "p95 vs Whoosh": lambda s: f"{s.search_ms['p95'] / base.search_ms['p95']:.2f}×",
    }
    lines = [
        f"## {report.corpus}: Whoosh and SolrCloud",
        "",
        f"{report.machine}; {report.started}. {report.setup}. Search page: 10 hits, snippets, facets and timeline, "
        f"{len(report.queries)} queries × {report.rounds} rounds after a warm-up. Ratios are within this run.",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    lines += [f"| {label} | " + " | ".join(cell(report.systems[n]) for n in names) + " |"
              for label, cell in cells.items()]
    lines += ["", f"Same totals for every query on every system: {'yes' if report.totals_agree else 'no'}."]
    if report.load_fault and report.search_fault:
        lines += faults_markdown(report.load_fault, report.search_fault)
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run and write the Markdown and JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="reuters", help=f"reuters or {', '.join(SYNTHETIC)}")
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the query list")
    parser.add_argument("--no-faults", action="store_true", help="skip killing a node mid-load and mid-search")
    args = parser.parse_args()
    report = run(args.corpus, args.rounds, not args.no_faults)
    write_results(f"solr-{args.corpus}", report.started, markdown(report), asdict(report))


if __name__ == "__main__":
    main()

"""The benchmark harness: newsarchive and its peers, side by side, on the same data in the same run.

    python -m bench.run                      # Reuters-21578 (and the relevance table: TIME, Cranfield)
    python -m bench.run --corpus 100k        # a generated 100,000-article archive (bench/corpus/)
    python -m bench.run --corpus 1m --rounds 3

Writes bench/results/<corpus>-<time>.md and .json and prints the Markdown. Indexing steps run in subprocesses, so
peak memory is each build's own; queries run in this process after one warm-up pass. Figures on a shared machine
are noisy: compare systems within one run (the ratios), not runs with each other.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.peers import PEERS, BenchQuery
from bench.queries import query_set

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
RESULTS = BENCH / "results"
SHARED = BENCH.parent.parent / "shared" / "data"
SYNTHETIC = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
EXTRA_FRACTION = 0.01
RELATED_SAMPLES = 5


@dataclass
class IndexFigures:
    """How one system indexed the corpus."""

    seconds: float
    docs_per_second: float
    peak_mb: float
    size_mb: float
    rerun_seconds: float
    add_seconds: float


@dataclass
class Report:
    """Everything one run measured."""

    corpus: str
    documents: int
    machine: str
    started: str
    indexing: dict[str, IndexFigures] = field(default_factory=dict)
    queries: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # kind -> peer -> percentiles
    totals_agree: dict[str, bool] = field(default_factory=dict)
    relevance: list[dict[str, Any]] = field(default_factory=list)


def prepare(corpus: str) -> tuple[Path, Path, int]:
    """Return the main corpus (99%), the extra 1% to add later, and the main corpus's size."""
    DATA.mkdir(parents=True, exist_ok=True)
    main, extra = DATA / f"{corpus}-main.jsonl", DATA / f"{corpus}-extra.jsonl"
    if not (main.exists() and extra.exists()):
        source = _reuters_jsonl() if corpus == "reuters" else _synthetic(corpus)
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
        cut = len(lines) - max(1, int(len(lines) * EXTRA_FRACTION))
        _write_atomically(main, lines[:cut])
        _write_atomically(extra, lines[cut:])
    with main.open(encoding="utf-8") as f:
        count = sum(1 for _ in f)
    return main, extra, count


def _reuters_jsonl() -> Path:
    from indexer.parsers import parse_path
    from indexer.records import Article
    from indexer.results import article_to_dict

    path = DATA / "reuters.jsonl"
    if not path.exists():
        lines = []
        for sgm in sorted((SHARED / "reuters21578" / "sgm-data").glob("*.sgm")):
            for item in parse_path(sgm):
                if isinstance(item, Article):
                    lines.append(json.dumps(article_to_dict(item), ensure_ascii=False) + "\n")
        _write_atomically(path, lines)
    return path


def _synthetic(corpus: str) -> Path:
    from bench.corpus import ensure_corpus

    if corpus not in SYNTHETIC:
        raise SystemExit(f"unknown corpus {corpus!r}: reuters, {', '.join(SYNTHETIC)}")
    return ensure_corpus(SYNTHETIC[corpus], seed=1, folder=DATA)


def _write_atomically(path: Path, lines: list[str]) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text("".join(lines), encoding="utf-8")
    partial.replace(path)


def step(peer: str, action: str, corpus: Path, folder: Path, procs: int) -> tuple[float, float]:
    """Run one indexing step in a subprocess; return (seconds, peak resident memory in MB)."""
    command = [sys.executable, "-m", "bench.run", "--step", peer, action, str(corpus), str(folder), str(procs)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=BENCH.parent)
    assert process.stdout is not None
    output = process.stdout.read()
    if process.wait() != 0:
        raise SystemExit(f"{peer} {action} failed (status {process.returncode})")
    figures = json.loads(output)
    return float(figures["seconds"]), float(figures["peak_mb"])


def _run_step(peer: str, action: str, corpus: str, folder: str, procs: str) -> None:
    system = PEERS[peer]()
    started = time.perf_counter()
    getattr(system, action)(Path(corpus), Path(folder), int(procs))
    sys.stdout.write(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}))


def _peak_mb() -> float:
    """Return the peak resident memory of this step and of its worker processes, in MB.

    Not the rusage of the step as its parent sees it: Linux carries a process's peak across exec, so a step
    started from a harness holding a generated corpus (600 MB) reported the harness's memory, whatever it used.
    VmHWM is the peak of this program alone; the children's peak is the largest of theirs.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))  # kB
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def index_figures(peer: str, main: Path, extra: Path, documents: int, folder: Path, procs: int) -> IndexFigures:
    """Build, re-run over the unchanged corpus, then add 1%; measure each."""
    seconds, peak = step(peer, "build", main, folder, procs)
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20
    rerun, _ = step(peer, "rerun", main, folder, procs)
    added, _ = step(peer, "add", extra, folder, procs)
    return IndexFigures(seconds, documents / seconds, peak, size, rerun, added)


def query_figures(
    peers: dict[str, Any], queries: list[BenchQuery], rounds: int
) -> tuple[dict[str, Any], dict[str, bool]]:
    """Time every query on every peer; return percentiles per kind and whether the peers' totals agree."""
    times: dict[str, dict[str, list[float]]] = {}
    totals: dict[str, dict[str, set[int]]] = {}
    for name, system in peers.items():
        for query in queries:  # warm-up, and the totals to compare
            outcome = system.run(query)
            totals.setdefault(query.kind, {}).setdefault(name, set()).add(outcome.total)
        for _ in range(rounds):
            for query in queries:
                started = time.perf_counter()
                system.run(query)
                times.setdefault(query.kind, {}).setdefault(name, []).append((time.perf_counter() - started) * 1000)
        clear = getattr(system, "clear_caches", None)
        if clear is not None:
            # A peer with caches of its own is also timed with them emptied before every query ("cold").
            for _ in range(rounds):
                for query in queries:
                    clear()
                    started = time.perf_counter()
                    system.run(query)
                    elapsed = (time.perf_counter() - started) * 1000
                    times.setdefault(query.kind, {}).setdefault(f"{name}, cold", []).append(elapsed)
    figures = {kind: {name: _percentiles(t) for name, t in by_peer.items()} for kind, by_peer in times.items()}
    agree = {kind: len({frozenset(v) for v in by_peer.values()}) == 1 for kind, by_peer in totals.items()}
    return figures, agree


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": statistics.median(ordered), "p95": at(0.95), "p99": at(0.99), "n": len(ordered)}


def related_ids(corpus: Path, count: int) -> list[str]:
    """Return evenly spread article ids of the corpus."""
    with corpus.open(encoding="utf-8") as f:
        ids = [json.loads(line)["id"] for line in f]
    return [ids[i * len(ids) // count] for i in range(count)]


def corpus_years(corpus: Path) -> tuple[int, int]:
    """Return the first and last year of the corpus's dates."""
    years = set()
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            value = json.loads(line).get("date")
            if value:
                years.add(int(value[:4]))
    return min(years), max(years)


def markdown(report: Report) -> str:
    """Return the report as Markdown tables."""
    peers = list(report.indexing)
    lines = [
        f"## {report.corpus}: {report.documents:,} articles",
        "",
        f"{report.machine}; {report.started}. Ratios are against newsarchive in the same run.",
        "",
        "| indexing | " + " | ".join(peers) + " |",
        "|---|" + "---|" * len(peers),
    ]
    rows = [
        ("build, s", "seconds", "{:.1f}"), ("documents/s", "docs_per_second", "{:,.0f}"),
        ("peak memory, MB", "peak_mb", "{:,.0f}"), ("index size, MB", "size_mb", "{:,.0f}"),
        ("re-run unchanged, s", "rerun_seconds", "{:.2f}"), ("add 1%, s", "add_seconds", "{:.2f}"),
    ]
    for label, key, fmt in rows:
        lines.append(f"| {label} | " + " | ".join(fmt.format(getattr(report.indexing[p], key)) for p in peers) + " |")
    base = report.indexing.get("newsarchive")
    if base:
        lines.append("| build time vs newsarchive | " + " | ".join(
            f"{report.indexing[p].seconds / base.seconds:.2f}×" for p in peers) + " |")
    timed = list(dict.fromkeys(name for by_peer in report.queries.values() for name in by_peer))
    lines += ["", "| query (ms: p50 / p95 / p99) | " + " | ".join(timed) + " | same totals |",
              "|---|" + "---|" * (len(timed) + 1)]
    for kind, by_peer in report.queries.items():
        cells = [_cell(by_peer.get(p)) for p in timed]
        lines.append(f"| {kind} | " + " | ".join(cells) + f" | {'yes' if report.totals_agree.get(kind) else 'no'} |")
    if report.relevance:
        from bench.relevance import markdown_table

        lines += ["", markdown_table(report.relevance)]
    return "\n".join(lines) + "\n"


def _cell(figures: dict[str, float] | None) -> str:
    if not figures:
        return "–"
    return f"{figures['p50']:.1f} / {figures['p95']:.1f} / {figures['p99']:.1f}"


def machine() -> str:
    """Describe this machine."""
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    """Run the benchmark and write its Markdown and JSON."""
    parser = argparse.ArgumentParser(description="Benchmark newsarchive against its peers.")
    parser.add_argument("--corpus", default="reuters", help="reuters, 10k, 100k or 1m")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated: " + ", ".join(PEERS))
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the query set")
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="processes for indexing")
    parser.add_argument("--no-relevance", action="store_true", help="skip the relevance table (TIME, Cranfield)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build the indexes in DIR/<peer> and keep them")
    parser.add_argument("--step", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _run_step(*args.step)
        return
    report = run(args.corpus, args.peers.split(","), args.rounds, args.procs, not args.no_relevance, args.keep)
    write_results(args.corpus, report.started, markdown(report), asdict(report))


def write_results(name: str, started: str, text: str, data: Any) -> None:
    """Write a run's Markdown and JSON as bench/results/<name>-<start time>.md and .json, and print the Markdown."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{name}-{started.replace(':', '').replace('-', '')[:15]}"
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    stem.with_suffix(".json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    sys.stdout.write(text + f"\nWritten: {stem}.md, {stem}.json\n")


def run(corpus: str, names: list[str], rounds: int, procs: int, relevance: bool, keep: Path | None = None) -> Report:
    """Index the corpus with every peer, then time the query set on each (in `keep`, kept, when given)."""
    import contextlib
    import tempfile

    main_file, extra, documents = prepare(corpus)
    report = Report(corpus, documents, machine(), datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    opened: dict[str, Any] = {}
    # Every peer's code is imported now, not after the builds: a long run must not mix the code it started with
    # and code edited while it ran (a 1M run once failed on that after 90 minutes of building).
    systems = {name: PEERS[name]() for name in names}
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        if any(keep.iterdir()):
            raise SystemExit(f"--keep {keep}: the folder is not empty")
    place = contextlib.nullcontext(str(keep)) if keep else tempfile.TemporaryDirectory(prefix="newsarchive-bench-")
    with place as scratch:
        for name in names:
            folder = Path(scratch) / name
            report.indexing[name] = index_figures(name, main_file, extra, documents, folder, procs)
            systems[name].open(folder)
            opened[name] = systems[name]
        queries = query_set(related_ids(main_file, RELATED_SAMPLES), corpus_years(main_file))
        report.queries, report.totals_agree = query_figures(opened, queries, rounds)
        for system in opened.values():
            system.close()
    if relevance:
        from bench.relevance import evaluate

        report.relevance = evaluate(names)
    return report


if __name__ == "__main__":
    main()

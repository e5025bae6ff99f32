"""Load test: `newsarchive serve` (gunicorn's master and workers, real HTTP on 127.0.0.1) under concurrent clients
issuing a realistic mix of requests, optionally while `newsarchive index` adds a file to the same index halfway through.

    python -m bench.load --index DIR [--clients 16] [--seconds 60] [--index-during PATH] [--workers N] [--threads 4]
                         [--mix realistic|api-search|search-page] [--probe-query WORD] [--seed 1]

The realistic mix (the default): search pages (HTML, 1-3 words from a word list made of the index's own headlines,
sometimes a topic or a second page), JSON API searches with facets, date ranges, sorts and match=any, article pages
(HTML, with and without a query to highlight), articles and related articles from the API, Atom feeds, stats, CSV and
JSON Lines exports (capped at EXPORT_CAP articles), and a few requests for articles that do not exist (a 404 is their
right answer). `--mix api-search` makes only the JSON API searches, `--mix search-page` only the search pages. Each
client is a thread with its own keep-alive connection (http.client); the rate limits are set far above what the
clients can reach. Errors are any other non-2xx answer and any exception.

With --index-during, `newsarchive index PATH --index DIR` starts halfway through; a probe (not counted in the load)
asks for the file's first article, and for --probe-query when given, until the server answers with it: the time
from the index run's end to then is how long a commit takes to be seen. The server's memory, the VmRSS of its
master and every worker (its child processes, from /proc) added up, is read every second. Prints a Markdown table
and writes bench/results/load-<time>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from bench.run import machine
from indexer.parsers import parse_path
from indexer.records import Article
from indexer.request import Paging, Search
from indexer.whoosh import WhooshBackend
from indexer.words import STOP_WORDS
from webapp.params import article_key

RESULTS = Path(__file__).resolve().parent / "results"
NEWSARCHIVE = str(Path(sys.executable).parent / "newsarchive")
EXPORT_CAP = 200  # articles per export: exports are part of the mix, not what it measures
RATE_LIMIT = 10_000_000  # per client per minute: every client is 127.0.0.1, and limiting is not what is measured
REQUEST_TIMEOUT = 120.0
# Kinds of request and their weights in the mix (about percentages).
MIX = {
    "search page": 32,
    "api search": 26,
    "article page": 12,
    "api article": 8,
    "related": 10,
    "feed": 4,
    "stats": 4,
    "export": 2,
    "missing article": 2,  # answered 404, as it should be
}
# The mixes --mix picks from: the realistic one, and one kind of request alone.
MIXES = {"realistic": MIX, "api-search": {"api search": 1}, "search-page": {"search page": 1}}
# Not query words: the index's stop words (a query of only those is refused with a 400), and "said".
_NOT_QUERY_WORDS = STOP_WORDS | {"said"}


@dataclass
class Workload:
    """What the requests are made of, read from the index through the library: words, ids, facet values, years."""

    words: list[str]
    ids: list[str]
    topics: list[str]
    sources: list[str]
    years: list[int]
    documents: int

    @classmethod
    def of(cls, index_dir: Path, rng: random.Random) -> Workload:
        """Sample the index: the newest and oldest articles' headlines and ids, the top facet values, the years."""
        service = WhooshBackend(index_dir)
        try:
            stats = service.stats()
            hits = []
            for sort in ("newest", "oldest", "relevance"):
                for page in (1, 2, 3):
                    hits.extend(service.search(Search(sort=sort), Paging(page=page, per_page=100)).hits)
        finally:
            service.close()
        headline_words = (w for h in hits for w in re.findall(r"[a-z]{4,}", h.headline.lower()))
        counts = Counter(w for w in headline_words if w not in _NOT_QUERY_WORDS)
        words = sorted(w for w, n in counts.items() if n >= 2) or sorted(counts) or ["news"]
        ids = sorted({h.id for h in hits})
        first = stats.first_date.year if stats.first_date else 2000
        last = stats.last_date.year if stats.last_date else first
        rng.shuffle(ids)
        return cls(words, ids, [v.value for v in stats.top["topic"]], [v.value for v in stats.top["source"]],
                   list(range(first, last + 1)), stats.documents)


class Mix:
    """Draws requests: (kind, path) pairs, from one client's seeded random generator."""

    def __init__(self, workload: Workload, rng: random.Random, weights: dict[str, int] | None = None) -> None:
        self.w, self.rng = workload, rng
        self.kinds, self.weights = list(weights or MIX), list((weights or MIX).values())

    def next(self) -> tuple[str, str]:
        """Return the next request."""
        kind = self.rng.choices(self.kinds, self.weights)[0]
        return kind, getattr(self, "_" + kind.replace(" ", "_"))()

    def _words(self) -> str:
        return " ".join(self.rng.sample(self.w.words, min(len(self.w.words), self.rng.randint(1, 3))))

    def _article(self) -> str:
        return quote(article_key(self.rng.choice(self.w.ids)), safe="~")

    def _search_page(self) -> str:
        params: list[tuple[str, str]] = [("q", self._words())]
        if self.rng.random() < 0.2 and self.w.topics:
            params.append(("topic", self.rng.choice(self.w.topics)))
        if self.rng.random() < 0.2:
            params.append(("page", "2"))
        return "/?" + urlencode(params)

    def _api_search(self) -> str:
        rng = self.rng
        params: list[tuple[str, str]] = [("q", self._words() if rng.random() < 0.85 else "")]
        if rng.random() < 0.3 and self.w.topics:
            params.append(("topic", rng.choice(self.w.topics)))
        if rng.random() < 0.2 and self.w.sources:
            params.append(("source", rng.choice(self.w.sources)))
        if rng.random() < 0.3:
            start = rng.choice(self.w.years)
            params += [("from", str(start)), ("to", str(min(start + rng.randint(0, 5), self.w.years[-1])))]
        params.append(("sort", rng.choice(("relevance", "relevance", "newest", "oldest"))))
        if rng.random() < 0.2:
            params.append(("match", "any"))
        params.append(("per_page", rng.choice(("10", "10", "20", "50"))))
        return "/api/search?" + urlencode(params)

    def _article_page(self) -> str:
        query = f"?{urlencode({'q': self._words()})}" if self.rng.random() < 0.5 else ""
        return f"/articles/{self._article()}{query}"

    def _api_article(self) -> str:
        return f"/api/articles/{self._article()}"

    def _related(self) -> str:
        return f"/api/articles/{self._article()}/related?limit=5"

    def _feed(self) -> str:
        return "/search.atom?" + urlencode({"q": self.rng.choice(self.w.words)})

    def _stats(self) -> str:
        return "/api/stats"

    def _export(self) -> str:
        extension = self.rng.choice(("csv", "jsonl"))
        return f"/export.{extension}?" + urlencode({"q": self.rng.choice(self.w.words)})

    def _missing_article(self) -> str:
        return f"/api/articles/no-such-article-{self.rng.randrange(10**9)}"


@dataclass
class Outcome:
    """One request: its kind, when it started (seconds into the test), how long it took, and its answer."""

    kind: str
    start: float
    ms: float
    status: int  # 0 for an exception
    ok: bool


def expected(kind: str, status: int) -> bool:
    """Whether an answer is right: 2xx, or 404 for an article that does not exist."""
    return status == 404 if kind == "missing article" else 200 <= status < 300


def client(port: int, mix: Mix, started: float, deadline: float, outcomes: list[Outcome],
           samples: list[str]) -> None:
    """Issue requests on one keep-alive connection until the deadline."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        while time.monotonic() < deadline:
            kind, path = mix.next()
            begun = time.monotonic()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                status = response.status
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as err:
                status, body = 0, repr(err).encode()
                connection.close()  # http.client reconnects on the next request
            ok = expected(kind, status)
            outcomes.append(Outcome(kind, begun - started, (time.monotonic() - begun) * 1000, status, ok))
            if not ok and len(samples) < 20:
                samples.append(f"{kind} {path} -> {status}: {body[:200].decode(errors='replace')}")
    finally:
        connection.close()


def get(port: int, path: str) -> tuple[int, bytes]:
    """One request on a connection of its own."""
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)) as connection:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a server's workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after its last ")"
        if int(text[text.rindex(")") + 2:].split()[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def tree_rss_mb(pid: int) -> float | None:
    """The resident memory in MB of a process and its children (a server's master and workers), or None when gone."""
    master = rss_mb(pid)
    if master is None:
        return None
    return master + sum(rss_mb(child) or 0.0 for child in children(pid))


def tree_cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process and its children have used so far, in seconds (workers that have
    exited are not counted)."""
    total = 0.0
    for process in [pid, *children(pid)]:
        try:
            text = Path(f"/proc/{process}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15
    return total


def rss_mb(pid: int) -> float | None:
    """The process's resident memory in MB (VmRSS), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`newsarchive serve` in a subprocess on a free port (its log in a temporary file)."""

    def __init__(self, index_dir: Path, threads: int, settings: dict[str, str] | None = None,
                 workers: int | None = None) -> None:
        self.port = free_port()
        self.workers = workers or 0
        env = {**os.environ, "NEWSARCHIVE_RATE_LIMIT": str(RATE_LIMIT),
               "NEWSARCHIVE_EXPORT_RATE_LIMIT": str(RATE_LIMIT), "NEWSARCHIVE_EXPORT_CAP": str(EXPORT_CAP),
               **{f"NEWSARCHIVE_{name}": value for name, value in (settings or {}).items()}}
        self.log = tempfile.TemporaryFile("w+")
        command = [NEWSARCHIVE, "serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(self.port),
                   "--threads", str(threads), *(["--workers", str(workers)] if workers else [])]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT, text=True)

    def wait_ready(self, timeout: float = 60.0, status: int = 200) -> None:
        """Wait until the server answers /api/stats (with 503 before there is an index) and, when its number of
        workers was given, until it has them all (the master starts them a moment apart)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"newsarchive serve exited: {self.output()}")
            try:
                if get(self.port, "/api/stats")[0] == status and len(children(self.process.pid)) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"newsarchive serve did not answer within {timeout:.0f} s")

    def stop(self) -> str:
        """Stop the server (Ctrl-C, then SIGKILL to it and its workers after 10 s) and return its log."""
        if self.process.poll() is None:
            workers = children(self.process.pid)
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                for pid in workers:  # by the PIDs it started: a killed master leaves its workers running
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.process.kill()
                self.process.wait()
        text = self.output()
        self.log.close()
        return text

    def output(self) -> str:
        """The server's log so far."""
        self.log.seek(0)
        return self.log.read()


@dataclass
class Indexing:
    """The index run started halfway through, and when the server was first seen to answer with its articles."""

    path: str
    started: float = 0.0  # seconds into the test
    ended: float | None = None
    returncode: int | None = None
    summary: str = ""
    probe_id: str = ""
    probe_query: str | None = None
    visible_at: float | None = None  # seconds into the test when the probe first succeeded
    visible_after_end_s: float | None = None  # negative: seen before the index run's process had exited
    probe_total: int | None = None


def index_and_probe(indexing: Indexing, index_dir: Path, port: int, started: float, give_up: float) -> None:
    """Run `newsarchive index` (in this thread), while a probe asks for the new articles until the server has them."""
    first = next((a for a in parse_path(Path(indexing.path)) if isinstance(a, Article)), None)
    indexing.probe_id = first.id if first else ""
    indexing.started = time.monotonic() - started
    process = subprocess.Popen([NEWSARCHIVE, "index", indexing.path, "--index", str(index_dir)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    probe = threading.Thread(target=_probe, args=(indexing, port, started, give_up), daemon=True)
    probe.start()
    out, _ = process.communicate()
    indexing.ended, indexing.returncode = time.monotonic() - started, process.returncode
    indexing.summary = out.strip()
    probe.join()
    if indexing.visible_at is not None:
        indexing.visible_after_end_s = round(indexing.visible_at - indexing.ended, 2)


def _probe(indexing: Indexing, port: int, started: float, give_up: float) -> None:
    path = f"/api/articles/{quote(article_key(indexing.probe_id), safe='~')}"
    search = f"/api/search?{urlencode({'q': indexing.probe_query})}" if indexing.probe_query else None
    while time.monotonic() < give_up:
        try:
            found = get(port, path)[0] == 200
            if found and search:
                status, body = get(port, search)
                indexing.probe_total = json.loads(body)["total"] if status == 200 else None
                found = bool(indexing.probe_total)
        except (OSError, http.client.HTTPException, ValueError):
            found = False
        if found:
            indexing.visible_at = time.monotonic() - started
            return
        time.sleep(0.25)


@dataclass
class LoadReport:
    """Everything one load test measured."""

    started: str
    machine: str
    index: str
    clients: int
    seconds: float
    server_threads: int
    server_workers: int | None  # None: serve's default, one per core
    mix: str
    documents_before: int
    documents_after: int
    requests: int = 0
    errors: int = 0
    throughput: float = 0.0  # requests per second
    kinds: dict[str, dict[str, float]] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)
    rss_samples: list[float] = field(default_factory=list)
    # CPU seconds the server (master and workers) used during the load, and requests answered per such second: what
    # the server costs, whatever else the machine (shared, and running the clients) was doing.
    server_cpu_s: float = 0.0
    load_average: list[float] = field(default_factory=list)  # the machine's, over the last minute, at start and end
    requests_per_cpu_s: float = 0.0
    error_samples: list[str] = field(default_factory=list)
    server_exceptions: list[str] = field(default_factory=list)  # the last line of each traceback the server logged
    indexing: Indexing | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return asdict(self)


def run_load(index_dir: Path, clients: int = 16, seconds: float = 60.0, index_during: Path | None = None,
             probe_query: str | None = None, server_threads: int = 4, seed: int = 1, index_at: float = 0.5,
             server_workers: int | None = None, mix: str = "realistic") -> LoadReport:
    """Serve the index, load it for `seconds` with `clients` threads making requests of a mix (MIXES), indexing a
    file at index_at of the way through when asked (halfway by default), and return what was measured."""
    rng = random.Random(seed)
    workload = Workload.of(index_dir, rng)
    server = Server(index_dir, server_threads, workers=server_workers)
    try:
        server.wait_ready()
        warm = Mix(workload, random.Random(seed - 1))
        for _ in range(20):  # opens the index and fills the caches, as the first visitors would
            get(server.port, warm.next()[1])
        report = LoadReport(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), machine(), str(index_dir), clients,
                            seconds, server_threads, server_workers, mix, _documents(server.port), 0)
        plan = _Plan(clients, seconds, index_dir, index_during, probe_query, seed, index_at, MIXES[mix])
        cpu, report.load_average = tree_cpu_seconds(server.process.pid), [round(os.getloadavg()[0], 2)]
        outcomes = _load(report, server, workload, plan)
        report.server_cpu_s = round(tree_cpu_seconds(server.process.pid) - cpu, 1)
        report.load_average.append(round(os.getloadavg()[0], 2))
        report.documents_after = _documents(server.port)
    finally:
        log = server.stop()
    _summarise(report, outcomes)
    report.server_exceptions = _exceptions(log)
    return report


def _exceptions(log: str) -> list[str]:
    """Return the exception that ends each traceback in a server log (of a chain, the last one)."""
    found: list[str] = []
    in_traceback = False
    for line in log.splitlines():
        if line.startswith("Traceback (most recent call last)"):
            in_traceback = True
        elif line.startswith(("During handling of the above exception", "The above exception was the direct cause")):
            del found[-1:]  # the traceback that follows ends with the exception this one led to
        elif in_traceback and line and not line.startswith((" ", "\t")):
            found.append(line[:300])
            in_traceback = False
    return found


@dataclass(frozen=True)
class _Plan:
    clients: int
    seconds: float
    index_dir: Path
    index_during: Path | None
    probe_query: str | None
    seed: int
    index_at: float
    weights: dict[str, int]


def _load(report: LoadReport, server: Server, workload: Workload, plan: _Plan) -> list[Outcome]:
    """Run the clients, the memory sampler and the index run; return every request's outcome."""
    per_client: list[list[Outcome]] = [[] for _ in range(plan.clients)]
    started = time.monotonic()
    deadline = started + plan.seconds
    threads = [threading.Thread(target=client, args=(server.port,
                                                     Mix(workload, random.Random(plan.seed * 1000 + n), plan.weights),
                                                     started, deadline, per_client[n], report.error_samples))
               for n in range(plan.clients)]
    threads.append(threading.Thread(target=_sample_rss, args=(server.process.pid, deadline, report.rss_samples)))
    if plan.index_during is not None:
        report.indexing = Indexing(str(plan.index_during), probe_query=plan.probe_query)
        threads.append(threading.Thread(target=_index_during, args=(report.indexing, plan, server.port, started)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [o for outcomes in per_client for o in outcomes]


def _index_during(indexing: Indexing, plan: _Plan, port: int, started: float) -> None:
    time.sleep(max(0.0, started + plan.seconds * plan.index_at - time.monotonic()))
    index_and_probe(indexing, plan.index_dir, port, started, give_up=started + plan.seconds + 120)


def _sample_rss(pid: int, deadline: float, samples: list[float]) -> None:
    while True:
        value = tree_rss_mb(pid)
        if value is not None:
            samples.append(round(value, 1))
        if time.monotonic() >= deadline:
            return
        time.sleep(1.0)


def _documents(port: int) -> int:
    status, body = get(port, "/api/stats")
    return int(json.loads(body)["documents"]) if status == 200 else -1


def _summarise(report: LoadReport, outcomes: list[Outcome]) -> None:
    report.requests = len(outcomes)
    report.errors = sum(not o.ok for o in outcomes)
    report.throughput = report.requests / report.seconds
    for kind in [*MIXES[report.mix], "all"]:
        chosen = [o for o in outcomes if kind in (o.kind, "all")]
        if chosen:
            times = sorted(o.ms for o in chosen)
            report.kinds[kind] = {
                "requests": len(times), "errors": sum(not o.ok for o in chosen),
                "p50": round(statistics.median(times), 1),
                "p95": round(_at(times, 0.95), 1), "p99": round(_at(times, 0.99), 1),
            }
    if report.server_cpu_s:
        report.requests_per_cpu_s = round(report.requests / report.server_cpu_s, 1)
    if report.rss_samples:
        samples = report.rss_samples
        report.rss_mb = {"start": samples[0], "max": max(samples), "end": samples[-1]}


def _at(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted values, as bench.run takes it."""
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def markdown(report: LoadReport) -> str:
    """The report as Markdown: one table, then memory and the index run."""
    workers = f"--workers {report.server_workers} " if report.server_workers else ""
    lines = [
        f"Load test, {report.started}: {report.clients} clients for {report.seconds:.0f} s, {report.mix} mix, against "
        f"`newsarchive serve {workers}--threads {report.server_threads}` on {report.index} "
        f"({report.documents_before:,} articles; {report.documents_after:,} at the end). {report.machine}.",
        "",
        "| request | requests | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for kind, f in report.kinds.items():
        name = f"**{kind}**" if kind == "all" else kind
        lines.append(f"| {name} | {f['requests']:,} | {f['errors']:,} | {f['p50']:.1f} | {f['p95']:.1f} | "
                     f"{f['p99']:.1f} |")
    lines += ["", f"Throughput: {report.throughput:.1f} requests/s; errors: {report.errors:,} of {report.requests:,}; "
                  f"server CPU {report.server_cpu_s:.0f} s, {report.requests_per_cpu_s:.1f} requests per CPU second; "
                  f"load average {' then '.join(map(str, report.load_average))}."]
    if report.rss_mb:
        rss = report.rss_mb
        lines.append(f"Server memory (VmRSS of the master and its workers, {len(report.rss_samples)} samples): "
                     f"start {rss['start']:.0f} MB, max {rss['max']:.0f} MB, end {rss['end']:.0f} MB.")
    if report.indexing:
        ix = report.indexing
        seen = (f"the server first answered with its articles at {ix.visible_at:.1f} s" if ix.visible_at is not None
                else "the server was never seen to answer with its articles")
        lines.append(f"Index run: `newsarchive index {ix.path}` from {ix.started:.1f} s to "
                     f"{ix.ended or 0:.1f} s, exit {ix.returncode}: {ix.summary.splitlines()[0] if ix.summary else ''}"
                     f"; {seen}.")
    if report.error_samples:
        lines += ["", "Errors (first ones):", *[f"- {e}" for e in report.error_samples[:10]]]
    if report.server_exceptions:
        counted = Counter(report.server_exceptions)
        lines += ["", "Exceptions in the server log:", *[f"- {n} × {e}" for e, n in counted.most_common(10)]]
    return "\n".join(lines)


def main() -> None:
    """Run the load test, print the Markdown and write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="the index folder to serve (it must exist)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--index-during", type=Path, help="a file to index into the same index halfway through")
    parser.add_argument("--probe-query", help="a query that finds only articles of --index-during")
    parser.add_argument("--index-at", type=float, default=0.5, help="when to start --index-during (0.5: halfway)")
    parser.add_argument("--threads", type=int, default=4, help="threads per server worker (serve's default: 4)")
    parser.add_argument("--workers", type=int, help="server processes (serve's default: one per core)")
    parser.add_argument("--mix", choices=list(MIXES), default="realistic", help="the requests made")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = run_load(args.index, args.clients, args.seconds, args.index_during, args.probe_query, args.threads,
                      args.seed, args.index_at, args.workers, args.mix)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    _echo(markdown(report) + f"\n\nWrote {out}")


def _echo(text: str) -> None:
    print(text)  # noqa: T201 (a command-line tool's output)


if __name__ == "__main__":
    main()

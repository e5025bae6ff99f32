"""A local SolrCloud for tests: build the Java launcher with Maven, start it, wait, stop and restart nodes.

    with SolrCloud(nodes=2) as cloud:          # mvn (cached in ~/.m2), then ZooKeeper + 2 Solr JVMs
        cloud.node_urls                        # ['http://127.0.0.1:PORT/solr', ...]
        cloud.stop_node(2); cloud.start_node(2)

The cluster is `LocalSolrCloud` (src/main/java): it writes cluster.json once every node answers and reads
control lines on its stdin (`stop I`, `kill I`, `start I`, `quit`); it quits when that pipe closes, so the cluster
never outlives the test process. `python tests/solrcloud/cluster.py [--nodes N]` runs one by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any

HERE = Path(__file__).resolve().parent
TARGET = HERE / "target"
CLASSPATH_FILE = TARGET / "classpath.txt"
MAIN_CLASS = "newsarchive.solrcloud.LocalSolrCloud"


class ClusterError(RuntimeError):
    """The cluster did not start, or a node did not do what it was told."""


def tools_missing() -> list[str]:
    """The tools a cluster needs that are not on PATH (java, mvn)."""
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def _newest_source_mtime() -> float:
    sources = [HERE / "pom.xml", *(HERE / "src").rglob("*")]
    return max(path.stat().st_mtime for path in sources if path.is_file())


def build(*, force: bool = False, log: IO[str] | None = None) -> str:
    """Compile the launcher and resolve its class path with Maven (artifacts cached in ~/.m2); return the class path.

    Maven is skipped when target/ is newer than pom.xml and src/ and every jar it lists is still there.
    """
    if not force and CLASSPATH_FILE.is_file() and (TARGET / "classes").is_dir():
        jars = CLASSPATH_FILE.read_text(encoding="utf-8").strip().split(os.pathsep)
        if CLASSPATH_FILE.stat().st_mtime >= _newest_source_mtime() and all(os.path.exists(j) for j in jars):
            return os.pathsep.join([str(TARGET / "classes"), *jars])
    command = ["mvn", "-q", "-B", "compile", "dependency:build-classpath", f"-Dmdep.outputFile={CLASSPATH_FILE}"]
    done = subprocess.run(command, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if log is not None:
        log.write(done.stdout)
    if done.returncode != 0:
        raise ClusterError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-4000:]}")
    os.utime(CLASSPATH_FILE)  # newer than the sources, even when Maven found nothing to do
    return build(log=log)


class SolrCloud:
    """ZooKeeper and `nodes` Solr nodes on 127.0.0.1, each node a JVM of its own (`-Xmx{node_heap}`)."""

    def __init__(
        self,
        nodes: int = 2,
        *,
        base_dir: Path | None = None,
        node_heap: str = "512m",
        supervisor_heap: str = "128m",
        default_confdir: Path | None = None,
        start_timeout: float = 300.0,
    ) -> None:
        self.nodes = nodes
        self._own_dir = base_dir is None
        self.base_dir = Path(tempfile.mkdtemp(prefix="solrcloud-")) if base_dir is None else base_dir
        self.node_heap = node_heap
        self.supervisor_heap = supervisor_heap
        self.default_confdir = default_confdir
        self.start_timeout = start_timeout
        self.json_file = self.base_dir / "cluster.json"
        self.log_file = self.base_dir / "supervisor.log"
        self.info: dict[str, Any] = {}
        self.lines: list[str] = []  # everything the supervisor printed
        self.startup_seconds = 0.0
        self.build_seconds = 0.0
        self._process: subprocess.Popen[str] | None = None
        self._events: queue.Queue[str | None] = queue.Queue()
        self._reader: threading.Thread | None = None
        self._log: IO[str] | None = None

    # -- what the tests use

    @property
    def zk_host(self) -> str:
        return str(self.info["zkHost"])

    @property
    def node_urls(self) -> list[str]:
        """Each node's base URL, e.g. http://127.0.0.1:PORT/solr, in node order (node 1 first)."""
        return [str(node["baseUrl"]) for node in self.info["nodes"]]

    def node_pid(self, index: int) -> int:
        """The PID of node `index` (1-based), -1 while it is down."""
        self._reload()
        return int(self.info["nodes"][index - 1]["pid"])

    def pids(self) -> list[int]:
        """The supervisor's PID, then each running node's."""
        self._reload()
        return [int(self.info["supervisorPid"]), *(int(n["pid"]) for n in self.info["nodes"] if int(n["pid"]) > 0)]

    def start(self) -> SolrCloud:
        """Build, start, and return once every node answers its health check (cluster.json written)."""
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_file, "a", encoding="utf-8")  # closed in stop()
        began = time.monotonic()
        classpath = build(log=self._log)
        self.build_seconds = time.monotonic() - began
        command = [
            "java",
            f"-Xmx{self.supervisor_heap}",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.net.preferIPv4Stack=true",
            "-Dzookeeper.admin.enableServer=false",
            "-cp",
            classpath,
            MAIN_CLASS,
            "--nodes",
            str(self.nodes),
            "--base-dir",
            str(self.base_dir),
            "--json",
            str(self.json_file),
            "--node-heap",
            self.node_heap,
            "--exit-on-stdin-eof",
        ]
        if self.default_confdir is not None:
            command += ["--default-confdir", str(self.default_confdir)]
        began = time.monotonic()
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # a Ctrl-C in the terminal reaches pytest, which then stops us in order
        )
        self._reader = threading.Thread(target=self._read, name="solrcloud-stdout", daemon=True)
        self._reader.start()
        try:
            self._expect(lambda line: line.startswith("READY"), self.start_timeout, "the cluster to start")
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        self._reload()
        return self

    def stop_node(self, index: int, *, kill: bool = False) -> None:
        """SIGTERM node `index` (SIGKILL with kill=True) and wait until its JVM has exited."""
        verb = "killed" if kill else "stopped"
        self._command(f"{'kill' if kill else 'stop'} {index}", f"node {index} {verb} ", 60)

    def start_node(self, index: int) -> None:
        """Start node `index` again (same port, same Solr home: its cores come back) and wait until it answers."""
        self._command(f"start {index}", f"node {index} up ", 240)

    def get(self, path: str, node: int = 1, timeout: float = 30.0, **params: str) -> dict[str, Any]:
        """GET node `node`'s base URL + path (e.g. "/admin/collections") with params and wt=json; the parsed JSON.

        An HTTP error status raises urllib.error.HTTPError (its body is Solr's JSON error).
        """
        query = urllib.parse.urlencode({**params, "wt": "json"})
        url = f"{self.node_urls[node - 1]}{path}?{query}"
        with urllib.request.urlopen(url, timeout=timeout) as response:
            result: dict[str, Any] = json.load(response)
        return result

    def wait_for_active(self, collection: str, *, node: int = 1, timeout: float = 120.0) -> dict[str, Any]:
        """Wait until every replica of `collection` is active on a live node; return the collection's status."""
        deadline = time.monotonic() + timeout
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            status = self.get("/admin/collections", node, action="CLUSTERSTATUS", collection=collection)["cluster"]
            live = set(status.get("live_nodes", []))
            state = status["collections"][collection]
            replicas = [r for shard in state["shards"].values() for r in shard["replicas"].values()]
            if replicas and all(r["state"] == "active" and r["node_name"] in live for r in replicas):
                return state
            time.sleep(0.25)
        raise ClusterError(f"{collection} not active after {timeout:.0f} s: {json.dumps(state)[:2000]}")

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM the supervisor (it stops every node, then ZooKeeper) and wait; SIGKILL what is left."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._kill_leftovers()
                    process.kill()
                    process.wait(10)
            if process.stdin is not None:
                try:
                    process.stdin.close()
                except OSError:
                    pass
            if self._reader is not None:
                self._reader.join(10)
            if process.stdout is not None:
                process.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._own_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> SolrCloud:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # -- plumbing

    def _read(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            if self._log is not None and not self._log.closed:
                self._log.write(line + "\n")
                self._log.flush()
            self._events.put(line)
        self._events.put(None)

    def _expect(self, wanted: Any, timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ClusterError(f"timed out after {timeout:.0f} s waiting for {what}; {self._tail()}")
            try:
                line = self._events.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise ClusterError(f"the cluster exited while waiting for {what}; {self._tail()}")
            if line.startswith("EVENT error"):
                raise ClusterError(f"{line[len('EVENT error ') :]} (waiting for {what})")
            if wanted(line):
                return line

    def _command(self, command: str, event: str, timeout: float) -> None:
        process = self._process
        if process is None or process.stdin is None or process.poll() is not None:
            raise ClusterError("the cluster is not running")
        process.stdin.write(command + "\n")
        process.stdin.flush()
        self._expect(lambda line: line.startswith("EVENT " + event), timeout, f"'{command}'")
        self._reload()

    def _reload(self) -> None:
        self.info = json.loads(self.json_file.read_text(encoding="utf-8"))

    def _kill_leftovers(self) -> None:
        for pid in self.pids()[1:]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _tail(self) -> str:
        logs = sorted(self.base_dir.glob("node*.log"))
        return "supervisor said:\n" + "\n".join(self.lines[-20:]) + f"\nnode logs: {', '.join(map(str, logs))}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a local SolrCloud until Ctrl-C (or stdin closes).")
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--node-heap", default="512m")
    parser.add_argument("--base-dir", type=Path)
    args = parser.parse_args(argv)
    cloud = SolrCloud(args.nodes, base_dir=args.base_dir, node_heap=args.node_heap)
    cloud.start()
    try:
        sys.stdout.write(json.dumps(cloud.info, indent=2) + "\n")
        sys.stdout.write(f"up in {cloud.startup_seconds:.1f} s (mvn {cloud.build_seconds:.1f} s); Ctrl-C stops it\n")
        sys.stdout.flush()
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A local SolrCloud: one ZooKeeper and N Solr nodes on 127.0.0.1, each node a JVM of its own, run by a supervisor.

The supervisor (LocalSolrCloud, a small JVM holding ZooKeeper) starts the nodes on free ports, writes a JSON file
(ZooKeeper's address, each node's URL and PID) once every node is in `live_nodes`, prints `READY`, and takes
control lines on its stdin (`stop I`, `kill I`, `start I`). It stops every node and then ZooKeeper on SIGTERM, and
never outlives its owner: it quits when its stdin closes (an attached cluster) or when the process it watches exits
(a detached one, shared by several processes). What it prints goes to BASE/supervisor.log, which is where the
events are read from.

A cluster started with `auth=(user, password)` is secured as production clusters are: Solr's basic authentication
and rule-based authorization (security.json in ZooKeeper before the first node starts), every request refused
without the credentials, the user an admin.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from .build import MAIN_CLASS, ClusterError, build

POLL_SECONDS = 0.1


def solr_password_hash(password: str, salt: bytes | None = None) -> str:
    """Return a password as Solr keeps it for basic authentication: "b64(sha256(sha256(salt+password))) b64(salt)"."""
    salt = os.urandom(32) if salt is None else salt
    digest = hashlib.sha256(hashlib.sha256(salt + password.encode()).digest()).digest()
    return f"{base64.b64encode(digest).decode()} {base64.b64encode(salt).decode()}"


def security_json(user: str, password: str) -> dict[str, Any]:
    """Return a security.json that refuses every request but the admin user's (Solr's BasicAuthPlugin).

    The "read" permission comes first, for role "reader" as well as "admin": give another user the role "reader"
    (Solr's authorization API, set-user-role) and it can search but not write or administer.
    """
    return {
        "authentication": {"class": "solr.BasicAuthPlugin", "blockUnknown": True, "forwardCredentials": False,
                           "credentials": {user: solr_password_hash(password)}},
        "authorization": {"class": "solr.RuleBasedAuthorizationPlugin", "user-role": {user: ["admin"]},
                          "permissions": [{"name": "read", "role": ["admin", "reader"]},
                                          {"name": "all", "role": "admin"}]},
    }


@dataclass(frozen=True)
class Node:
    """One Solr node as the supervisor last reported it (pid -1 while it is down)."""

    index: int
    port: int
    url: str  # the base URL, http://127.0.0.1:PORT/solr
    name: str  # its name in live_nodes, 127.0.0.1:PORT_solr
    pid: int
    state: str
    log: Path


@dataclass(frozen=True)
class ClusterInfo:
    """What the supervisor's JSON file says: ZooKeeper's address, its own PID, and each node."""

    zk_host: str
    supervisor_pid: int
    base_dir: Path
    nodes: tuple[Node, ...]

    @classmethod
    def read(cls, path: Path) -> ClusterInfo:
        """Read a supervisor's JSON file (ClusterError if it is not one)."""
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            nodes = tuple(
                Node(int(n["index"]), int(n["port"]), str(n["baseUrl"]), str(n["nodeName"]), int(n["pid"]),
                     str(n["state"]), Path(n["log"]))
                for n in data["nodes"]
            )
            return cls(str(data["zkHost"]), int(data["supervisorPid"]), Path(data["baseDir"]), nodes)
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ClusterError(f"{path} is not a local SolrCloud's JSON file: {err}") from err

    @property
    def node_urls(self) -> list[str]:
        """Each node's base URL, node 1 first."""
        return [node.url for node in self.nodes]

    @property
    def ports(self) -> list[int]:
        """ZooKeeper's port, then each node's."""
        return [int(self.zk_host.rsplit(":", 1)[1]), *(node.port for node in self.nodes)]

    @property
    def pids(self) -> list[int]:
        """The supervisor's PID, then each running node's."""
        return [self.supervisor_pid, *(node.pid for node in self.nodes if node.pid > 0)]


def alive(pid: int) -> bool:
    """Tell whether a process runs (a zombie, dead but not yet reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def stop_pids(info: ClusterInfo, timeout: float = 60.0) -> None:
    """Stop a cluster by its PIDs: SIGTERM the supervisor (it stops the nodes, then ZooKeeper), SIGKILL what is left."""
    _signal(info.supervisor_pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(info.supervisor_pid) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    for pid in info.pids:
        _signal(pid, signal.SIGKILL)  # only what survived the time-out, or a node the supervisor lost


def _signal(pid: int, signum: int) -> None:
    if alive(pid):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


class DevCluster:
    """A local SolrCloud of `nodes` Solr nodes (`-Xmx{node_heap}` each) in base_dir, started with start()."""

    def __init__(
        self,
        base_dir: Path,
        nodes: int = 2,
        *,
        json_file: Path | None = None,
        node_heap: str = "512m",
        supervisor_heap: str = "128m",
        zk_port: int = 0,
        node_ports: list[int] | None = None,
        default_confdir: Path | None = None,
        start_timeout: float = 300.0,
        build_root: Path | None = None,
        watch_pid: int | None = None,
        auth: tuple[str, str] | None = None,
    ) -> None:
        """Describe the cluster; watch_pid makes it detached: no control lines, it lives until that process exits.

        auth (user, password) secures it: basic authentication, that user an admin, anyone else refused.
        """
        self.base_dir = base_dir.resolve()
        self.nodes = nodes
        self.json_file = (json_file or self.base_dir / "cluster.json").resolve()
        self.log_file = self.base_dir / "supervisor.log"
        self.node_heap, self.supervisor_heap = node_heap, supervisor_heap
        self.zk_port, self.node_ports, self.default_confdir = zk_port, node_ports, default_confdir
        self.start_timeout, self.build_root, self.watch_pid = start_timeout, build_root, watch_pid
        self.auth = auth
        self.security_file = self.base_dir / "security.json"
        self.build_seconds = self.startup_seconds = 0.0
        self._process: subprocess.Popen[str] | None = None
        self._read_to = 0  # how far supervisor.log has been read
        self._pending = ""

    @property
    def info(self) -> ClusterInfo:
        """The cluster as its JSON file says now."""
        return ClusterInfo.read(self.json_file)

    @property
    def node_urls(self) -> list[str]:
        """Each node's base URL, e.g. http://127.0.0.1:PORT/solr, node 1 first."""
        return self.info.node_urls

    @property
    def zk_host(self) -> str:
        """ZooKeeper's address, 127.0.0.1:PORT."""
        return self.info.zk_host

    def command(self, classpath: str) -> list[str]:
        """Return the supervisor's command line."""
        command = [
            "java", f"-Xmx{self.supervisor_heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Djava.net.preferIPv4Stack=true", "-Dzookeeper.admin.enableServer=false", "-cp", classpath, MAIN_CLASS,
            "--nodes", str(self.nodes), "--base-dir", str(self.base_dir), "--json", str(self.json_file),
            "--node-heap", self.node_heap,
        ]
        if self.zk_port:
            command += ["--zk-port", str(self.zk_port)]
        if self.node_ports is not None:
            command += ["--ports", ",".join(map(str, self.node_ports))]
        if self.default_confdir is not None:
            command += ["--default-confdir", str(self.default_confdir)]
        if self.auth is not None:
            command += ["--security", str(self.security_file)]
        if self.watch_pid is None:
            return [*command, "--exit-on-stdin-eof"]
        return [*command, "--watch-pid", str(self.watch_pid)]

    def start(self) -> DevCluster:
        """Build if needed, start, and return once every node is live (the JSON file is then written)."""
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.json_file.unlink(missing_ok=True)
        env = dict(os.environ)
        if self.auth is not None:  # the password goes into ZooKeeper hashed, and to the supervisor in its environment
            self.security_file.write_text(json.dumps(security_json(*self.auth), indent=2), encoding="utf-8")
            env["LOCAL_SOLRCLOUD_AUTH"] = ":".join(self.auth)
        began = time.monotonic()
        with open(self.log_file, "a", encoding="utf-8") as log:
            classpath = build(root=self.build_root, log=log)
            self._read_to = log.tell()
            self.build_seconds = time.monotonic() - began
            began = time.monotonic()
            self._process = subprocess.Popen(
                self.command(classpath),
                stdin=subprocess.PIPE if self.watch_pid is None else subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                start_new_session=True,  # a Ctrl-C reaches only our owner, which then stops us in order
            )
        try:
            self._expect(lambda line: line.startswith("READY"), self.start_timeout, "the cluster to start")
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def running(self) -> bool:
        """Tell whether the supervisor started here still runs."""
        return self._process is not None and self._process.poll() is None

    def stop_node(self, index: int, *, kill: bool = False) -> None:
        """SIGTERM node `index` (SIGKILL with kill=True) and wait until its JVM has exited."""
        verb = "kill" if kill else "stop"
        self._command(f"{verb} {index}", f"node {index} {'killed' if kill else 'stopped'} ", 60)

    def start_node(self, index: int) -> None:
        """Start node `index` again (same port and Solr home: its cores come back) and wait until it is live."""
        self._command(f"start {index}", f"node {index} up ", 240)

    def get(self, path: str, node: int = 1, *, timeout: float = 30.0, **params: str) -> dict[str, Any]:
        """GET node `node`'s base URL + path with params and wt=json; the parsed JSON (HTTPError on an error status)."""
        return self.query(path, params, node, timeout=timeout)

    def query(self, path: str, params: Mapping[str, str], node: int = 1, *, timeout: float = 30.0) -> dict[str, Any]:
        """The same as get(), with the parameters as a mapping."""
        query = urllib.parse.urlencode({**params, "wt": "json"})
        request = urllib.request.Request(f"{self.node_urls[node - 1]}{path}?{query}")
        if self.auth is not None:
            request.add_header("Authorization", "Basic " + base64.b64encode(":".join(self.auth).encode()).decode())
        with urllib.request.urlopen(request, timeout=timeout) as response:
            result: dict[str, Any] = json.load(response)
        return result

    def wait_for_active(self, collection: str | None = None, *, node: int = 1, timeout: float = 120.0) -> None:
        """Wait until every replica of `collection` (default: of every collection) is active on a live node."""
        deadline, waiting = time.monotonic() + timeout, "?"
        while time.monotonic() < deadline:
            params = {"action": "CLUSTERSTATUS", **({"collection": collection} if collection else {})}
            status = self.query("/admin/collections", params, node)["cluster"]
            live = set(status.get("live_nodes", []))
            replicas = [(name, r) for name, state in status.get("collections", {}).items()
                        for shard in state["shards"].values() for r in shard["replicas"].values()]
            waiting = ", ".join(sorted({name for name, r in replicas
                                        if r["state"] != "active" or r["node_name"] not in live}))
            if not waiting and (replicas or collection is None):
                return
            time.sleep(0.25)
        raise ClusterError(f"replicas not active after {timeout:.0f} s in: {waiting or collection}")

    def stop(self, timeout: float = 60.0) -> None:
        """Stop every node, then ZooKeeper (SIGTERM to the supervisor, by its PID), and wait; SIGKILL what is left."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            nodes = self.info.pids[1:] if self.json_file.is_file() else []
        except ClusterError:
            nodes = []
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for pid in nodes:
            _signal(pid, signal.SIGKILL)  # a node the supervisor could not stop
        if process.stdin is not None:
            try:
                process.stdin.close()
            except OSError:
                pass

    def __enter__(self) -> DevCluster:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # -- plumbing

    def _lines(self) -> list[str]:
        with open(self.log_file, encoding="utf-8", errors="replace") as log:
            log.seek(self._read_to)
            text = self._pending + log.read()
            self._read_to = log.tell()
        *lines, self._pending = text.split("\n")
        return lines

    def _expect(self, wanted: Callable[[str], bool], timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = self._process is None or self._process.poll() is not None
            for line in self._lines():
                if line.startswith("EVENT error"):
                    raise ClusterError(f"{line.removeprefix('EVENT error ')} (waiting for {what}); {self._tail()}")
                if wanted(line):
                    return line
            if exited:
                raise ClusterError(f"the cluster exited while waiting for {what}; {self._tail()}")
            time.sleep(POLL_SECONDS)
        raise ClusterError(f"timed out after {timeout:.0f} s waiting for {what}; {self._tail()}")

    def _command(self, command: str, event: str, timeout: float) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            raise ClusterError("the cluster is not running")
        if process.stdin is None:
            raise ClusterError("a detached cluster takes no commands")
        process.stdin.write(command + "\n")
        process.stdin.flush()
        self._expect(lambda line: line.startswith("EVENT " + event), timeout, f"'{command}'")

    def _tail(self) -> str:
        lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        logs = ", ".join(str(path) for path in sorted(self.base_dir.glob("node*.log")))
        return "the supervisor said:\n" + "\n".join(lines) + f"\nnode logs: {logs or 'none'}"

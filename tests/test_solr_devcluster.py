"""`newsarchive solr dev-cluster`: a real local SolrCloud in the foreground, stopped by SIGTERM with nothing left.

The cluster tests need `java` and `mvn` (skipped without them, failed in CI); the rest run anywhere.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

import pytest
from click.testing import CliRunner

from indexer.solr.devcluster import ClusterInfo
from newsarchive.cli import main
from tests.solr_cluster import skip_without_tools

ROOT = Path(__file__).resolve().parents[1]


def get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=30) as response:
        result: dict[str, Any] = json.load(response)
    return result


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def lines_of(stream: IO[str]) -> tuple[queue.Queue[str | None], threading.Thread]:
    """Every line a stream prints, as it prints it (None at its end), and the thread that reads them."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return lines, reader


def read_until(lines: queue.Queue[str | None], prefix: str, timeout: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        assert line is not None, f"the command ended before printing {prefix!r}: {seen}"
        seen.append(line)
        if line.startswith(prefix):
            return seen
    raise AssertionError(f"no {prefix!r} after {timeout:.0f} s: {seen}")


def test_the_command_runs_a_cluster_until_sigterm(tmp_path: Path) -> None:
    skip_without_tools()
    state = tmp_path / "state.json"
    command = [sys.executable, "-m", "newsarchive", "solr", "dev-cluster", str(tmp_path / "cloud"), "--nodes", "2",
               "--json", str(state)]
    with open(tmp_path / "stderr.txt", "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert process.stdout is not None
    lines, reader = lines_of(process.stdout)
    try:
        out = read_until(lines, "export ", 300)
        info = ClusterInfo.read(state)
        assert f"ZooKeeper: {info.zk_host}" in out
        assert out[-1] == f"export NEWSARCHIVE_BACKEND=solr NEWSARCHIVE_SOLR_URL={','.join(info.node_urls)}"
        for node in info.nodes:
            assert any(line.startswith(f"node {node.index}: {node.url} ") for line in out)
            system = get_json(f"{node.url}/admin/info/system?wt=json")
            assert system["mode"] == "solrcloud" and system["zkHost"] == info.zk_host
        live = get_json(f"{info.node_urls[1]}/admin/collections?action=CLUSTERSTATUS&wt=json")["cluster"]["live_nodes"]
        assert sorted(live) == sorted(node.name for node in info.nodes)
        assert len(info.pids) == 3 and all(listening(port) for port in info.ports)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(90)
        reader.join(10)
        process.stdout.close()
    errors = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    assert code == 0, errors
    assert "Stopped." in errors
    for pid in info.pids:  # the supervisor and each node's JVM
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert [port for port in info.ports if listening(port)] == []


def test_the_session_cluster_answers(solr_cluster: list[str]) -> None:
    assert len(solr_cluster) == 2
    live = get_json(f"{solr_cluster[0]}/admin/collections?action=CLUSTERSTATUS&wt=json")["cluster"]["live_nodes"]
    assert len(live) == 2
    for url in solr_cluster:
        assert get_json(f"{url}/admin/info/system?wt=json")["mode"] == "solrcloud"


def test_build_only_builds_the_launcher() -> None:
    skip_without_tools()
    result = CliRunner().invoke(main, ["solr", "dev-cluster", "--build-only"])
    assert result.exit_code == 0, result.output
    assert "Built the local SolrCloud launcher in " in result.output


def test_without_java_and_maven_the_command_says_what_to_install(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["solr", "dev-cluster", str(tmp_path / "cloud")], env={"PATH": str(tmp_path)})
    assert result.exit_code == 1
    assert "Error: java and mvn not found on PATH" in result.output and "apt-get install" in result.output
    assert "Traceback" not in result.output


def test_dir_is_needed_to_run_a_cluster() -> None:
    result = CliRunner().invoke(main, ["solr", "dev-cluster"])
    assert result.exit_code == 2 and "DIR is required" in result.output


def test_a_dir_whose_cluster_runs_is_refused(tmp_path: Path) -> None:
    state = {"zkHost": "127.0.0.1:2181", "supervisorPid": os.getpid(), "baseDir": str(tmp_path), "nodes": [
        {"index": i, "port": 8983 + i, "baseUrl": f"http://127.0.0.1:{8983 + i}/solr", "nodeName": f"n{i}",
         "pid": -1, "state": "down", "home": str(tmp_path / f"node{i}"), "log": str(tmp_path / f"node{i}.log")}
        for i in (1, 2)]}
    (tmp_path / "cluster.json").write_text(json.dumps(state), encoding="utf-8")
    result = CliRunner().invoke(main, ["solr", "dev-cluster", str(tmp_path)])
    assert result.exit_code == 1 and f"Error: a cluster already runs in {tmp_path}" in result.output
    state["supervisorPid"] = 2**22 + 1  # above Linux's largest PID: no such process
    (tmp_path / "cluster.json").write_text(json.dumps(state), encoding="utf-8")
    result = CliRunner().invoke(main, ["solr", "dev-cluster", str(tmp_path), "--nodes", "3"])
    assert result.exit_code == 1 and "holds a cluster of 2 node(s), not 3: pass --nodes 2" in result.output


def test_a_damaged_state_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "cluster.json").write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["solr", "dev-cluster", str(tmp_path)])
    assert result.exit_code == 1 and "is not a local SolrCloud's JSON file" in result.output

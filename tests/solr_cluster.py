"""The session's SolrCloud: one two-node local cluster shared by every test process, started by the first to need it.

With pytest-xdist each worker is a session of its own, so the cluster cannot belong to a worker: the first worker
to ask for it starts it *detached*, under a file lock, and records it in a JSON file that the others read; it
watches the controller's PID, so it never outlives the test run, and the controller stops it by its PIDs when the
run ends (pytest_unconfigure). Without xdist the one process is both worker and controller. The folder and the
controller's PID reach the workers through xdist's documented `pytest_configure_node` / `workerinput`.

Without `java` or `mvn` the tests that use it are skipped, except in CI (`CI` set), where they fail: a CI run must
not pass with its Solr tests skipped.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from indexer.solr.devcluster import ClusterInfo, DevCluster, alive, stop_pids, tools_missing

NODES = 2
DIR_KEY = "newsarchive_solr_dir"  # workerinput keys
OWNER_KEY = "newsarchive_solr_owner"
_DIR = pytest.StashKey[Path]()
_started: list[DevCluster] = []  # what this process started (kept so its Popen is reaped here)
_skipped: list[str] = []  # the node ids of Solr tests that were skipped


def skip_without_tools() -> None:
    """Skip the calling test (fail it in CI) unless java and mvn are on PATH."""
    missing = tools_missing()
    if missing:
        reason = f"a local SolrCloud needs {' and '.join(missing)} on PATH"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, where the Solr tests must run (see .ci/run)", pytrace=False)
        pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    """In the controller (or a run without xdist), make the folder the shared cluster will live in."""
    if not hasattr(config, "workerinput"):
        config.stash[_DIR] = Path(tempfile.mkdtemp(prefix="newsarchive-solr-"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Tell each xdist worker where the shared cluster lives and whose PID it watches."""
    node.workerinput[DIR_KEY] = str(node.config.stash[_DIR])
    node.workerinput[OWNER_KEY] = os.getpid()


def pytest_unconfigure(config: pytest.Config) -> None:
    """In the controller, once every worker is done: stop the shared cluster by its PIDs, remove its folder."""
    if hasattr(config, "workerinput") or _DIR not in config.stash:
        return
    folder = config.stash[_DIR]
    for cluster in _started:
        cluster.stop()
    state = folder / "cluster" / "cluster.json"
    if state.is_file() and alive(ClusterInfo.read(state).supervisor_pid):
        stop_pids(ClusterInfo.read(state))  # a worker started it
    shutil.rmtree(folder, ignore_errors=True)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Note every Solr test that was skipped (in the controller, xdist reports every worker's tests).

    An expected failure (xfail) is reported as skipped too; it ran, so it is no skip here.
    """
    if report.skipped and not hasattr(report, "wasxfail") and "solr" in report.nodeid.lower():
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI, a run whose Solr tests were skipped fails, whatever skipped them."""
    if os.environ.get("CI") and _skipped and not hasattr(session.config, "workerinput") and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(f"CI is set and {len(_skipped)} Solr test(s) were skipped: {', '.join(_skipped[:5])}",
                                red=True)


def _shared(config: pytest.Config) -> tuple[Path, int]:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return config.stash[_DIR], os.getpid()
    return Path(workerinput[DIR_KEY]), int(workerinput[OWNER_KEY])


@pytest.fixture(scope="session")
def solr_cluster(pytestconfig: pytest.Config) -> list[str]:
    """The node URLs (http://127.0.0.1:PORT/solr) of a two-node SolrCloud shared by the whole test run.

    Shared: never stop its nodes (a test that needs a node down starts a cluster of its own, as
    tests/solrcloud/test_smoke.py does), and name collections so that parallel tests do not meet.
    """
    skip_without_tools()
    folder, owner = _shared(pytestconfig)
    state = folder / "cluster" / "cluster.json"
    with open(folder / "cluster.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (state.is_file() and alive(ClusterInfo.read(state).supervisor_pid)):
            cluster = DevCluster(folder / "cluster", NODES, watch_pid=owner)
            _started.append(cluster)
            cluster.start()
        return ClusterInfo.read(state).node_urls

"""`newsarchive serve --workers N`: real servers on 127.0.0.1 (gunicorn's master and its worker processes).

Which worker answered a request is read from /proc, never from the server: the server's end of the client's
connection (/proc/net/tcp: our port is its remote port) is a socket one of the master's children holds open.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from click.testing import CliRunner

from bench.load import Server, children
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from newsarchive.cli import main

from .conftest import write_jsonl

WORD = "zorbifex"  # in the articles a test adds while the server runs, and nowhere else
TRIES = 200  # connections opened, at most, until every worker has answered


def articles(first: int, count: int) -> list[dict[str, object]]:
    """Articles a search for WORD finds."""
    return [{"id": f"z{n}", "headline": f"Zorbifex harbour report {n}", "date": "2024-05-01", "source": "Test",
             "body": f"The {WORD} harbour opened berth {n} today."} for n in range(first, first + count)]


def index(folder: Path, path: Path) -> None:
    """Index a file into the folder, as `newsarchive index` does (a commit the server has not seen)."""
    index_paths([path], open_backend(folder=folder), IndexOptions(procs=1))


@contextmanager
def serving(folder: Path, workers: int, **settings: str) -> Iterator[Server]:
    """`newsarchive serve --workers N` on a free port until the block ends; stopped by its PID and reaped."""
    server = Server(folder, threads=2, settings={"RATE_LIMIT": "0", **settings}, workers=workers)
    try:
        server.wait_ready(status=200 if folder.exists() else 503)
        yield server
    finally:
        server.stop()


def server_socket(port: int, client_port: int) -> str:
    """The inode of the server's end of a loopback connection (its local port `port`, its remote one ours)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and int(fields[2].split(":")[1], 16) == client_port:
            return fields[9]
    raise AssertionError(f"no server socket for client port {client_port}")


def holder(pids: list[int], inode: str) -> int:
    """Which of these processes holds the socket open."""
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue  # closed meanwhile
    raise AssertionError(f"socket {inode} is held by none of {pids}")


def ask(server: Server, path: str) -> tuple[int, int, bytes]:
    """GET a path on a connection of its own: the worker that answered (kept alive, its socket is still open), the
    status and the body."""
    with closing(http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)) as connection:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        inode = server_socket(server.port, connection.sock.getsockname()[1])
        return holder(children(server.process.pid), inode), response.status, body


def connect(server: Server, worker: int) -> http.client.HTTPConnection:
    """A kept-alive connection that this worker answers: new ones are opened (and /api/stats asked, which is not
    rate limited) until one lands on it."""
    for _ in range(TRIES):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", "/api/stats")
        connection.getresponse().read()
        if holder(children(server.process.pid), server_socket(server.port, connection.sock.getsockname()[1])) == worker:
            return connection
        connection.close()
    raise AssertionError(f"{TRIES} connections never reached worker {worker}")


def by_worker(server: Server, path: str, workers: int) -> dict[int, list[tuple[int, bytes]]]:
    """Ask for a path on new connections until each of the workers has answered at least once; their answers."""
    answers: dict[int, list[tuple[int, bytes]]] = {}
    for _ in range(TRIES):
        pid, status, body = ask(server, path)
        answers.setdefault(pid, []).append((status, body))
        if len(answers) == workers:
            return answers
    raise AssertionError(f"{TRIES} connections reached only workers {sorted(answers)}")


def totals(answers: dict[int, list[tuple[int, bytes]]]) -> set[int]:
    """The totals the workers' answers to an API search gave (every one a 200)."""
    assert {status for given in answers.values() for status, _ in given} == {200}
    return {json.loads(body)["total"] for given in answers.values() for _, body in given}


def test_workers_share_the_port_each_opens_the_index_after_indexing_and_sees_each_commit(tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    with serving(folder, workers=2) as server:  # no index yet: the app answers 503 until there is one
        assert len(children(server.process.pid)) == 2
        missing = by_worker(server, f"/api/search?q={WORD}", workers=2)
        assert {status for given in missing.values() for status, _ in given} == {503}
        index(folder, write_jsonl(tmp_path / "first.jsonl", articles(0, 3)))
        assert totals(by_worker(server, f"/api/search?q={WORD}", workers=2)) == {3}
        index(folder, write_jsonl(tmp_path / "second.jsonl", articles(3, 4)))  # a commit each worker must see
        assert totals(by_worker(server, f"/api/search?q={WORD}", workers=2)) == {7}
        assert "Traceback" not in server.output()


def test_requests_are_answered_concurrently_by_the_workers(tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    index(folder, write_jsonl(tmp_path / "articles.jsonl", articles(0, 5)))
    with serving(folder, workers=2) as server:
        seen: list[tuple[int, int]] = []
        threads = [threading.Thread(target=lambda: seen.extend((pid, status) for pid, status, _ in
                                                                [ask(server, f"/?q={WORD}") for _ in range(15)]))
                   for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(seen) == 90 and {status for _, status in seen} == {200}
        assert {pid for pid, _ in seen} == set(children(server.process.pid))  # both workers answered


def test_hup_replaces_the_workers_and_every_request_in_flight_is_answered(tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    index(folder, write_jsonl(tmp_path / "articles.jsonl", articles(0, 5)))
    with serving(folder, workers=2) as server:
        before = children(server.process.pid)
        done: list[tuple[float, float, int]] = []  # (start, end, status) of every request
        stop = time.monotonic() + 4.0

        def load() -> None:
            while time.monotonic() < stop:
                begun = time.monotonic()
                with closing(http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)) as connection:
                    connection.request("GET", f"/?q={WORD}", headers={"Connection": "close"})
                    response = connection.getresponse()
                    response.read()
                done.append((begun, time.monotonic(), response.status))

        threads = [threading.Thread(target=load) for _ in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        hup = time.monotonic()
        os.kill(server.process.pid, signal.SIGHUP)
        for thread in threads:
            thread.join()
        deadline = time.monotonic() + 30  # the old workers exit once they have answered; new ones start meanwhile
        while set(children(server.process.pid)) & set(before) and time.monotonic() < deadline:
            time.sleep(0.1)
        after = children(server.process.pid)
        assert len(after) == 2 and not set(after) & set(before)  # new workers, the old ones gone
        assert {status for _, _, status in done} == {200}
        assert any(start < hup < end for start, end, _ in done)  # some were in flight when the signal came
        answers = by_worker(server, f"/?q={WORD}", workers=2)  # the new workers answer
        assert {status for given in answers.values() for status, _ in given} == {200}
        assert "Traceback" not in server.output()


def test_term_and_int_stop_the_master_and_its_workers_cleanly(tmp_path: Path) -> None:
    for stop in (signal.SIGTERM, signal.SIGINT):
        server = Server(tmp_path / "ix", threads=2, workers=2)
        try:
            server.wait_ready(status=503)  # no index: the app answers, 503
            workers = children(server.process.pid)
            server.process.send_signal(stop)
            assert server.process.wait(timeout=30) == 0
            assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # reaped by the master
        finally:
            log = server.stop()
        assert "Traceback" not in log and "Error" not in log, log


def test_a_rate_limit_holds_across_workers(tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    index(folder, write_jsonl(tmp_path / "articles.jsonl", articles(0, 5)))
    limit, extra = 6, 4
    with serving(folder, workers=2, RATE_LIMIT=str(limit)) as server:
        workers = children(server.process.pid)
        statuses: dict[int, list[int]] = {pid: [] for pid in workers}
        for n in range(limit + extra):  # the requests go to each worker in turn
            worker = workers[n % 2]
            with closing(connect(server, worker)) as connection:
                connection.request("GET", f"/api/search?q={WORD}")
                response = connection.getresponse()
                response.read()
                statuses[worker].append(response.status)
        # Exactly the requests past the limit were refused, on whichever worker they came.
        assert statuses == {workers[0]: [200, 200, 200, 429, 429], workers[1]: [200, 200, 200, 429, 429]}
        for worker in workers:
            with closing(connect(server, worker)) as connection:
                connection.request("GET", "/?q=storm")
                response = connection.getresponse()
                assert response.status == 429 and b"too many requests" in response.read()  # pages share the limit
    assert (folder / "ratelimits.sqlite3").exists()


def test_workers_must_be_one_or_more(tmp_path: Path) -> None:
    for bad in ("0", "-2", "two"):
        result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path), "--workers", bad])
        assert result.exit_code == 2 and "Invalid value for '--workers'" in result.output, result.output
    assert "0 is not in the range x>=1" in CliRunner().invoke(main, ["serve", "--workers", "0"]).output

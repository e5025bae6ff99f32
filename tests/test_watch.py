"""`newsarchive watch`: new, changed and removed files reach the index within seconds; stopping loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.backend import open_backend
from indexer.build import IndexOptions, IndexReport
from indexer.errors import IndexNotFoundError
from indexer.request import Search
from indexer.watch import watch_paths

from .conftest import CORPUS, write_jsonl

WAIT_SECONDS = 20
NEWSARCHIVE = str(Path(sys.executable).parent / "newsarchive")


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {WAIT_SECONDS} s: {what}")


def total(index: Path, query: str = "") -> int:
    service = open_backend(folder=index)
    try:
        return service.search(Search(query=query)).total
    except IndexNotFoundError:  # the first pass has not committed yet
        return -1
    finally:
        service.close()


class Watcher:
    """watch_paths running in a thread, with the reports of its passes."""

    def __init__(self, folder: Path, index: Path) -> None:
        self.reports: list[IndexReport] = []
        self.stop = threading.Event()
        self.passes = 0
        self.thread = threading.Thread(target=self._run, args=(folder, index))

    def _run(self, folder: Path, index: Path) -> None:
        self.passes = watch_paths([folder], open_backend(folder=index),
                                  IndexOptions(procs=1), self.reports.append, self.stop,
                                  debounce_ms=200, rescan_seconds=5)

    def start(self) -> None:
        """Start watching and wait for the first pass."""
        self.thread.start()
        wait_for(lambda: bool(self.reports), "the first pass")

    def finish(self) -> None:
        """Stop watching and wait for the thread to end."""
        self.stop.set()
        self.thread.join(timeout=WAIT_SECONDS)
        assert not self.thread.is_alive()


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[Watcher]:
    folder = tmp_path / "incoming"
    folder.mkdir()
    write_jsonl(folder / "first.jsonl", CORPUS[:2])
    running = Watcher(folder, tmp_path / "ix")
    running.start()
    yield running
    running.finish()


def test_the_first_pass_indexes_what_is_there(watcher: Watcher, tmp_path: Path) -> None:
    assert watcher.reports[0].added == 2 and total(tmp_path / "ix") == 2


def test_new_changed_and_removed_files_are_picked_up(watcher: Watcher, tmp_path: Path) -> None:
    index, folder = tmp_path / "ix", tmp_path / "incoming"
    write_jsonl(folder / "second.jsonl", CORPUS[2:5])
    wait_for(lambda: total(index) == 5, "a new file indexed")
    write_jsonl(folder / "second.jsonl", [{**CORPUS[2], "title": "Zeppelin lands at the fair"}])
    wait_for(lambda: total(index, "zeppelin") == 1 and total(index) == 3, "a changed file updated")
    (folder / "first.jsonl").unlink()
    wait_for(lambda: total(index) == 1, "a removed file's articles deleted")


def test_a_file_written_while_the_first_pass_runs_is_not_left_for_the_rescan(tmp_path: Path) -> None:
    folder, index, reports = tmp_path / "incoming", tmp_path / "ix", []
    folder.mkdir()
    write_jsonl(folder / "first.jsonl", CORPUS[:2])

    def on_pass(report: IndexReport) -> None:  # still inside the first pass: its files were read and committed
        if not reports:
            write_jsonl(folder / "during.jsonl", CORPUS[2:3])
        reports.append(report)

    stop = threading.Event()
    thread = threading.Thread(target=watch_paths, args=([folder], open_backend(folder=index), IndexOptions(procs=1),
                                                        on_pass, stop, 200, 3600))
    thread.start()
    try:
        wait_for(lambda: total(index) == 3, "the file written during the first pass, long before the rescan")
    finally:
        stop.set()
        thread.join(timeout=WAIT_SECONDS)


def test_a_folder_of_files_copied_in_at_once_is_indexed(watcher: Watcher, tmp_path: Path) -> None:
    batch = tmp_path / "incoming" / "batch"
    batch.mkdir()
    for number, record in enumerate(CORPUS[2:]):
        write_jsonl(batch / f"{number}.jsonl", [record])
    wait_for(lambda: total(tmp_path / "ix") == len(CORPUS), "every file of the folder")


def test_the_index_inside_the_watched_folder_does_not_trigger_passes(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", CORPUS[:1])
    running = Watcher(folder, folder / "index")
    running.start()
    time.sleep(1.5)  # a commit inside the folder would have triggered another reported pass by now
    running.finish()
    assert len(running.reports) == 1 and not running.reports[0].skipped


def test_watch_command_runs_until_ctrl_c_and_keeps_other_writers_out(tmp_path: Path) -> None:
    folder, index = tmp_path / "incoming", tmp_path / "ix"
    folder.mkdir()
    write_jsonl(folder / "first.jsonl", CORPUS[:2])
    command = [NEWSARCHIVE, "watch", str(folder), "--index", str(index), "--procs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        wait_for(lambda: total(index) == 2, "the first pass")
        write_jsonl(folder / "second.jsonl", CORPUS[2:3])
        wait_for(lambda: total(index) == 3, "a new file indexed by the command")
        other = subprocess.run([NEWSARCHIVE, "index", str(folder), "--index", str(index)],
                               capture_output=True, text=True)
        assert other.returncode == 1 and "being written by another newsarchive process" in other.stderr
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=WAIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()  # reaps it and closes its pipes
    assert process.returncode == 0, err
    assert out.count("Indexed ") >= 2 and "Stopped after" in err and "Traceback" not in err

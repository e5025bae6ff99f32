"""Crash safety: `newsarchive index` killed with SIGKILL at any moment leaves an index that opens, holds whole
batches, each article complete and none twice, all of them recorded in the manifest; a re-run completes it exactly;
and no lock a killed writer leaves behind stops the next run.

The CI form kills one bulk load 20 times: 3,000 generated articles in five files (some larger than a batch, some
smaller), batches of 250; about 80 s for the random kills on a shared two-core machine, 140 s for the whole
module. The full form, 100 kills over five bulk loads of 20,000 articles (27 minutes on the same machine):

    CRASH_TRIALS=100 CRASH_ARTICLES=20000 .venv/bin/python -m pytest tests/test_crash.py \
        -o log_cli=true --log-cli-level=INFO

Other settings: CRASH_BATCH (articles per commit, default 250; keep it under indexer.whoosh.bulk.PARALLEL_MIN_DOCS,
2,000, to stay with the one-process writer: the parallel one has its own test below), CRASH_SEED (default 6) and
CRASH_KILLS_PER_BUILD (default 20: after that many kills a build is left to finish and a fresh one starts). The
articles are a prefix of bench/data's cached corpus (bench.corpus) when there is one, else made in code.

How kills are timed: each run of a build is killed after a seeded random delay spread over the time the rest of
the build should take (estimated from the runs so far), shared out so that a build's kills reach its end; one kill
in four instead waits for the run's next commit to appear and then 0-40 ms more, to land in what follows a commit
(cleaning up, writing the manifest, parsing the next batch). The phase each kill hit is logged (from the locks
held and the files left behind). After every kill the index is read back whole; the next run of the build is the
re-run that must carry on from it, and each build ends with a run left to finish: exactly every article, once.
"""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from indexer.runlock import RUN_LOCK
from indexer.whoosh.bulk import PARALLEL_MIN_DOCS

from .crashkit import (
    ROOT,
    WRITELOCK,
    IndexState,
    ManifestBehindIndex,
    alive,
    children,
    corpus_records,
    held_locks,
    index_command,
    kill_strays,
    planted_command,
    read_state,
    split_into_files,
    start,
    write_jsonl,
)

log = logging.getLogger(__name__)

TRIALS = int(os.environ.get("CRASH_TRIALS", "20"))
ARTICLES = int(os.environ.get("CRASH_ARTICLES", "3000"))
BATCH = int(os.environ.get("CRASH_BATCH", "250"))
SEED = int(os.environ.get("CRASH_SEED", "6"))
KILLS_PER_BUILD = int(os.environ.get("CRASH_KILLS_PER_BUILD", "20"))
FILE_SHARES = [0.35, 0.05, 0.08, 0.22, 0.30]  # of the articles, per file: files of 4.2, 0.6, 1, 2.6, 3.6 batches
AFTER_COMMIT_SHARE = 0.25  # of the kills: timed from the next commit rather than from the start
RUN_TIMEOUT = 600.0  # seconds for a run left to finish (a loaded machine is slow, a hung run is a failure)


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    """The generated articles of the bulk load."""
    return corpus_records(ARTICLES)


@pytest.fixture(scope="module")
def source(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The articles by id."""
    return {r["id"]: r for r in records}


# --- checks ----------------------------------------------------------------------------------------------------


def check_after_kill(state: IndexState, source: dict[str, dict[str, Any]], batch: int) -> str:
    """Check what a kill left: return "consistent", "no index yet" or "index ahead of manifest" (the manifest is a
    batch behind the index, ManifestBehindIndex); fail on anything else."""
    if not state.exists:
        assert not state.manifest, "the manifest records articles, but there is no index"
        return "no index yet"
    check_documents(state, source)
    assert state.doc_count % batch == 0 or state.doc_count == len(source), (
        f"{state.doc_count} documents: not a whole number of batches of {batch}"
    )
    indexed = set(state.ids)
    missing = set(state.manifest) - indexed
    assert not missing, f"the manifest records {len(missing)} articles the index lacks, e.g. {sorted(missing)[:3]}"
    ahead = indexed - set(state.manifest)
    if ahead:
        assert len(ahead) == batch or len(indexed) == len(source), f"the index is {len(ahead)} articles ahead"
        return "index ahead of manifest"
    return "consistent"


def check_documents(state: IndexState, source: dict[str, dict[str, Any]]) -> None:
    """Every document once, complete (headline and body as in the source file), agreeing with the manifest."""
    ids = state.ids
    assert len(set(ids)) == len(ids), f"{len(ids) - len(set(ids))} articles are indexed twice"
    assert state.doc_count == len(ids) == state.search_total, (
        f"Whoosh counts {state.doc_count}, {len(ids)} stored, SearchService finds {state.search_total}"
    )
    for doc in state.documents:
        record = source.get(doc["id"])
        assert record is not None, f"{doc['id']!r} is not an article of the source files"
        assert (doc.get("headline", ""), doc.get("body", "")) == (record["headline"], record["body"]), (
            f"{doc['id']!r} is not stored whole"
        )
        recorded = state.manifest.get(doc["id"])
        assert recorded in (None, doc.get("fingerprint")), f"{doc['id']!r}: the manifest has another version"


def check_complete(state: IndexState, source: dict[str, dict[str, Any]]) -> None:
    """A finished build: every article, once, complete, and the manifest records exactly these."""
    assert state.exists
    duplicated = len(state.ids) - len(set(state.ids))
    if duplicated:
        raise ManifestBehindIndex(f"after the re-run {duplicated} articles are indexed twice "
                                  f"({len(state.ids)} documents for {len(source)} articles)")
    check_documents(state, source)
    assert state.doc_count == len(source), f"{state.doc_count} documents, not {len(source)}"
    assert set(state.manifest) == set(state.ids), "the manifest does not record exactly the indexed articles"


def finish(files: list[Path], index_dir: Path, cwd: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run `newsarchive index` without killing it; it must succeed without a traceback."""
    done = subprocess.run(index_command(files, index_dir, *options), cwd=cwd, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


# --- random kills ----------------------------------------------------------------------------------------------


@dataclass
class Kill:
    """One kill and what it left."""

    build: int
    mode: str  # "timed" (from the run's start) or "after commit"
    delay: float  # seconds after the start, or after the commit
    phase: str
    outcome: str
    documents: int


class Build:
    """One bulk load into a fresh index, killed again and again, and how fast it goes (to time the kills)."""

    def __init__(self, number: int, folder: Path, files: list[Path], total: int) -> None:
        self.number, self.files, self.total = number, files, total
        self.index_dir, self.snapshot = folder / f"ix{number}", folder / f"ix{number}-before"
        self.done = 0  # documents in the index
        self.startup, self.seconds_per_doc = 1.0, 0.004  # first guesses; learnt from each run

    def remaining_seconds(self) -> float:
        """Return how long a run should take from here."""
        return self.startup + (self.total - self.done) * self.seconds_per_doc

    def learn(self, seconds: float, added: int) -> None:
        """Update the speed estimate from a run that added documents."""
        if added > 0 and seconds > self.startup:
            sample = (seconds - self.startup) / added
            self.seconds_per_doc = min(0.05, max(0.0005, (self.seconds_per_doc + sample) / 2))

    def save(self) -> None:
        """Keep a copy of the index as it is (checked) before a run."""
        shutil.rmtree(self.snapshot, ignore_errors=True)
        if self.index_dir.exists():
            shutil.copytree(self.index_dir, self.snapshot)

    def restore(self) -> None:
        """Go back to the copy: a state the known bug leaves would only make later checks fail for that reason."""
        shutil.rmtree(self.index_dir)
        if self.snapshot.exists():
            shutil.copytree(self.snapshot, self.index_dir)


def toc_generations(index_dir: Path) -> int:
    """Return the newest TOC generation in the folder (-1 when none)."""
    found = [int(m.group(1)) for name in (os.listdir(index_dir) if index_dir.is_dir() else [])
             if (m := re.fullmatch(r"_MAIN_([0-9]+)\.toc", name))]
    return max(found, default=-1)


def run_and_kill(build: Build, mode: str, delay: float, cwd: Path) -> tuple[bool, dict[str, bool], float]:
    """Start a run and SIGKILL it after delay (from the start, or from its next commit); return whether it
    finished first, the locks held just before the kill and the seconds it ran."""
    before = toc_generations(build.index_dir)
    started = time.monotonic()
    process = start(index_command(build.files, build.index_dir, "--batch-size", str(BATCH)), cwd)
    locks: dict[str, bool] = {}
    try:
        if mode == "after commit":
            while process.returncode is None and toc_generations(build.index_dir) <= max(before, 0):
                assert time.monotonic() - started < RUN_TIMEOUT, "no commit within the time limit"
                time.sleep(0.002)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            locks = held_locks(build.index_dir)
    finally:
        finished = process.returncode is not None
        _, err = process.kill()
    seconds = time.monotonic() - started
    assert "Traceback" not in err, err
    if finished:
        assert process.returncode == 0, err
    return finished, locks, seconds


def phase_of(locks: dict[str, bool], state: IndexState, outcome: str) -> str:
    """Name what the killed run was doing, from the locks it held and the files it left."""
    if outcome == "index ahead of manifest":
        return "after the index commit, before the manifest commit"
    if not locks.get(RUN_LOCK):
        return "starting (before taking the run lock)"
    if any(".toc." in name for name in state.leftovers):
        return "writing the TOC"
    if locks.get(WRITELOCK):
        if any(name.endswith(".seg") for name in state.leftovers):
            return "committing: segment assembled, TOC not yet written"
        return "writing a batch: adding documents, writing segment files"
    if any(name.endswith("-journal") for name in state.leftovers):
        return "writing the manifest"
    return "reading and parsing between commits"




def test_random_kills_leave_a_consistent_index_that_a_rerun_completes(
    tmp_path: Path, records: list[dict[str, Any]], source: dict[str, dict[str, Any]]
) -> None:
    files = split_into_files(records, tmp_path / "corpus", FILE_SHARES)
    rng = random.Random(SEED)
    kills: list[Kill] = []
    builds = 0
    while len(kills) < TRIALS:
        builds += 1
        build = Build(builds, tmp_path, files, len(records))
        budget = min(KILLS_PER_BUILD, TRIALS - len(kills))
        for number in range(budget):
            build.save()
            mode = "after commit" if rng.random() < AFTER_COMMIT_SHARE else "timed"
            share = min(1.0, 2 / (budget - number + 1))  # the kills left share out the rest of the build
            delay = rng.uniform(0, 0.04) if mode == "after commit" else rng.uniform(0, build.remaining_seconds()
                                                                                   * share)
            finished, locks, seconds = run_and_kill(build, mode, delay, tmp_path)
            state = read_state(build.index_dir)
            if finished:
                check_complete(state, source)
                break
            outcome = check_after_kill(state, source, BATCH)
            kills.append(Kill(builds, mode, delay, phase_of(locks, state, outcome), outcome, state.doc_count))
            build.learn(seconds, state.doc_count - build.done)
            if outcome == "index ahead of manifest":
                build.restore()
            else:
                build.done = state.doc_count
        done = finish(files, build.index_dir, tmp_path, "--batch-size", str(BATCH))
        final = read_state(build.index_dir)
        check_complete(final, source)
        again = finish(files, build.index_dir, tmp_path, "--batch-size", str(BATCH))
        assert f": 0 added, 0 updated, {len(records):,} unchanged" in again.stdout, again.stdout
        log.info("build %d: %d kills, then finished: %s; left behind: %s", builds,
                 sum(1 for k in kills if k.build == builds), done.stdout.strip(), final.leftovers or "nothing")
        shutil.rmtree(build.snapshot, ignore_errors=True)
    _log_kills(kills)
    # A kill between an index commit and the manifest's leaves the index a batch ahead: the re-run above (every
    # article written as an update) completed it without duplicates, which is what check_complete proved.
    ahead = sum(1 for k in kills if k.outcome == "index ahead of manifest")
    log.info("%d of %d kills left the index a batch ahead of the manifest; each re-run completed it", ahead, len(kills))


def _log_kills(kills: list[Kill]) -> None:
    phases = Counter(k.phase for k in kills)
    log.info("%d kills (%d timed, %d after a commit), by phase:", len(kills),
             sum(k.mode == "timed" for k in kills), sum(k.mode == "after commit" for k in kills))
    for phase, count in phases.most_common():
        log.info("  %3d  %s", count, phase)
    for k in kills:
        log.info("  build %d  %-12s  %6.3f s  %5d docs  %-24s  %s", k.build, k.mode, k.delay, k.documents,
                 k.outcome, k.phase)


# --- kills at planted points -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "nth"),
    [
        pytest.param("mid-batch", 2 * 300 + 150, id="mid-batch"),
        pytest.param("before-toc-rename", 3, id="before-toc-rename"),
        pytest.param("before-manifest-commit", 3, id="between-the-index-commit-and-the-manifest-commit"),
    ],
)
def test_a_kill_at_each_point_of_a_commit(
    tmp_path: Path, records: list[dict[str, Any]], point: str, nth: int
) -> None:
    """The third and last batch of 300 is killed at a planted point; the re-run finishes it, every article once."""
    subset = records[:900]
    source = {r["id"]: r for r in subset}
    data = write_jsonl(tmp_path / "data.jsonl", subset)
    index_dir = tmp_path / "ix"
    arguments = index_command([data], index_dir, "--batch-size", "300")[1:]
    killed = subprocess.run(planted_command(point, nth, arguments), cwd=ROOT, capture_output=True, text=True,
                            timeout=RUN_TIMEOUT)
    assert killed.returncode == -9, killed.stderr
    state = read_state(index_dir)
    outcome = check_after_kill(state, source, 300)
    assert state.doc_count == (900 if outcome == "index ahead of manifest" else 600)
    assert (index_dir / WRITELOCK).exists() and not any(held_locks(index_dir).values())
    started = time.monotonic()
    finish([data], index_dir, tmp_path, "--batch-size", "300")
    log.info("%s: left %s; re-run took %.1f s", point, state.leftovers, time.monotonic() - started)
    check_complete(read_state(index_dir), source)


# --- the locks a killed writer leaves behind -------------------------------------------------------------------


def wait_until(condition: Any, what: str, timeout: float = 120.0) -> None:
    """Poll a condition every 5 ms."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.005)


def test_a_writer_killed_during_a_commit_leaves_no_lock_that_stops_the_next_run(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    subset = records[:900]
    data = write_jsonl(tmp_path / "data.jsonl", subset)
    index_dir = tmp_path / "ix"
    process = start(index_command([data], index_dir, "--batch-size", "300"), tmp_path)
    try:
        # During the second batch's commit: one commit is done, and Whoosh's writer holds its lock again.
        wait_until(lambda: toc_generations(index_dir) >= 1 and held_locks(index_dir)[WRITELOCK]
                   or process.returncode is not None, "the second commit")
        assert process.returncode is None, "the run finished before it could be killed"
    finally:
        process.kill()
    assert (index_dir / WRITELOCK).exists() and (index_dir / RUN_LOCK).exists()  # the lock files stay behind...
    assert held_locks(index_dir) == {RUN_LOCK: False, WRITELOCK: False}  # ...but nothing holds them
    done = finish([data], index_dir, tmp_path, "--batch-size", "300")  # no cleaning up by hand
    log.info("re-run after a kill during a commit: %s", done.stdout.strip())
    check_complete(read_state(index_dir), {r["id"]: r for r in subset})


def test_a_kill_during_a_parallel_commit_leaves_no_process_holding_the_locks(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    """Batches of PARALLEL_MIN_DOCS or more are written by worker processes (the default: 5,000, all cores)."""
    subset = records[: PARALLEL_MIN_DOCS + 500]
    data = write_jsonl(tmp_path / "data.jsonl", subset)
    index_dir = tmp_path / "ix"
    options = ("--batch-size", str(len(subset)), "--procs", "2")
    process = start(index_command([data], index_dir, *options), tmp_path)
    workers: list[int] = []
    try:
        wait_until(lambda: bool(children(process.pid)) or process.returncode is not None, "the worker processes")
        time.sleep(0.5)
        workers = children(process.pid)
        assert process.returncode is None and workers, "the run finished before it could be killed"
        workers += [pid for parent in workers for pid in children(parent)]  # the forkserver's workers
        process.kill()
        wait_until(lambda: not any(alive(pid) for pid in workers), "the run's processes to end with it", timeout=15)
        stray = [pid for pid in workers if alive(pid)]
        locked = held_locks(index_dir)
        rerun = subprocess.run(index_command([data], index_dir, *options), cwd=tmp_path, capture_output=True,
                               text=True, timeout=RUN_TIMEOUT)
    finally:
        process.kill()
        kill_strays(workers, str(index_dir))
    # The workers end with the run (indexer/processes.py); started by a fork server, not forked from the run, they
    # would hold neither lock anyway, so the next run proceeds.
    assert not stray, f"{len(stray)} processes outlive the killed run"
    assert not any(locked.values()), f"{len(stray)} worker processes outlive the killed run, holding {locked}"
    assert rerun.returncode == 0, rerun.stderr
    check_complete(read_state(index_dir), {r["id"]: r for r in subset})

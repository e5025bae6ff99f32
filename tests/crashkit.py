"""Helpers for the crash, concurrency and load tests: generated corpora, `newsarchive` subprocesses, locks held,
and an index folder read back as a whole (Whoosh documents, the manifest's articles, files left behind).

Run as a module it is the `newsarchive` command with a crash planted at a named point, for kills that random
timing rarely hits (the process SIGKILLs itself there, as a crash would stop it):

    python -m tests.crashkit before-manifest-commit 2 -- index FILE --index DIR --batch-size 300
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import random
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import CorruptIndexError

from indexer.backend import open_backend
from indexer.manifest import MANIFEST_NAME
from indexer.request import Search
from indexer.runlock import RUN_LOCK

ROOT = Path(__file__).resolve().parents[1]
NEWSARCHIVE = str(Path(sys.executable).parent / "newsarchive")
CACHED_CORPORA = [ROOT / "bench" / "data" / f"corpus-{size}.jsonl" for size in ("10k", "100k", "1m")]
WRITELOCK = "MAIN_WRITELOCK"
INDEX_NAME = "MAIN"
# Whoosh's files: a segment's are MAIN_<id>.<ext>; a TOC is written as _MAIN_<gen>.toc.<time>, then renamed.
_SEGMENT_FILE = re.compile(rf"^({INDEX_NAME}_[0-9a-z]+)\.")
_TOC_TEMP = re.compile(rf"^_{INDEX_NAME}_[0-9]+\.toc\..+")


# What a postings read gives when another thread moved the shared file's position under it (see ConcurrentReadError).
READ_ERRORS = (CorruptIndexError, zlib.error, struct.error, pickle.UnpicklingError, EOFError, IndexError)


class ConcurrentReadError(AssertionError):
    """Threads sharing one SearchBackend get postings read errors: a known bug.

    Whoosh's segment readers share one file object per postings file, and a read is a seek and then reads; a
    searcher used by several threads at once (SearchBackend keeps one for all of them, as the web app's threads
    share it) reads at positions another thread moved. related() (more-like-this, ten terms' postings read)
    shows it within a few hundred calls on two cores; a service per thread never does.
    """


class IndexOpenRace(AssertionError):
    """Opening the index failed because a commit landed meanwhile: a known bug.

    whoosh.index.exists_in and open_dir list the folder, then open the newest TOC file; a commit in between writes
    a newer one and deletes that one. indexer/storage.py's open_index lets the first (FileNotFoundError: a
    traceback from the CLI, a 500 from the web app) through and turns the second into "Error: cannot open the
    index at DIR: [Errno 2] No such file or directory: '.../_MAIN_<n>.toc'". Whoosh's own reader() retries such
    errors; opening does not. Every `newsarchive search` and `stats` opens the index.
    """


def is_open_race(text: str) -> bool:
    """Whether an error message (or a CLI's stderr) is IndexOpenRace's."""
    return "No such file or directory" in text and (".toc" in text or "exists_in" in text or "open_dir" in text)


def index_exists(index_dir: Path) -> bool:
    """Whether the folder holds an index, for polling while a writer commits (see IndexOpenRace)."""
    try:
        return index_dir.is_dir() and whoosh_index.exists_in(str(index_dir))
    except FileNotFoundError:
        return False


class ManifestBehindIndex(AssertionError):
    """The index holds a committed batch that the manifest does not record, so a re-run adds it a second time."""


# --- corpora ---------------------------------------------------------------------------------------------------


def corpus_records(n: int) -> list[dict[str, Any]]:
    """Return n generated articles: a prefix of bench/data's cached corpus (bench.corpus, seed 1), else made here.

    bench/data is git-ignored and bench.corpus needs ../shared/data and about 7 s per 1,000 articles, so a fresh
    clone gets a simpler deterministic corpus made in code instead (same fields, no duplicate ids).
    """
    for path in CACHED_CORPORA:
        if path.exists():
            with path.open(encoding="utf-8") as f:
                lines = list(itertools.islice(f, n))
            if len(lines) == n:
                return [json.loads(line) for line in lines]
    return synthetic_records(n)


_SYLLABLES = ("ka", "lo", "mir", "sen", "tra", "vel", "dun", "po", "rhe", "sto", "bal", "quin", "fe", "gor", "ni")
_COMMON = ("the", "said", "market", "company", "government", "prices", "year", "shares", "bank", "trade", "oil",
           "council", "report", "city", "workers", "plan", "new", "rose", "fell", "percent", "officials", "week")


def synthetic_records(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """Return n articles made from a seeded random vocabulary: headline, paragraphs, date, topic, source, id."""
    rng = random.Random(seed)
    words = sorted({"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(4000)})

    def sentence() -> str:
        picked = [rng.choice(_COMMON) if rng.random() < 0.4 else rng.choice(words) for _ in range(rng.randint(8, 20))]
        return " ".join(picked).capitalize() + "."

    records = []
    for number in range(1, n + 1):
        paragraphs = [" ".join(sentence() for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(2, 5))]
        records.append({
            "id": f"synthetic-{number}",
            "headline": " ".join(rng.choice(words) for _ in range(rng.randint(3, 8))).title(),
            "body": "\n\n".join(paragraphs),
            "date": f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00",
            "topic": [rng.choice(("economy", "politics", "sports", "science", "weather"))],
            "source": rng.choice(("Courier (synthetic)", "Gazette (synthetic)", "Wire (synthetic)")),
        })
    return records


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write records as JSON Lines and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def split_into_files(records: list[dict[str, Any]], folder: Path, shares: list[float]) -> list[Path]:
    """Write records into several JSON Lines files of the given shares of the whole (some larger than a batch,
    some smaller), named so that they are read in this order."""
    paths, start = [], 0
    for number, share in enumerate(shares):
        end = len(records) if number == len(shares) - 1 else start + round(len(records) * share)
        paths.append(write_jsonl(folder / f"part-{number:02d}.jsonl", records[start:end]))
        start = end
    return paths


# --- processes -------------------------------------------------------------------------------------------------


def index_command(paths: list[Path], index_dir: Path, *options: str) -> list[str]:
    """Return the `newsarchive index` command line."""
    return [NEWSARCHIVE, "index", *map(str, paths), "--index", str(index_dir), *options]


class Run:
    """A subprocess whose output goes to files, not pipes: a pipe stays open in any process it leaves behind (a
    killed writer's workers), and reading it to the end would wait for them."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.out, self.err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(command, cwd=cwd, stdout=self.out, stderr=self.err, text=True)
        self.pid = self.process.pid
        self._output: tuple[str, str] | None = None

    @property
    def returncode(self) -> int | None:
        """The exit status (negative: the signal), or None while it runs."""
        return self.process.poll()

    def wait(self, timeout: float | None = None) -> tuple[str, str]:
        """Wait for the process to end (subprocess.TimeoutExpired after timeout) and return its output."""
        self.process.wait(timeout=timeout)
        if self._output is None:
            texts = []
            for f in (self.out, self.err):
                f.seek(0)
                texts.append(f.read())
                f.close()
            self._output = (texts[0], texts[1])
        return self._output

    def kill(self) -> tuple[str, str]:
        """SIGKILL the process (by its id) unless it has ended, and return its output."""
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        return self.wait()


def start(command: list[str], cwd: Path) -> Run:
    """Start a command, its output going to temporary files."""
    return Run(command, cwd)


def children(pid: int) -> list[int]:
    """Return the ids of a process's direct children (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Return whether a process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def kill_strays(pids: list[int], marker: str) -> None:
    """SIGKILL the processes we started that are still running, each by id, if its command line names marker."""
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            os.kill(pid, signal.SIGKILL)


# --- locks -----------------------------------------------------------------------------------------------------


def held_locks(index_dir: Path) -> dict[str, bool]:
    """Return whether the run lock and Whoosh's write lock are held now, by anyone (from /proc/locks).

    Reading /proc/locks rather than trying the locks: taking one, even for an instant, could turn a running
    indexer away.
    """
    wanted = {}
    for name in (RUN_LOCK, WRITELOCK):
        try:
            st = os.stat(index_dir / name)
        except OSError:
            continue
        wanted[f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"] = name
    held = {RUN_LOCK: False, WRITELOCK: False}
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if len(parts) > 5 and parts[1] == "FLOCK" and parts[5] in wanted:
            held[wanted[parts[5]]] = True
    return held


# --- reading an index folder back ------------------------------------------------------------------------------


@dataclass
class IndexState:
    """What an index folder holds after a run ended (or was killed)."""

    exists: bool
    generation: int = -1
    documents: list[dict[str, Any]] = field(default_factory=list, repr=False)  # stored fields of every live document
    doc_count: int = 0  # Whoosh's count of live documents
    search_total: int = 0  # what SearchBackend finds for an empty query (everything)
    manifest: dict[str, str] = field(default_factory=dict, repr=False)  # id -> fingerprint, as committed
    leftovers: list[str] = field(default_factory=list)  # files no committed state uses (a killed writer's)

    @property
    def ids(self) -> list[str]:
        """Every indexed id, duplicates included."""
        return [d["id"] for d in self.documents]


def leftover_files(index_dir: Path) -> list[str]:
    """Return the files in an index folder that its committed state does not use: segment files not in the TOC,
    TOC files being written, Whoosh's temporary folder, a SQLite journal."""
    names = sorted(os.listdir(index_dir)) if index_dir.is_dir() else []
    storage = FileStorage(str(index_dir))
    try:
        live = {s.segment_id() for s in TOC.read(storage, INDEX_NAME).segments}
    except Exception:  # no TOC yet (killed before the first one), or none readable: report every Whoosh file
        live = set()
    left = []
    for name in names:
        segment = _SEGMENT_FILE.match(name)
        if (segment and name != WRITELOCK and segment.group(1) not in live) or _TOC_TEMP.match(name):
            left.append(name)
        elif name.endswith(".tmp") or name.endswith("-journal"):
            left.append(name)
    return left


def read_state(index_dir: Path) -> IndexState:
    """Open the index as the CLI and web app do (Whoosh's open_dir, SearchBackend) and read everything back."""
    leftovers = leftover_files(index_dir)  # before anything opens the manifest (SQLite rolls a journal back)
    if not (index_dir.is_dir() and whoosh_index.exists_in(str(index_dir))):
        return IndexState(exists=False, manifest=read_manifest(index_dir), leftovers=leftovers)
    ix = whoosh_index.open_dir(str(index_dir))
    try:
        with ix.searcher() as searcher:
            documents = list(searcher.all_stored_fields())
            doc_count = searcher.doc_count()
        generation = ix.latest_generation()
    finally:
        ix.close()
    service = open_backend(folder=index_dir)
    try:
        total = service.search(Search(query="")).total
    finally:
        service.close()
    return IndexState(True, generation, documents, doc_count, total, read_manifest(index_dir), leftovers)


def read_manifest(index_dir: Path) -> dict[str, str]:
    """Return id -> fingerprint of the articles the manifest records (empty when there is no manifest)."""
    path = index_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    with closing(sqlite3.connect(path)) as db:
        try:
            return dict(db.execute("SELECT id, fingerprint FROM articles").fetchall())
        except sqlite3.OperationalError:  # killed before the tables were made
            return {}


# --- a crash planted at a named point --------------------------------------------------------------------------

# Where a crash can be planted, and the state a kill there leaves. N counts calls across the whole run.
POINTS: dict[str, str] = {
    "before-manifest-commit": "the index commit is done, the manifest's record of it not yet",
    "before-toc-rename": "the new segment is written, the TOC that makes it part of the index not yet",
    "mid-batch": "the writer is open and the batch's documents are being added (N: the Nth document)",
}


def _install(point: str, nth: int) -> None:
    """Wrap the function at `point` so that its nth call (counted across the run) kills this process."""
    import indexer.manifest
    from indexer.whoosh.bulk import SegmentBuilder  # the writer of a commit's new articles

    calls = itertools.count(1)

    def die_on_nth(condition: bool = True) -> None:
        if condition and next(calls) == nth:
            os.kill(os.getpid(), signal.SIGKILL)

    if point == "before-manifest-commit":
        real_commit = indexer.manifest.Manifest.commit

        def commit(self: Any) -> None:
            die_on_nth()
            real_commit(self)

        indexer.manifest.Manifest.commit = commit  # type: ignore[method-assign]
    elif point == "before-toc-rename":
        real_rename = FileStorage.rename_file

        def rename_file(self: Any, old: str, new: str, safe: bool = False) -> None:
            die_on_nth(new.endswith(".toc") and new != f"_{INDEX_NAME}_0.toc")
            real_rename(self, old, new, safe)

        FileStorage.rename_file = rename_file  # type: ignore[method-assign]
    elif point == "mid-batch":
        real_add = SegmentBuilder.add_document

        def add_document(self: Any, **fields: Any) -> None:
            real_add(self, **fields)
            die_on_nth()

        SegmentBuilder.add_document = add_document  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown point {point!r}; choose one of: {', '.join(POINTS)}")


def planted_command(point: str, nth: int, arguments: list[str]) -> list[str]:
    """Return the command line of `newsarchive ARGUMENTS...` that kills itself at the nth call of point."""
    return [sys.executable, "-m", "tests.crashkit", point, str(nth), "--", *arguments]


def main(argv: list[str] | None = None, entry: Callable[..., Any] | None = None) -> None:
    """Run `newsarchive` with a crash planted: POINT N -- ARGUMENTS..."""
    args = sys.argv[1:] if argv is None else argv
    point, nth, separator, *rest = args
    if separator != "--":
        raise SystemExit("usage: python -m tests.crashkit POINT N -- NEWSARCHIVE-ARGUMENTS...")
    _install(point, int(nth))
    if entry is None:
        from newsarchive.cli import main as entry
    entry(rest, prog_name="newsarchive")


if __name__ == "__main__":
    main()

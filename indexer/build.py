"""Indexing runs: read files, update articles by id in batched commits, skip what did not change.

Engine-neutral: the articles go to a SearchBackend (indexer/backend.py) in batches, each given its names (names.py:
people, organisations and places, stated ones canonical, others found in the text), its language (languages.py: the
one its record states, else detected, else the archive's default) and its story first (stories.py: copies of one
wire story share a story id); what each file contributed is kept in the index folder's manifest (manifest.py), under
the folder's run lock (runlock.py). A batch is committed in a thread while the next is read and given its names,
languages and stories (`_Run.send`); the manifest is committed after the engine's commit it describes, and the stories
and names with it, those of the next batch too when it was given them meanwhile. A crash between leaves articles the
manifest does not know, which the next run writes again: an unchanged article keeps the story it was given.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from .ahead import Ahead, Made
from .backend import Batch, SearchBackend
from .errors import NewsArchiveError
from .languages import default_language, detect_languages, preload_languages
from .manifest import FileState, Manifest
from .names import Namer
from .parsers import parse_path
from .processes import collecting_less
from .records import Article, Notice, Skipped
from .runlock import run_lock
from .sourcefiles import FOLDER_FIELDS, folder_name, source_files, with_folder
from .stories import StoryStore

DEFAULT_BATCH_SIZE = 5000
# A run on several processes sends its first batch at this many articles (at most batch_size): the writing processes
# then start writing sooner (on Reuters they waited 2.5 s for a first batch of 5,000, both cores far from busy).
FIRST_BATCH = 2000
# The engine hears how large the batch being read has grown every this many articles (SearchBackend.expect).
EXPECT_EVERY = 500
# A file this large (bytes) holds more articles than a chunk sent ahead (ahead.AHEAD_CHUNK: 600 KB of Reuters):
# the process making their languages and measures is started as it starts to be read.
AHEAD_START_BYTES = 1_000_000
# A batch is committed in a thread while the next is read. Each of the commit's file, pipe and SQLite calls gives up
# the GIL, and taking it back from the reading thread waits up to Python's switch interval: at its default (5 ms) a
# Reuters batch's commit started 0.4-0.8 s late. An indexing run sets this one (seconds) while it runs.
SWITCH_INTERVAL = 0.0005


@dataclass(frozen=True)
class IndexOptions:
    """How to read and write: the format to force, the default source, rebuild, batch size, processes."""

    format: str | None = None
    source: str = ""
    # "topic" or "source": for files found in a folder, the folder's name when the file gives no such value.
    folder_as: str | None = None
    rebuild: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE  # articles per commit, within a file as across files
    prune: bool = False  # remove the articles of files under the given paths that are gone
    procs: int = field(default_factory=lambda: os.cpu_count() or 1)
    # The language of articles that state none and are too short to detect (NEWSARCHIVE_LANGUAGE).
    language: str = field(default_factory=default_language)


@dataclass
class IndexReport:
    """What an indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    files_pruned: int = 0
    commits: int = 0
    segments: int = 0  # after the run
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    seconds: float = 0.0
    story_seconds: float = 0.0  # of those, giving articles their stories
    language_seconds: float = 0.0  # of those, detecting the languages of articles that state none
    name_seconds: float = 0.0  # of those, giving articles their names (people, organisations, places)


@dataclass
class _PendingFile:
    key: str
    state: FileState | None
    articles: dict[str, str]


@dataclass
class _Batch:
    writes: Batch = field(default_factory=Batch)
    files: list[_PendingFile] = field(default_factory=list)
    # The file being read when the batch was sent, and which of its articles (in the order read) the batch ends.
    reading: tuple[str, dict[str, str], int, int] | None = None
    made: Made | None = None  # its languages and story measures, made ahead (Ahead.cut)


@dataclass
class _Committing:
    batch: _Batch
    done: Future[None]


def index_paths(
    paths: Iterable[Path],
    backend: SearchBackend,
    options: IndexOptions | None = None,
    progress: Callable[[Path], None] | None = None,
    lock: bool = True,
) -> IndexReport:
    """Index every article in the given files and folders; return what was added, updated and skipped.

    lock=False is for a caller that holds the folder's run lock itself (`watch`, across its passes).
    """
    options = options or IndexOptions()
    if options.folder_as not in (None, *FOLDER_FIELDS):
        raise NewsArchiveError(f"folder_as must be one of {', '.join(FOLDER_FIELDS)}, not {options.folder_as!r}")
    paths = list(paths)
    started = time.perf_counter()
    with run_lock(backend.folder) if lock else nullcontext(), _switch_interval(SWITCH_INTERVAL), collecting_less():
        backend.prepare(rebuild=options.rebuild)
        manifest = Manifest(backend.folder, backend.schema_version, reset=options.rebuild)
        stories = StoryStore(backend.folder, reset=options.rebuild)
        namer = Namer(backend.folder, reset=options.rebuild)
        try:
            run = _Run(backend, manifest, stories, options, namer,
                       named={path.resolve() for path in paths if not path.is_dir()})
            try:
                for path in source_files(paths, backend.folder):
                    run.read_file(path)
                    if progress:
                        progress(path)
                run.flush()
                if options.prune:
                    run.prune(paths)  # after the flush: an article moved to a new file is recorded under it by now
                    run.flush()
            finally:
                try:
                    run.settle()  # a batch still being committed lands (or fails) before the run lock is let go
                finally:
                    run.close()
            run.report.segments = backend.segment_count()
        finally:
            manifest.close()
            stories.close()
            namer.close()
    run.report.seconds = time.perf_counter() - started
    return run.report


@contextmanager
def _switch_interval(seconds: float) -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class _Run:
    """One indexing run: the batch being filled and the report so far."""

    def __init__(self, backend: SearchBackend, manifest: Manifest, stories: StoryStore, options: IndexOptions,
                 namer: Namer, named: set[Path] | None = None) -> None:
        self.backend, self.manifest, self.stories, self.options = backend, manifest, stories, options
        self.namer = namer
        self.named = named or set()  # files named on their own, not found in a folder (no --folder-as value)
        self.report = IndexReport()
        self.batch = _Batch()
        self.sent = False  # whether a batch has been sent
        # The file being read and its articles so far: a large file is committed in several batches.
        self.reading_file: tuple[str, dict[str, str]] | None = None
        self.reading_recorded = 0  # how many of its articles were sent in batches (in the order they were read)
        # The batch being committed in the background while the next is read: one at a time.
        self.committing: _Committing | None = None
        # A batch sent whose languages and measures are not back from the process making them ahead (the first,
        # while that process starts): the reading goes on meanwhile; it is committed when they are back, or when
        # the next batch is full (`_waited`).
        self.waiting: _Batch | None = None
        self._committer = ThreadPoolExecutor(1, thread_name_prefix="commit")
        # Languages detected and story texts measured in a process of their own while this one reads (ahead.py;
        # not with --procs 1).
        self.ahead = Ahead(stories.params) if options.procs > 1 else None
        self.seen: dict[str, str] = {}  # id -> file, for every article read in this run
        self.read_keys: set[str] = set()  # the files read in this run
        indexed = backend.article_count()
        self.fresh = manifest.is_empty() and indexed == 0  # nothing indexed yet: no id is an update
        # A run killed between an index commit and the manifest's leaves articles the manifest does not know: then
        # every article is written as an update (replacing any copy by id), so none is indexed twice.
        self.index_ahead = indexed > manifest.article_count()
        # How files are read: a file read with other options than last time is read again.
        self.reading = f"format={options.format or ''};source={options.source}"
        if options.folder_as:
            self.reading += f";folder_as={options.folder_as}"

    def read_file(self, path: Path, rewrite: bool = False) -> None:
        """Read one file into the batch, unless it is unchanged since it was last indexed (or rewrite=True)."""
        try:
            key = str(path.resolve())
            stat = path.stat()
        except (OSError, RuntimeError) as err:  # RuntimeError: a symlink loop, before Python 3.13
            reason = getattr(err, "strerror", None) or str(err)
            self.report.skipped.append(Skipped(_shown(path), "", f"cannot read file: {reason}"))
            return

        state = FileState(stat.st_size, stat.st_mtime_ns, self.reading)
        if state == self.manifest.file_state(key) and not rewrite:
            self.report.files_unchanged += 1
            self.report.unchanged += len(self.manifest.file_articles(key))
            return
        self.report.files_read += 1
        self.read_keys.add(key)
        if self.ahead is not None and stat.st_size >= AHEAD_START_BYTES:
            self.ahead.start()
        previous = self.manifest.file_articles(key)
        # rewrite: every article is written again, even one whose fingerprint this file recorded.
        current, trusted = self._read_articles(path, {} if rewrite else previous)
        if not trusted and not current:
            # The whole file failed: keep what it gave before rather than delete it, and retry next run.
            self.batch.files.append(_PendingFile(key, None, previous))
        else:
            gone = [i for i in previous if i not in current]
            self.batch.writes.deletes.extend(gone)
            self.report.deleted += len(gone)
            self.batch.files.append(_PendingFile(key, state if trusted else None, current))
        if self._full():
            self.send()

    def _full(self) -> bool:
        """Return whether the batch being read is to be sent (FIRST_BATCH for a first one on several processes)."""
        limit = self.options.batch_size
        if self.options.procs > 1 and not self.sent:
            limit = min(limit, FIRST_BATCH)
        return len(self.batch.writes.articles) >= limit

    def _read_articles(self, path: Path, previous: dict[str, str]) -> tuple[dict[str, str], bool]:
        """Parse a file into the batch; return id -> fingerprint of its articles and whether it read cleanly."""
        current: dict[str, str] = {}
        trusted = True
        self.reading_file = (str(path.resolve()), current)
        self.reading_recorded = 0
        folder = folder_name(path) if self.options.folder_as and path.resolve() not in self.named else None
        # With --folder-as source, the folder names the source of a file that names none (--source: the rest).
        source = "" if folder and self.options.folder_as == "source" else self.options.source
        try:
            for item in parse_path(path, self.options.format, source):
                if isinstance(item, Article) and folder:
                    item = with_folder(item, self.options.folder_as, folder)
                if isinstance(item, Skipped):
                    self.report.skipped.append(item)
                    trusted = False  # re-read next run, so the problem is reported until it is fixed
                elif isinstance(item, Notice):
                    self.report.notices.append(item)
                else:
                    current[item.id] = self._add(item, path, previous)
                    if self._full():
                        self.send()  # a large file does not wait for its end: memory and a crash stay bounded
                if self.waiting is not None and self.waiting.made is not None and self.waiting.made.ready():
                    self._waited()
                if self.committing is not None and self.committing.done.done():
                    self.settle()  # recorded as soon as it lands: a crash then rarely finds the index ahead
        finally:
            self.reading_file = None
        return current, trusted

    def _add(self, article: Article, path: Path, previous: dict[str, str]) -> str:
        fp = article.fingerprint
        other = self.seen.get(article.id)
        if other is not None:
            self.report.notices.append(
                Notice(_shown(path), f"id {article.id!r}", f"duplicate id (also in {other}); this later record is kept")
            )
        self.seen[article.id] = _shown(path)
        if previous.get(article.id) == fp and other is None:
            self.report.unchanged += 1
            return fp
        update = (
            self.index_ahead or other is not None or article.id in previous
            or (not self.fresh and self.manifest.known(article.id))
        )
        if other is None:
            if update:
                self.report.updated += 1
            else:
                self.report.added += 1
        if self.ahead is not None:
            self.ahead.send(article)
        elif not article.language:
            preload_languages()  # detected when the batch is sent
        articles = self.batch.writes.articles
        earlier = articles.get(article.id)
        articles[article.id] = (article, update or (earlier is not None and earlier[1]))
        if len(articles) % EXPECT_EVERY == 0:
            self.backend.expect(len(articles), self.options.procs)
        return fp

    def prune(self, roots: list[Path]) -> None:
        """Delete the articles of recorded files, under the given files and folders, that no longer exist.

        A story filed twice stays while one of its files remains, and is written again from that file (the copy
        in the index may have come from the file that is gone).
        """
        prefixes = [str(root.resolve()) for root in roots]
        for key in self.manifest.paths():
            if not any(key == p or key.startswith(p.rstrip(os.sep) + os.sep) for p in prefixes):
                continue
            if os.path.exists(key):
                continue
            held = self.manifest.file_articles(key)
            others = {i: [p for p in self.manifest.holders(i) if p != key and os.path.exists(p)] for i in held}
            gone = [i for i in held if not others[i]]
            self.batch.writes.deletes.extend(gone)
            self.batch.files.append(_PendingFile(key, None, {}))
            self.report.deleted += len(gone)
            self.report.files_pruned += 1
            for other in sorted({paths[0] for paths in others.values() if paths} - self.read_keys):
                self.read_file(Path(other), rewrite=True)

    def flush(self) -> None:
        """Commit the batch read so far and record it, and any batch before it."""
        self.send()
        self._waited()
        self.settle()

    def send(self) -> None:
        """Start committing the batch read so far, in the background, and start another.

        The batch is given its names, languages and stories while the one before is still being committed (they
        follow from every batch before it, all given them already in this process; recorded with that one, they
        can be a batch ahead of the engine). Then that one is recorded (settle) and this one's commit starts. The
        run meanwhile reads the next batch: reading and analysis in this process beside the engine's writing.
        A batch whose languages and measures made ahead are not back yet waits for them while the reading goes on
        (`waiting`, one batch at most): the first, while that process starts and loads its language model.
        """
        batch, self.batch = self.batch, _Batch()
        self.sent = True
        if self.reading_file is not None:
            path, current = self.reading_file
            batch.reading = (path, current, self.reading_recorded, len(current))
            self.reading_recorded = len(current)
        if self.ahead is not None and (batch.writes.articles or batch.writes.deletes):
            batch.made = self.ahead.cut()
        self._waited()  # the batch before, given and committed first: batches are given in the order read
        if batch.made is not None and not batch.made.ready():
            self.waiting = batch
            return
        self._commit(batch)

    def _waited(self) -> None:
        """Commit the batch waiting for what was made ahead, if any (waiting for it if need be)."""
        waiting, self.waiting = self.waiting, None
        if waiting is not None:
            self._commit(waiting)

    def _commit(self, batch: _Batch) -> None:
        """Give a batch its names, languages and stories, record the one before (settle) and start its commit."""
        writes = batch.writes
        if writes.articles or writes.deletes:
            self._give_names(writes)
            self._give_languages(writes, batch.made)
            self._give_stories(writes, batch.made)
        self.settle()
        if not (writes.articles or writes.deletes):
            self._record(batch)
            return
        self.committing = _Committing(batch, self._committer.submit(self.backend.commit, writes, self.options.procs))

    def settle(self) -> None:
        """Wait for the batch being committed, if any, and record it (manifest, stories, names); if its commit
        failed, forget the stories and names given since the last record and raise."""
        committing, self.committing = self.committing, None
        if committing is None:
            return
        try:
            committing.done.result()
        except BaseException:
            self.stories.rollback()
            self.namer.rollback()
            raise
        self.report.commits += 1
        self._record(committing.batch)

    def _record(self, batch: _Batch) -> None:
        for pending in batch.files:
            self.manifest.record_file(pending.key, pending.state, pending.articles)
        if batch.reading is not None:
            # Committed articles of a file still being read: a re-run after a crash updates them by id rather
            # than adding them again. The file itself is recorded (as unchanged) only when it has been read. Only
            # those the batch sent: all of them each time made a million-article file quadratic.
            path, current, first, end = batch.reading
            self.manifest.add_articles(path, dict(islice(current.items(), first, end)))
        self.manifest.forget(batch.writes.deletes)
        self.manifest.commit()
        self.stories.commit()
        self.namer.commit()

    def close(self) -> None:
        """Stop the background committer (after `settle`) and the detecting process."""
        self._committer.shutdown()
        if self.ahead is not None:
            self.ahead.close()

    def _give_names(self, writes: Batch) -> None:
        """Give each article its people, organisations and places (names.py), in the order they were read. The
        manifest keeps the fingerprint of the article as read."""
        started = time.perf_counter()
        updates = [update for _, update in writes.articles.values()]
        named = self.namer.give([article for article, _ in writes.articles.values()])
        writes.articles = {a.id: (a, update) for a, update in zip(named, updates, strict=True)}
        self.report.name_seconds += time.perf_counter() - started

    def _give_languages(self, writes: Batch, made: Made | None) -> None:
        """Give each article that states no language the one detected in it, else the default (only the articles
        written: unchanged ones cost nothing). The manifest keeps the fingerprint of the article as read."""
        started = time.perf_counter()
        unstated = [(i, article) for i, (article, _) in writes.articles.items() if not article.language]
        texts = [(article.headline, article.body) for _, article in unstated]
        found = made.languages(texts) if made is not None else detect_languages(texts)
        for (article_id, article), language in zip(unstated, found, strict=True):
            update = writes.articles[article_id][1]
            writes.articles[article_id] = (article.given(language=language or self.options.language), update)
        self.report.language_seconds += time.perf_counter() - started

    def _give_stories(self, writes: Batch, made: Made | None) -> None:
        """Set each article's story (deleted articles leave theirs first), in the order they were read."""
        started = time.perf_counter()
        self.stories.remove(writes.deletes)
        measured = made.measures() if made is not None else None
        assigned = self.stories.assign([article for article, _ in writes.articles.values()], measured)
        writes.articles = {i: (a.given(story=assigned[i]), update) for i, (a, update) in writes.articles.items()}
        self.report.story_seconds += time.perf_counter() - started


def _shown(path: Path) -> str:
    """Return a path for messages: bytes that are not UTF-8 (surrogate escapes) shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")

"""Writing a commit's new articles as segments of our codec, every field's postings made as whole arrays.

Whoosh's writer turns every posting into a tuple for its pool (two million on Reuters), sorts them all, and hands
them back one at a time to the codec, which gathers each term's again; the analysis makes a Token per word before
that. That was most of an indexing run's time. `SegmentBuilder` is Whoosh's `SegmentWriter` for one new segment in
which the fields of the news analyzer (headline, body) keep only each word's number (`NewsFilter.term_numbers`: every
distinct word analysed once, the rest dictionary look-ups). When the segment is written, `columns.write_column` sorts
the whole segment's words by term and document with numpy and cuts each term's record out of the sorted arrays: the
same record, positions and statistics as Whoosh's path (tests/test_bulk.py compares them posting by posting). The
other fields (ids, dates, names, facets: a few terms an article, most of them values met before) keep each document's
value as the number of a value made once (`columns.ValueColumn`), sorted into each term's postings the same way
(`columns.write_values`). The per-document data (stored fields, lengths, columns) go through the codec's per-document
writer. The words found are handed to what else is counted of the documents (autocomplete's words: `found`).

`Builders.write` is a commit's writing: its articles split over the run's processes (kept from one commit to the
next, their stem caches warm), each writing a segment of its own (in this process when there is one, or too few
articles to be worth another), while the committing writer holds the index's lock; that writer then adds the
segments to the table of contents (`adding`), so the batch lands whole or not at all.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from ..processes import start_worker, worker_context
from ..words import TOKEN_PATTERN
from .analysis import NewsFilter, NewsTokenizer, TermNumbers, news_parts
from .codec import NewsFieldWriter, NewsPositions
from .columns import ValueColumn, WordColumn, id_items, numeric_items, term_order, write_column, write_values
from .merging import merge_segments
from .storage import news_codec
from .wordforms import FoundWords

# Fewer articles than this in a commit are written in the run's own process: starting workers and sending them
# the articles costs more than it saves. Once they have started (a bulk load), commits of RUNNING_MIN_DOCS or
# more are spread over them too (a load's last, smaller batch); fewer still make one segment, in this process.
PARALLEL_MIN_DOCS = 2000
RUNNING_MIN_DOCS = 500
# At most this many values of the other fields are remembered for the articles after, not to be made again (bounded:
# ids and times are new each time).
MADE_VALUES = 50_000


class NewSegment(SegmentWriter):  # type: ignore[misc]
    """Writes one new segment of our codec, without the index's lock (the caller holds it): `finish` returns it for
    the committing writer's table of contents (`adding`)."""

    def __init__(self, ix: Any) -> None:
        super().__init__(ix, _lk=False, codec=news_codec())

    def finish(self) -> Any:
        """Write the segment's files; return the segment."""
        segment = self._finalize_segment()
        self._finish()
        return segment

    def _finish(self) -> None:
        # Whoosh's removes the index's temporary folder ("<index>.tmp"), which the committing writer (holding the
        # lock) shares and removes when it finishes.
        self.is_closed = True


class SegmentBuilder(NewSegment):
    """Writes documents into one new segment (NewSegment), headline and body kept as word columns."""

    def __init__(self, ix: Any) -> None:
        super().__init__(ix)
        self._numbers = TermNumbers()
        self._columns: dict[str, WordColumn] = {}
        self._news: dict[str, tuple[NewsTokenizer, NewsFilter] | None] = {}
        self._values: dict[str, ValueColumn] = {}
        self._made: dict[tuple[str, Any], int] = {}  # (field, value) -> the number of its made value
        self._plans: dict[tuple[str, ...], list[tuple[str, Any, str, bool, bool, Any, bool]]] = {}

    def add_document(self, **fields: Any) -> None:
        """Whoosh's SegmentWriter.add_document, the news analyzer's fields kept as term numbers (no boosts)."""
        self._check_state()
        perdocwriter, docnum = self.perdocwriter, self.docnum
        plan = self._plans.get(tuple(fields)) or self._plan(tuple(fields))
        perdocwriter.start_doc(docnum)
        try:
            for fieldname, fieldobj, stored_name, indexed, stored_kept, column_type, writable in plan:
                value = fields[fieldname]
                if value is None:
                    continue
                if not writable:
                    raise ValueError(f"field {fieldname!r} keeps spelling words or vectors (Whoosh's writer does)")
                length = self._index(fieldname, fieldobj, value, docnum) if indexed else 0
                stored = fields.get(stored_name, value)
                perdocwriter.add_field(fieldname, fieldobj, stored if stored_kept else None, length)
                if column_type and stored is not None:
                    perdocwriter.add_column_value(fieldname, column_type, fieldobj.to_column_value(stored))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _plan(self, names: tuple[str, ...]) -> list[tuple[str, Any, str, bool, bool, Any, bool]]:
        """Return how add_document writes a document given these arguments, worked out once for each set of them:
        its fields in name order, each with its field object, the argument of its stored value, whether it is
        indexed and stored, its column type, and whether a SegmentBuilder can write it."""
        if any(name.endswith("_boost") for name in names):
            raise ValueError("a SegmentBuilder writes documents without boosts")
        fieldnames = sorted(name for name in names if not name.startswith("_"))
        self._check_fields(self.schema, fieldnames)
        plan = []
        for fieldname in fieldnames:
            fieldobj = self.schema[fieldname]
            plan.append((fieldname, fieldobj, f"_stored_{fieldname}", bool(fieldobj.indexed), bool(fieldobj.stored),
                         fieldobj.column_type, not (fieldobj.separate_spelling() or fieldobj.vector)))
        self._plans[names] = plan
        return plan

    def _index(self, fieldname: str, fieldobj: Any, value: Any, docnum: int) -> int:
        """Add a field's postings for a document; return its length (its words, when the field is scorable)."""
        parts = self._news_parts(fieldname, fieldobj)
        if parts is not None and isinstance(value, str):
            numbers, length = parts[1].term_numbers(parts[0], value, self._numbers)
            if numbers:
                column = self._columns.setdefault(fieldname, WordColumn())
                column.docs.append(docnum)
                column.sizes.append(len(numbers))
                column.words.extend(numbers)
            return length
        if parts is not None:
            raise ValueError(f"field {fieldname!r} takes text")
        values = self._values.get(fieldname)
        if values is None:
            values = self._values[fieldname] = ValueColumn()
        key = (fieldname, value) if isinstance(value, str | datetime) else None
        made = self._made.get(key) if key is not None else None
        if made is None:  # a source, topic, name, year or day met before is not analysed again
            items = id_items(fieldobj, value) or numeric_items(fieldobj, value) or list(fieldobj.index(value))
            made = values.made(items, sum(freq for _, freq, _, _ in items) if fieldobj.scorable else 0)
            if key is not None:
                if len(self._made) >= MADE_VALUES:
                    self._made.clear()
                self._made[key] = made
        values.docs.append(docnum)
        values.values.append(made)
        return values.lengths[made]

    def _news_parts(self, fieldname: str, fieldobj: Any) -> tuple[NewsTokenizer, NewsFilter] | None:
        """Return the news analyzer's parts when a field is written as word columns (NewsPositions, no boost)."""
        if fieldname not in self._news:
            simple = type(fieldobj.format) is NewsPositions and fieldobj.format.field_boost == 1.0
            self._news[fieldname] = news_parts(fieldobj.analyzer) if simple else None
        return self._news[fieldname]

    def found(self) -> FoundWords:
        """Return the words found in the fields written as word columns: those the token pattern finds (not an older
        index's pattern), so that what else is counted of the documents need not find them again."""
        fields: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, parts in self._news.items():
            if parts is not None and parts[0].expression.pattern == TOKEN_PATTERN:
                column = self._columns.get(name, WordColumn())
                fields[name] = (column.word_documents(), np.frombuffer(column.words, dtype=np.int64))
        return FoundWords(self._numbers.texts, fields)

    def add_reader(self, reader: Any) -> None:
        raise NotImplementedError("a SegmentBuilder writes new documents only: merges are the commit's own")

    def _flush_segment(self) -> None:
        """Write the postings: the word columns and the value columns, in the order of their names."""
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        writer: NewsFieldWriter = self.fieldwriter
        terms = term_order(list(self._numbers.numbers))  # once for every column
        word_terms = np.frombuffer(self._numbers.word_terms, dtype=np.int64)
        for name in sorted({*self._columns, *self._values}):
            if name in self._columns:
                write_column(writer, name, self.schema[name], self._columns[name], word_terms, terms, lengths)
            else:
                write_values(writer, name, self.schema[name], self._values[name], lengths)
        writer.close()
        lengths.close()


def build_segment(ix: Any, documents: Sequence[dict[str, Any]]) -> Any:
    """Write documents (keyword arguments of Whoosh's add_document) as one new segment; return it."""
    return _written(ix, documents)[0]


def _written(ix: Any, documents: Sequence[dict[str, Any]]) -> tuple[Any, FoundWords]:
    """build_segment, and the words found in the documents (SegmentBuilder.found)."""
    builder = SegmentBuilder(ix)
    try:
        for document in documents:
            builder.add_document(**document)
        return builder.finish(), builder.found()
    except BaseException:
        builder.cancel()
        raise


Counted = TypeVar("Counted", bound=Counter[str])
Result = TypeVar("Result")
# What else the writing processes count of a commit's documents (autocomplete's words): given the documents and the
# words found in them, in the fields the writer found them in (SegmentBuilder.found).
Count = Callable[[list[dict[str, Any]], FoundWords], Counted]
# What makes a document (add_document's keyword arguments) of each item a commit writes, in the process writing it
# (a module-level function or a partial of one: it is pickled); None: the items are documents.
Make = Callable[[Any], dict[str, Any]] | None


def _build(ix: Any, items: list[Any], count: Count[Counted], make: Make = None) -> tuple[Any, Counted]:
    documents = items if make is None else [make(item) for item in items]
    segment, found = _written(ix, documents)
    return segment, count(documents, found)


def _build_in_worker(folder: str, indexname: str, items: list[Any], count: Count[Counted],
                     make: Make = None) -> tuple[Any, Counted]:
    # In a worker: the index as the committing writer found it (that writer holds the lock).
    return _build(whoosh_index.open_dir(folder, indexname=indexname), items, count, make)


def _merge_in_worker(folder: str, indexname: str, segment_ids: list[str]) -> Any:
    # In a worker: the committed segments merged into a new one, not yet in the table of contents (the committing
    # writer, which holds the lock, swaps it in for them: `adding`).
    ix = whoosh_index.open_dir(folder, indexname=indexname)
    chosen = {segment.segment_id(): segment for segment in ix._segments()}
    writer = NewSegment(ix)
    try:
        merge_segments(writer, [chosen[segment_id] for segment_id in segment_ids])
        return writer.finish()
    except BaseException:
        writer.cancel()
        raise


class Builders:
    """Writes a commit's documents as new segments, spread over the run's processes when there are
    PARALLEL_MIN_DOCS of them or more (one segment each, in order), else in this process; and merges a bulk load's
    segments in the same processes, beside them (`merge`). The processes start on the first commit that needs them
    and stay, their analysis caches warm, until `close` (the backend's)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._procs = 0
        self._lock = threading.Lock()

    def _started(self, procs: int) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or self._procs != procs:
                self.close()
                self._pool = ProcessPoolExecutor(procs, mp_context=worker_context(), initializer=start_worker)
                self._procs = procs
            return self._pool

    def start(self, procs: int) -> None:
        """Start the processes in the background, if they are not running: a bulk load's first batch is being read,
        and they take a second to start (the forkserver's imports), which its reading and analysis then cover."""
        if self._pool is not None and self._procs == procs:
            return
        threading.Thread(target=_start_processes, args=(self._started(procs), procs), name="start-writers",
                         daemon=True).start()

    def merge(self, ix: Any, segments: list[Any], procs: int) -> Future[Any]:
        """Start merging committed segments into a new one in one of the processes (before `write` hands them a
        commit's documents, so the other processes write those meanwhile); the future's result is the new segment,
        for `adding` to put in their place. The caller holds the lock."""
        ids = [segment.segment_id() for segment in segments]
        return self._started(procs).submit(_merge_in_worker, ix.storage.folder, ix.indexname, ids)

    def write(self, ix: Any, items: list[Any], procs: int, count: Count[Counted],
              make: Make = None) -> tuple[list[Any], Counted]:
        """Return the new segments of the items' documents (made by `make` where they are written: a commit's
        articles travel to the processes smaller than their documents, and each process makes its own), and the
        sum of `count` over the documents (a module-level function: what else the processes reading them should
        count, such as autocomplete's words). The caller holds the lock."""
        if not items:
            return [], count([], FoundWords([], {}))
        running = self._pool is not None and self._procs == procs
        if procs < 2 or len(items) < min(PARALLEL_MIN_DOCS, RUNNING_MIN_DOCS if running else PARALLEL_MIN_DOCS):
            segment, counted = _build(ix, items, count, make)
            return [segment], counted
        pool = self._started(procs)
        size = -(-len(items) // procs)
        parts = [items[start:start + size] for start in range(0, len(items), size)]
        folder = ix.storage.folder
        futures = [pool.submit(_build_in_worker, folder, ix.indexname, part, count, make) for part in parts]
        try:
            built = [future.result() for future in futures]
        except BrokenProcessPool:
            self.close()  # a process died (killed, out of memory): the next commit starts new ones
            raise
        total = built[0][1]
        for _, counted in built[1:]:
            total.update(counted)
        return [segment for segment, _ in built], total

    def call(self, function: Callable[..., Result], *args: Any) -> Result:
        """Return function(*args), run in one of the processes when they are running (a commit's last steps: the
        run's process, which bounds a bulk load, reads on meanwhile), else here (or when a process died)."""
        pool = self._pool
        if pool is not None:
            try:
                return pool.submit(function, *args).result()
            except BrokenProcessPool:
                self.close()  # a process died: the next commit starts new ones
        return function(*args)

    def close(self) -> None:
        """Stop the processes, if any were started."""
        pool, self._pool, self._procs = self._pool, None, 0
        if pool is not None:
            pool.shutdown()


def _start_processes(pool: ProcessPoolExecutor, procs: int) -> None:
    # Submitting starts a process per job while none is idle. A failed start shows in the commit that needs them;
    # a pool closed meanwhile refuses the jobs.
    with suppress(RuntimeError):
        for _ in range(procs):
            pool.submit(int)


def adding(segments: list[Any], then: Callable[[Any, list[Any]], list[Any]], merged: Any = None,
           sources: Sequence[Any] = ()) -> Callable[[Any, list[Any]], list[Any]]:
    """Return a Whoosh merge policy that puts a merged segment in the place of its sources (when they are all still
    there, none with deletions: else it is dropped, its files cleaned with the commit), applies `then` to the
    index's segments and adds the new ones after them."""
    ids = {segment.segment_id() for segment in sources}

    def policy(writer: Any, existing: list[Any]) -> list[Any]:
        found = [segment for segment in existing if segment.segment_id() in ids]
        if merged is not None and len(found) == len(ids) and not any(s.has_deletions() for s in found):
            at = next(i for i, segment in enumerate(existing) if segment.segment_id() in ids)
            rest = [segment for segment in existing if segment.segment_id() not in ids]
            existing = [*rest[:at], merged, *rest[at:]]
        return [*then(writer, existing), *segments]

    return policy

"""Autocomplete's words of a Whoosh index, counted in the index folder's words.sqlite3 (see docs/web.md#autocomplete).

Each article's terms (wordforms.word_forms: `key` or `key Form`) are counted as the backend commits it, and
uncounted when it is replaced or deleted: `terms` holds the articles of each (key, form), `keys` each key's
total. A prefix is then a range of the `keys` primary key, its most frequent keys SQLite's top-N sort, in C: about a
millisecond at 100,000 articles, and no memory held between requests. (A Whoosh field holding the words instead
gave the same counts from its lexicon, but more than doubled the CPU time of indexing: Whoosh writes postings in
Python.) The store records the index generation it counts; an indexing run finding another (an index made before
autocomplete, a crash between the two commits) counts every stored article again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..backend import Batch
from ..sqlitestores import connect_to_write
from ..suggest import FORM_SEPARATOR, Completion, completions
from .wordforms import FoundWords, counted_forms, text_words, word_forms

WORDS_NAME = "words.sqlite3"
_LAST_KEY = "\U0010ffff"  # sorts after every key that starts with a prefix
_BUSY_SECONDS = 0.5  # a reader waits this long for a commit in progress, then offers no words
_TABLES = """
CREATE TABLE IF NOT EXISTS terms (key TEXT NOT NULL, form TEXT NOT NULL, articles INTEGER NOT NULL,
                                  PRIMARY KEY (key, form)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keys (key TEXT PRIMARY KEY, articles INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
log = logging.getLogger(__name__)


def count_terms(texts: Iterable[str]) -> Counter[str]:
    """Return how many of the texts hold each autocomplete term."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word_forms(text))
    return counts


def document_terms(documents: list[dict[str, Any]], found: FoundWords) -> Counter[str]:
    """count_terms of documents being written (Whoosh's add_document arguments: `_stored_` values where given),
    given the words the writer found in their fields (bulk.SegmentBuilder.found): a field's are not looked for
    again, and all are counted at once (wordforms.counted_forms)."""
    texts = list(found.texts)
    docs, words = [], []
    numbers: dict[str, int] = {}
    for name in ("headline", "body"):
        if name in found.fields:
            docs.append(found.fields[name][0])
            words.append(found.fields[name][1])
            continue
        listed: list[int] = []
        sizes: list[int] = []
        for document in documents:  # words not found by the writer: found here
            distinct = set(text_words(document.get(f"_stored_{name}", document.get(name, ""))))
            for word in distinct.difference(numbers):
                numbers[word] = len(texts)
                texts.append(word)
            listed.extend(map(numbers.__getitem__, distinct))
            sizes.append(len(distinct))
        docs.append(np.repeat(np.arange(len(documents)), sizes))
        words.append(np.array(listed, dtype=np.int64))
    return counted_forms(np.concatenate(docs), np.concatenate(words), texts)


class WordStore:
    """The words of one index folder: read by any thread, written by the indexing run that holds the run lock."""

    def __init__(self, folder: Path) -> None:
        self.path = folder.absolute() / WORDS_NAME  # a file URI (read-only connections) needs a whole path
        self._reader: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def complete(self, key: str, limit: int) -> list[Completion]:
        """Return the most frequent words whose key starts with `key` (ties in key order); none without a store."""
        with self._lock:
            try:
                db = self._read()
                if db is None:
                    return []
                keys = db.execute("SELECT key, articles FROM keys WHERE key >= ? AND key < ? AND articles > 0 "
                                  "ORDER BY articles DESC, key LIMIT ?", (key, key + _LAST_KEY, limit)).fetchall()
                marks = ",".join("?" * len(keys))
                forms = db.execute(f"SELECT key, form, articles FROM terms WHERE key IN ({marks}) AND articles > 0",
                                   [k for k, _ in keys]).fetchall()
            except sqlite3.Error as err:  # busy past the wait, or damaged: words are a convenience, searching goes on
                log.warning("%s: no words offered (%s)", self.path, err)
                return []
        shown = {c.key: c.form for c in completions((_term(k, form), n) for k, form, n in forms)}
        return [Completion(k, shown.get(k, k), articles) for k, articles in keys]

    def _read(self) -> sqlite3.Connection | None:
        if self._reader is None and self.path.exists():
            self._reader = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, timeout=_BUSY_SECONDS,
                                           check_same_thread=False)
        return self._reader

    def close(self) -> None:
        """Close the reading connection (it reopens on next use)."""
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    # Writing: the index's commits (WhooshBackend.commit, prepare), under the folder's run lock.

    def before(self, ix: Any, batch: Batch, added: Counter[str] | None = None) -> Pending:
        """Count the words of a batch about to be committed: its articles' (unless counted already: `added`), and
        those of the articles it replaces or deletes (read from the index before they go)."""
        if added is None:
            added = count_terms(f"{article.headline}\n{article.body}" for article, _ in batch.articles.values())
        in_step = self._generation() == ix.latest_generation()
        gone = {*batch.deletes, *(i for i, (_, update) in batch.articles.items() if update)}
        return Pending(added, count_terms(_stored_texts(ix, gone)) if in_step and gone else Counter(), in_step)

    def after(self, ix: Any, pending: Pending, call: Call | None = None) -> None:
        """Record a committed batch's words, or count every article's when the store was behind the index.

        call: how to run the write (`Builders.call`: in a process of the indexing run's, so that the run's own,
        which bounds it, reads on meanwhile); here by default."""
        if pending.in_step:
            delta = Counter(pending.added)
            delta.subtract(pending.removed)
            (call or _here)(write_words, self.path, delta, int(ix.latest_generation()), False)
        else:
            self.catch_up(ix)

    def catch_up(self, ix: Any) -> None:
        """Count every stored article's words, unless the store counts the index's latest generation already."""
        generation = int(ix.latest_generation())
        if self._generation() == generation:
            return
        write_words(self.path, index_terms(ix), generation, reset=True)

    def read_only(self) -> tuple[int | None, Counter[str]] | None:
        """Return the index generation the store counts and its counts, without writing anything (for `newsarchive
        check`); None when there is no store or it cannot be read."""
        if not self.path.exists():
            return None
        try:
            with closing(sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)) as db:
                row = db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
                counts = Counter({_term(key, form): n for key, form, n in db.execute("SELECT * FROM terms")})
        except sqlite3.Error:
            return None
        return (int(row[0]) if row else None), counts

    def _generation(self) -> int | None:
        """Return the index generation the counts are of (None: no store, or one that cannot be read)."""
        try:
            with _writing(self.path) as db:
                row = db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0]) if row else None


Call = Callable[..., Any]  # runs a function on arguments (WordStore.after)


def _here(function: Callable[..., Any], *args: Any) -> Any:
    return function(*args)


def write_words(path: Path, delta: Counter[str], generation: int, reset: bool) -> None:
    """Add a count of words to the store at path (all of it replaced: reset) and record the index generation it
    counts; an error is logged (the index is committed: the next run counts the words again)."""
    rows = sorted((*_split(term), n) for term, n in delta.items() if n)  # B-tree pages visited in order
    by_key: Counter[str] = Counter()
    for key, _, n in rows:
        by_key[key] += n
    try:
        with _writing(path) as db:
            if reset:
                db.execute("DELETE FROM terms")
                db.execute("DELETE FROM keys")
            db.executemany("INSERT INTO terms VALUES (?, ?, ?) ON CONFLICT (key, form) DO UPDATE SET "
                           "articles = articles + excluded.articles", rows)
            db.executemany("INSERT INTO keys VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                           "articles = articles + excluded.articles", [(k, n) for k, n in by_key.items() if n])
            if any(n < 0 for _, _, n in rows):  # only a removal leaves a word at 0 (each delete reads the table)
                db.execute("DELETE FROM terms WHERE articles <= 0")
                db.execute("DELETE FROM keys WHERE articles <= 0")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(generation),))
    except sqlite3.Error as err:
        log.warning("%s: words not counted (%s); the next indexing run counts them again", path, err)


@contextmanager
def _writing(path: Path) -> Iterator[sqlite3.Connection]:
    """Yield a connection to write with: one transaction, committed (rolled back on an error), then closed."""
    db = connect_to_write(path, timeout=30)
    try:
        db.executescript(_TABLES)
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


@dataclass(frozen=True)
class Pending:
    """The words of a batch being committed: those it adds and removes, and whether the store was up to date."""

    added: Counter[str]
    removed: Counter[str]
    in_step: bool


def index_terms(ix: Any) -> Counter[str]:
    """Return count_terms of every article the index holds (what the store counts, worked out from scratch)."""
    with ix.searcher() as searcher:
        return count_terms(_text(stored) for stored in searcher.all_stored_fields())


def _stored_texts(ix: Any, ids: set[str]) -> list[str]:
    """Return the text of each of these articles the index holds."""
    with ix.searcher() as searcher:
        docnums = (searcher.document_number(id=article_id) for article_id in sorted(ids))
        return [_text(searcher.stored_fields(d)) for d in docnums if d is not None]


def _text(stored: dict[str, Any]) -> str:
    return f"{stored.get('headline', '')}\n{stored.get('body', '')}"


def _split(term: str) -> tuple[str, str]:
    key, _, form = term.partition(FORM_SEPARATOR)
    return key, form or key


def _term(key: str, form: str) -> str:
    return key if form == key else key + FORM_SEPARATOR + form

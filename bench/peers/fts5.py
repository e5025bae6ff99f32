"""SQLite FTS5 from the standard library's sqlite3: what Datasette and sqlite-utils users get.

The layout is sqlite-utils' (`insert`, then `enable-fts --fts5 --tokenize porter --create-triggers`): a table
`articles` (author and topic as JSON arrays, date as ISO text) and an external-content FTS5 table over headline
and body with `tokenize='porter unicode61'`, kept in step by triggers. Like sqlite-utils, connections turn
`recursive_triggers` on, so that `INSERT OR REPLACE` fires the delete trigger and the old text leaves the index.

- build: one transaction: insert every row, create and fill the FTS table ('rebuild'), create the triggers.
- rerun: `INSERT OR REPLACE` of every article in one transaction (no change detection: a row is replaced).
- add: `INSERT` of the new articles in one transaction.
- queries: every word quoted (no FTS5 syntax error from a word like "and" or "near"), AND or OR between them, a
  phrase as one quoted string, the prefix as `"pre" *`, the field scope as a `{headline} :` column filter over
  the whole expression; ranked by `bm25(articles_fts, 2.0, 1.0)` (headline weighs double, like ours); date range
  and topics in SQL; facets and the timeline by GROUP BY over the whole match set (topic and author through
  `json_each`, as Datasette's array facets do), one SQL query each, as Datasette runs them; snippets with
  `snippet()` of the body.
- related: FTS5 has no more-like-this: an OR query of the article's 20 most frequent words (letters only, at
  least three, not in a short English stop list), ranked by bm25, the article itself left out.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from . import FACET_LIMIT, RELATED_LIMIT, BenchQuery, CorpusArticle, Outcome, read_corpus

DATABASE = "articles.db"
RANK = "bm25(articles_fts, 2.0, 1.0)"
RELATED_TERMS = 20

_TABLES = (
    """CREATE TABLE articles (
        pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, headline TEXT, body TEXT, author TEXT, topic TEXT,
        source TEXT, date TEXT, url TEXT
    )""",
    "CREATE INDEX articles_date ON articles (date)",
)
_FTS = (
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        headline, body, content='articles', content_rowid='pk', tokenize='porter unicode61'
    )""",
    "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
    """CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, headline, body) VALUES (new.pk, new.headline, new.body);
    END""",
    """CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, headline, body)
        VALUES ('delete', old.pk, old.headline, old.body);
    END""",
    """CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, headline, body)
        VALUES ('delete', old.pk, old.headline, old.body);
        INSERT INTO articles_fts (rowid, headline, body) VALUES (new.pk, new.headline, new.body);
    END""",
)
_INSERT = "INTO articles (id, headline, body, author, topic, source, date, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP_WORDS = frozenset(
    """about above after again against all also among and any are because been before being below between both
    but can could did does doing down during each few for from further had has have having her here hers him his
    how into its itself just more most not now off once only other our ours out over own said same say says she
    should since some such than that the their theirs them then there these they this those through too under
    until very was were what when where which while who whom why will with would you your""".split()
)


def quote(word: str) -> str:
    """Return a word as an FTS5 string: safe from the query syntax (AND, OR, NOT, NEAR, ":", "*", ...)."""
    return '"' + word.replace('"', '""') + '"'


def match_expression(q: BenchQuery) -> str:
    """Return the FTS5 query of a benchmark query ("" when it has no words: browse)."""
    words = [w.lower() for w in q.words if w.strip()]
    parts = []
    if words and q.phrase:
        parts.append(quote(" ".join(words)))
    elif words:
        parts.append("(" + (" OR " if q.any_words else " AND ").join(quote(w) for w in words) + ")")
    if q.prefix:
        parts.append(quote(q.prefix.lower()) + " *")
    expression = " AND ".join(parts)
    if expression and q.field:
        expression = "{" + q.field + "} : (" + expression + ")"
    return expression


def _row(article: CorpusArticle) -> tuple[Any, ...]:
    return (
        article.id, article.headline, article.body, json.dumps(list(article.author)),
        json.dumps(list(article.topic)), article.source, article.date.isoformat() if article.date else None,
        article.url,
    )


def _connect(folder: Path) -> sqlite3.Connection:
    db = sqlite3.connect(folder / DATABASE, isolation_level=None)  # transactions are explicit
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA recursive_triggers=ON")
    return db


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class Fts5Peer:
    """SQLite FTS5 with bm25 ranking."""

    name = "fts5"

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None

    def build(self, corpus: Path, folder: Path, procs: int) -> None:
        """Create the tables and index every article in one transaction."""
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            (folder / (DATABASE + suffix)).unlink(missing_ok=True)
        db = _connect(folder)
        try:
            with _transaction(db):
                for statement in _TABLES:
                    db.execute(statement)
                db.executemany("INSERT " + _INSERT, (_row(a) for a in read_corpus(corpus)))
                for statement in _FTS:
                    db.execute(statement)
        finally:
            db.close()

    def rerun(self, corpus: Path, folder: Path, procs: int) -> None:
        """Replace every article in one transaction."""
        self._write(folder, corpus, "INSERT OR REPLACE ")

    def add(self, extra: Path, folder: Path, procs: int) -> None:
        """Insert the new articles in one transaction."""
        self._write(folder, extra, "INSERT ")

    @staticmethod
    def _write(folder: Path, corpus: Path, verb: str) -> None:
        db = _connect(folder)
        try:
            with _transaction(db):
                db.executemany(verb + _INSERT, (_row(a) for a in read_corpus(corpus)))
        finally:
            db.close()

    def open(self, folder: Path) -> None:
        """Open the database."""
        self._db = _connect(folder)

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def run(self, q: BenchQuery) -> Outcome:
        """Run one search (several SQL queries when facets or a timeline are asked for), or a related lookup."""
        db = self._db
        if db is None:
            raise RuntimeError("open() the peer before running queries")
        if q.related_to is not None:
            return self._related(db, q.related_to)
        expression = match_expression(q)
        where, params = _where(q, expression)
        ids, snippets = _page(db, q, expression, where, params)
        total = db.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]
        outcome = Outcome(total=total, ids=ids)
        if q.facets:
            outcome.facets = _facets(db, where, params)
        if q.snippets:
            outcome.snippets = snippets
        if q.timeline:
            outcome.timeline = _grouped(db, "substr(a.date, 1, 7)", where + " AND a.date IS NOT NULL", params)
        return outcome

    @staticmethod
    def _related(db: sqlite3.Connection, article_id: str) -> Outcome:
        row = db.execute("SELECT headline, body FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise KeyError(article_id)
        words = [w for w in _WORD.findall(f"{row[0]}\n{row[1]}".lower()) if w not in _STOP_WORDS]
        top = [w for w, _ in Counter(words).most_common(RELATED_TERMS)]
        if not top:
            return Outcome(total=0, ids=[])
        rows = db.execute(
            "SELECT a.id FROM articles_fts JOIN articles a ON a.pk = articles_fts.rowid "
            f"WHERE articles_fts MATCH ? AND a.id != ? ORDER BY {RANK} LIMIT ?",
            (" OR ".join(quote(w) for w in top), article_id, RELATED_LIMIT),
        ).fetchall()
        return Outcome(total=len(rows), ids=[r[0] for r in rows])


def _where(q: BenchQuery, expression: str) -> tuple[str, list[Any]]:
    """Return the SQL condition over `articles a` of the match, date range and topics, with its parameters."""
    conditions, params = ["1"], []
    if expression:
        conditions.append("a.pk IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(expression)
    if q.date_from is not None:
        conditions.append("a.date >= ?")
        params.append(q.date_from.isoformat())
    if q.date_to is not None:
        conditions.append("a.date < ?")  # ISO text: before the next day, so the whole last day is in
        params.append((q.date_to + timedelta(days=1)).isoformat())
    if q.topics:
        marks = ", ".join("?" * len(q.topics))
        conditions.append(f"EXISTS (SELECT 1 FROM json_each(a.topic) WHERE value IN ({marks}))")
        params.extend(q.topics)
    return " AND ".join(conditions), params


def _page(db: sqlite3.Connection, q: BenchQuery, expression: str, where: str,
          params: list[Any]) -> tuple[list[str], list[str]]:
    """Return the ids (and snippets) of the requested page."""
    limits = [q.per_page, (q.page - 1) * q.per_page]
    if not expression or q.sort == "newest":
        order = "a.date DESC"  # no words to rank by: newest first, as newsarchive does
    else:
        order = RANK
    if not expression:
        rows = db.execute(f"SELECT a.id, '' FROM articles a WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                          [*params, *limits]).fetchall()
        return [r[0] for r in rows], [r[1] for r in rows]
    snippet = "snippet(articles_fts, 1, '<mark>', '</mark>', '…', 20)" if q.snippets else "''"
    rows = db.execute(
        f"SELECT a.id, {snippet} FROM articles_fts JOIN articles a ON a.pk = articles_fts.rowid "
        f"WHERE articles_fts MATCH ? AND {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [expression, *params, *limits],
    ).fetchall()
    return [r[0] for r in rows], [r[1] for r in rows]


def _facets(db: sqlite3.Connection, where: str, params: list[Any]) -> dict[str, dict[str, int]]:
    top = f"ORDER BY count(*) DESC, 1 LIMIT {FACET_LIMIT}"
    return {
        "topic": _grouped(db, "j.value", where, params, "json_each(a.topic) j", top),
        "author": _grouped(db, "j.value", where, params, "json_each(a.author) j", top),
        "source": _grouped(db, "a.source", where + " AND a.source != ''", params, order=top),
        "year": _grouped(db, "substr(a.date, 1, 4)", where + " AND a.date IS NOT NULL", params),
    }


def _grouped(db: sqlite3.Connection, value: str, where: str, params: list[Any], join: str = "",
             order: str = "ORDER BY 1") -> dict[str, int]:
    tables = "articles a" + (f", {join}" if join else "")
    rows = db.execute(f"SELECT {value}, count(*) FROM {tables} WHERE {where} GROUP BY 1 {order}", params)
    return {str(v): int(c) for v, c in rows}

"""What each source file contributed to the index, so a re-run skips unchanged files and articles."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "newsarchive.sqlite3"

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, reading TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT NOT NULL, path TEXT NOT NULL, fingerprint TEXT NOT NULL, PRIMARY KEY (id, path)
);
CREATE INDEX IF NOT EXISTS articles_path ON articles (path);
"""
# Manifests written before an article could be recorded under several files (the same story filed twice) keyed
# the table by id alone; they are rewritten to this one, in one transaction, on opening.
_KEYED_BY_ID = "SELECT COUNT(*) FROM pragma_table_info('articles') WHERE pk > 0"
_MIGRATE = """
BEGIN;
ALTER TABLE articles RENAME TO articles_by_id;
DROP INDEX IF EXISTS articles_path;
""" + _TABLES + """
INSERT INTO articles SELECT id, path, fingerprint FROM articles_by_id;
DROP TABLE articles_by_id;
COMMIT;
"""


# A file name that is not UTF-8 (Python holds its bytes as surrogate escapes) cannot be stored as SQLite text:
# it is stored as this prefix and its bytes in hex. Real paths are absolute, so they never start with it.
_BYTES_PREFIX = "bytes:"


def _stored(path: str) -> str:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return _BYTES_PREFIX + os.fsencode(path).hex()
    return path


def _read_back(stored: str) -> str:
    return os.fsdecode(bytes.fromhex(stored[len(_BYTES_PREFIX):])) if stored.startswith(_BYTES_PREFIX) else stored


@dataclass(frozen=True)
class FileState:
    """A file's size and modification time when it was last indexed, and the options it was read with."""

    size: int
    mtime_ns: int
    reading: str


class Manifest:
    """A small SQLite file in the index folder; it is written after each index commit.

    It records the schema version of the backend that made it (an index of another version is refused).
    """

    def __init__(self, index_dir: Path, schema_version: str, reset: bool = False) -> None:
        self.path = index_dir / MANIFEST_NAME
        if reset:
            self.path.unlink(missing_ok=True)
        self.db = sqlite3.connect(self.path)
        keys = self.db.execute(_KEYED_BY_ID).fetchone()[0]
        self.db.executescript(_MIGRATE if keys == 1 else _TABLES)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (schema_version,))
        self.db.commit()

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def file_state(self, path: str) -> FileState | None:
        """Return the state of a file as last indexed, or None."""
        row = self.db.execute(
            "SELECT size, mtime_ns, reading FROM files WHERE path = ?", (_stored(path),)).fetchone()
        return FileState(*row) if row else None

    def file_articles(self, path: str) -> dict[str, str]:
        """Return id -> fingerprint of the articles a file contributed."""
        rows = self.db.execute("SELECT id, fingerprint FROM articles WHERE path = ?", (_stored(path),))
        return dict(rows.fetchall())

    def holders(self, article_id: str) -> list[str]:
        """Return the files recorded as holding an article (more than one when a story was filed twice)."""
        rows = self.db.execute("SELECT path FROM articles WHERE id = ? ORDER BY path", (article_id,))
        return [_read_back(row[0]) for row in rows]

    def known(self, article_id: str) -> bool:
        """Return whether any file contributed an article with this id."""
        return self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def article_count(self) -> int:
        """Return how many distinct articles are recorded."""
        return int(self.db.execute("SELECT COUNT(DISTINCT id) FROM articles").fetchone()[0])

    def is_empty(self) -> bool:
        """Return whether no article is recorded."""
        return self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def paths(self) -> list[str]:
        """Return every file path recorded, with or without articles."""
        rows = self.db.execute("SELECT path FROM files UNION SELECT DISTINCT path FROM articles ORDER BY 1")
        return [_read_back(row[0]) for row in rows]

    def record_file(self, path: str, state: FileState | None, articles: dict[str, str]) -> None:
        """Record a file's state and the articles it holds now (state None: the file is not to be trusted)."""
        path = _stored(path)
        self.db.execute("DELETE FROM articles WHERE path = ?", (path,))
        self.db.executemany(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?)", ((i, path, fp) for i, fp in articles.items())
        )
        if state is None:
            self.db.execute("DELETE FROM files WHERE path = ?", (path,))
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", (path, state.size, state.mtime_ns, state.reading)
            )

    def add_articles(self, path: str, articles: dict[str, str]) -> None:
        """Record articles of a file that is still being read (keeping the ones recorded before)."""
        path = _stored(path)
        self.db.executemany(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?)", ((i, path, fp) for i, fp in articles.items())
        )

    def forget(self, ids: list[str]) -> None:
        """Forget deleted articles, in every file that held them."""
        self.db.executemany("DELETE FROM articles WHERE id = ?", ((i,) for i in ids))

    def commit(self) -> None:
        """Make the recorded changes durable."""
        self.db.commit()

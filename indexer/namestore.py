"""The names an archive's records have stated (people, organisations, places), kept in the index folder's
names.sqlite3 so that every later indexing run looks for them in texts too (indexer/gazetteer.py).

Each name is kept by kind (a facet name: person, org, place) as its canonical name (the alias file in effect when it
was stated), with how many articles stated it. Names stay known when their articles are deleted; `--rebuild` starts
the file again. It is committed after the engine, with the manifest and the stories: a crash between leaves names
the next run states again.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .errors import NewsArchiveError

NAMES_NAME = "names.sqlite3"
Entry = tuple[str, str]  # (kind, canonical name)

_TABLES = """
CREATE TABLE IF NOT EXISTS names (
    kind TEXT NOT NULL, name TEXT NOT NULL, articles INTEGER NOT NULL, PRIMARY KEY (kind, name)
) WITHOUT ROWID;
"""
_ADD = ("INSERT INTO names (kind, name, articles) VALUES (?, ?, ?) "
        "ON CONFLICT (kind, name) DO UPDATE SET articles = articles + excluded.articles")


class NameStoreError(NewsArchiveError):
    """The index folder's names cannot be read (a damaged file): the index must be rebuilt."""


class NameStore:
    """The stated names of an index folder: read them, add an article's, commit with the run's batch."""

    def __init__(self, folder: Path, *, reset: bool = False) -> None:
        self.path = folder / NAMES_NAME
        if reset:
            for suffix in ("", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        try:
            self.db = sqlite3.connect(self.path)
            self.db.executescript(_TABLES)
        except sqlite3.DatabaseError as err:  # not a database, or no folder to hold one
            raise NameStoreError(f"{self.path}: cannot read the archive's names ({err}): rebuild the index "
                                 "(--rebuild)") from err

    def names(self) -> list[Entry]:
        """Return every stated name, as (kind, canonical name)."""
        return [(str(kind), str(name)) for kind, name in self.db.execute("SELECT kind, name FROM names")]

    def add(self, names: Iterable[Entry]) -> None:
        """Count one more article stating each of these names (uncommitted until commit())."""
        # Counted first: a batch states the same names again and again, and a row a name is cheaper to write.
        self.db.executemany(_ADD, ((kind, name, count) for (kind, name), count in Counter(names).items()))

    def counts(self, kind: str) -> dict[str, int]:
        """Return the stated names of a kind and how many articles stated each."""
        rows = self.db.execute("SELECT name, articles FROM names WHERE kind = ?", (kind,))
        return {str(name): int(count) for name, count in rows}

    def commit(self) -> None:
        """Make the names added so far permanent."""
        self.db.commit()

    def rollback(self) -> None:
        """Forget the names added since the last commit."""
        self.db.rollback()

    def close(self) -> None:
        """Close the file (what was not committed is lost)."""
        self.db.close()

"""The index folder's SQLite stores as an indexing run opens them to write (story clusters, autocomplete's words)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# SQLite's page cache for a store being written, in KiB (its default is 2 MB): a batch's rows land at random places
# in a store's B-trees (16 band keys an article, a batch's words' counts), and with the default cache each write
# reads its page back from the file. Assigning Reuters' stories took 1.8-2.4 s and takes 1.7-2.0 s with this; 20
# batches of 30,000 word counts, 4.5-5.1 s and 3.6 s.
CACHE_KIB = 65536


def connect_to_write(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """Return a connection to a store, with the page cache of one being written (CACHE_KIB)."""
    db = sqlite3.connect(path, timeout=timeout)
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return db

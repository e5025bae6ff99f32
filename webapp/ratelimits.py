"""Per-client rate limits: a sliding one-minute window of requests per client and kind, counted in a store that every
server process shares (ratelimits.sqlite3 in the index folder), else in this process's memory.

`newsarchive serve --workers N` runs N processes: a count kept in each one's memory would let a client make N
times its limit. The shared store is opened in the process that counts (after a fork, never before: an SQLite
connection must not cross one), lazily, on the first request limited. When the index folder cannot hold it (not
writable, not there yet, or the database fails), limits are counted in memory, per process, saying so once in the
log, and the shared store is tried again a minute later.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
import time
import weakref
from collections import deque
from pathlib import Path

WINDOW_SECONDS = 60.0
STORE_NAME = "ratelimits.sqlite3"
RETRY_SECONDS = 60.0  # after the shared store failed, how long the memory fallback runs before it is tried again
PRUNE_SECONDS = 60.0  # how often one process deletes every client's expired rows (a client's own go on each check)
BUSY_SECONDS = 5.0  # how long a check waits for another process's transaction (each lasts microseconds)

log = logging.getLogger(__name__)


class RateLimited(Exception):
    """A client has made more requests of a kind than the limit allows."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests: try again in {retry_after} s")
        self.retry_after = retry_after


def _retry_after(now: float, oldest: float) -> int:
    """Whole seconds until the oldest request counted leaves the window (at least 1)."""
    return max(1, math.ceil(WINDOW_SECONDS - (now - oldest)))


class MemoryHits:
    """The window in this process's memory: the fallback, and the store when no index folder is given."""

    def __init__(self) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = {}

    def count(self, client: str, kind: str, per_minute: int, now: float) -> float | None:
        """Count one request and return None, or return the oldest time counted when the client is at its limit."""
        hits = self._hits.setdefault((client, kind), deque())
        while hits and now - hits[0] >= WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= per_minute:
            return hits[0]
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle clients so memory stays bounded
            for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= WINDOW_SECONDS]:
                del self._hits[key]
        return None


class SharedHits:
    """The window in an SQLite database every process opens: WAL, one short `BEGIN IMMEDIATE` transaction a check.

    Requests are counted per client, kind and second (a row each), so a check reads at most 61 rows whatever the
    limit: a row per request made a check cost the window's length (1.7 ms at 300 requests/s, 18,000 rows). A
    second's requests stay counted until a minute after that second ends, so no sliding minute ever holds more than
    the limit; they leave the window up to a second late.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pruned = 0.0
        db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a limit's rows need not outlive a power cut
            db.execute("CREATE TABLE IF NOT EXISTS seconds (client TEXT NOT NULL, kind TEXT NOT NULL, "
                       "second INTEGER NOT NULL, hits INTEGER NOT NULL, PRIMARY KEY (client, kind, second)) "
                       "WITHOUT ROWID")
            db.execute("DROP TABLE IF EXISTS hits")  # the earlier form of this store, a row per request
            db.execute("BEGIN IMMEDIATE")  # proves the folder writable now, not at the first request counted
            db.execute("COMMIT")
        except sqlite3.Error:
            db.close()
            raise
        self._db = db
        weakref.finalize(self, db.close)  # an app is not closed: its connection is, with its limiter

    def count(self, client: str, kind: str, per_minute: int, now: float) -> float | None:
        """Count one request and return None, or return the latest time the oldest request counted may have been
        made (the end of its second) when the client is at its limit."""
        db = self._db
        second = math.floor(now)
        expired = second - int(WINDOW_SECONDS) - 1  # this second and those before it ended a minute ago or more
        db.execute("BEGIN IMMEDIATE")  # the write lock first: two processes never both see room for the last one
        try:
            if now - self._pruned >= PRUNE_SECONDS:
                db.execute("DELETE FROM seconds WHERE second <= ?", (expired,))
                self._pruned = now
            else:
                db.execute("DELETE FROM seconds WHERE client = ? AND kind = ? AND second <= ?",
                           (client, kind, expired))
            counted, oldest = db.execute("SELECT total(hits), min(second) FROM seconds WHERE client = ? AND kind = ?",
                                         (client, kind)).fetchone()
            if counted < per_minute:
                db.execute("INSERT INTO seconds (client, kind, second, hits) VALUES (?, ?, ?, 1) "
                           "ON CONFLICT DO UPDATE SET hits = hits + 1", (client, kind, second))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return None if counted < per_minute else float(oldest + 1)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()


class RateLimiter:
    """Limits per client and kind over a sliding minute: shared by every process serving an index folder, else per
    process. Thread-safe; safe across a fork (a process never uses a connection its parent opened)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._memory = MemoryHits()
        self._shared: SharedHits | None = None
        self._pid = 0  # the process that opened _shared
        self._retry_at = 0.0  # when to try the shared store next
        self._warned = False
        self._lock = threading.Lock()

    def check(self, client: str, kind: str, per_minute: int) -> None:
        """Count one request, or raise RateLimited when the client is over the limit."""
        if per_minute <= 0:
            return
        now = time.time()  # wall-clock time: the processes sharing the store compare each other's times
        with self._lock:
            oldest = self._count(client, kind, per_minute, now)
        if oldest is not None:
            raise RateLimited(_retry_after(now, oldest))

    def _count(self, client: str, kind: str, per_minute: int, now: float) -> float | None:
        shared = self._store(now)
        if shared is not None:
            try:
                return shared.count(client, kind, per_minute, now)
            except sqlite3.Error as err:
                self._fall_back(err, now)
        return self._memory.count(client, kind, per_minute, now)

    def _store(self, now: float) -> SharedHits | None:
        """The shared store, opened in this process (again after a fork), or None while memory stands in for it."""
        if self._shared is not None and self._pid != os.getpid():
            self._shared = None  # the parent's connection: left alone, never closed or used here
        if self._shared is None and self.folder is not None and now >= self._retry_at:
            try:
                if not self.folder.is_dir():
                    raise FileNotFoundError(f"no folder {self.folder}")
                self._shared, self._pid = SharedHits(self.folder / STORE_NAME), os.getpid()
                if self._warned:
                    log.warning("rate limits: counted in %s again, shared by every server process",
                                self._shared.path)
                    self._warned = False
            except (sqlite3.Error, OSError) as err:
                self._fall_back(err, now)
        return self._shared

    def _fall_back(self, err: Exception, now: float) -> None:
        if self._shared is not None:
            self._shared.close()
            self._shared = None
        self._retry_at = now + RETRY_SECONDS
        if not self._warned:
            log.warning("rate limits: %s cannot be used (%s); counted per server process, in memory, until it can "
                        "(tried again every %.0f s)", self.folder and self.folder / STORE_NAME, err, RETRY_SECONDS)
            self._warned = True

"""Saved searches with alerts: each alert sends the articles that newly match its search, once, to a webhook or an
e-mail address (indexer/delivery.py).

What an alert has seen lives in the index folder's alerts.sqlite3, one row per alert and article id: an article is
sent at most once per alert, whatever later updates change in it. `add` records the current matches as seen (the
first run sends only what is indexed after it; `backfill` sends them too). A run records each delivery, and its
articles as seen, in one transaction before sending it, and marks it sent once the receiver accepted it: a crash
in between leaves it unconfirmed, and the next run sends that same delivery (same id, same articles) before
anything new, so delivery is at least once and a receiver can deduplicate by delivery id or article id. A receiver
that keeps failing leaves its delivery unconfirmed, and the alert's newer matches wait behind it: an alert has at
most one unconfirmed delivery. Runs exclude each other by a lock of their own (alerts.lock), not the indexing run
lock, so `watch` and a cron job can both run them. Engine-neutral: the index is read through SearchBackend only.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from .backend import SearchBackend
from .delivery import (
    AlertArticle,
    Delivery,
    DeliveryError,
    EmailSender,
    Retry,
    Sender,
    WebhookSender,
    check_target,
    deliver,
    smtp_config,
)
from .errors import NewsArchiveError
from .records import Article
from .request import Search, canonical_search, parse_params

ALERTS_NAME = "alerts.sqlite3"
ALERTS_LOCK = "alerts.lock"
# The most articles one delivery carries (a backfill of more is sent as several, in the search's order).
MAX_DELIVERY_ARTICLES = 500
# Matches looked up in the store at a time while finding what is new.
_CHUNK = 500
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
DEFAULT_RETRY = Retry()

_TABLES = """
CREATE TABLE IF NOT EXISTS alerts (
    name TEXT PRIMARY KEY, search TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, created TEXT NOT NULL,
    last_run TEXT, last_error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY, alert TEXT NOT NULL REFERENCES alerts (name) ON DELETE CASCADE, created TEXT NOT NULL,
    articles INTEGER NOT NULL, payload TEXT, sent TEXT, tries INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS deliveries_alert ON deliveries (alert, sent);
CREATE TABLE IF NOT EXISTS seen (
    alert TEXT NOT NULL REFERENCES alerts (name) ON DELETE CASCADE, article TEXT NOT NULL,
    delivery TEXT NOT NULL DEFAULT '', PRIMARY KEY (alert, article)
) WITHOUT ROWID;
"""
# seen.delivery: '' for an article that matched when the alert was added (seen, never sent), else its delivery.
_UNSEEN = ("SELECT j.value FROM json_each(?) j WHERE NOT EXISTS "
           "(SELECT 1 FROM seen s WHERE s.alert = ? AND s.article = j.value) ORDER BY j.key")
_COUNTS = ("SELECT COALESCE(SUM(s.delivery = ''), 0), COALESCE(SUM(d.sent IS NOT NULL), 0), "
           "COALESCE(SUM(d.id IS NOT NULL AND d.sent IS NULL), 0) "
           "FROM seen s LEFT JOIN deliveries d ON d.id = s.delivery WHERE s.alert = ?")


class AlertError(NewsArchiveError):
    """An alert cannot be added, found or run as asked; the message says why."""


class AlertsLockedError(AlertError):
    """Another process is running the alerts of this index folder."""


@dataclass(frozen=True)
class Alert:
    """A saved search and where its new matches go."""

    name: str
    search: str  # canonical (indexer.request.canonical_search): "" is every article
    kind: str  # "webhook" or "email"
    target: str  # the URL or the address
    created: datetime

    def request(self) -> Search:
        """Return the alert's search."""
        return search_of(self.search)


@dataclass(frozen=True)
class AlertStatus:
    """An alert and what it has done: articles seen when it was added, delivered, and waiting to be confirmed."""

    alert: Alert
    seen_when_added: int
    delivered: int
    waiting: int
    last_run: datetime | None
    last_error: str

    def to_dict(self) -> dict[str, Any]:
        """Return it as JSON (`alerts list --json`)."""
        alert = self.alert
        return {"name": alert.name, "search": alert.search, alert.kind: alert.target,
                "created": alert.created.isoformat(), "seen_when_added": self.seen_when_added,
                "delivered": self.delivered, "waiting": self.waiting,
                "last_run": self.last_run.isoformat() if self.last_run else None, "last_error": self.last_error}


def search_of(canonical: str) -> Search:
    """Return the search of a canonical query string (the API's defaults for what it leaves out)."""
    given = parse_qs(canonical, keep_blank_values=True)
    return parse_params(lambda name: given.get(name, []))[0]


def check_name(name: str) -> str:
    """Return an alert name, or raise AlertError saying what a name may be."""
    if not _NAME.fullmatch(name):
        raise AlertError(f"an alert name is 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit), "
                         f"not {name[:80]!r}")
    return name


def _now() -> datetime:
    return datetime.now(UTC)


class AlertStore:
    """The alerts of an index folder and what each has seen and sent (alerts.sqlite3 beside the manifest)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(folder / ALERTS_NAME, timeout=30)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.executescript(_TABLES)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def add(self, alert: Alert, seen: Iterable[str]) -> None:
        """Add an alert with the article ids to count as seen (AlertError if the name is taken)."""
        try:
            with self.db:
                self.db.execute("INSERT INTO alerts (name, search, kind, target, created) VALUES (?, ?, ?, ?, ?)",
                                (alert.name, alert.search, alert.kind, alert.target, alert.created.isoformat()))
                self.db.executemany("INSERT OR IGNORE INTO seen (alert, article) VALUES (?, ?)",
                                    ((alert.name, article_id) for article_id in seen))
        except sqlite3.IntegrityError:
            raise AlertError(f"there is already an alert named {alert.name}: remove it first, or pick another "
                             "name") from None

    def remove(self, name: str) -> bool:
        """Remove an alert and everything it remembers; return whether there was one."""
        with self.db:
            return self.db.execute("DELETE FROM alerts WHERE name = ?", (name,)).rowcount > 0

    def alerts(self, names: Iterable[str] = ()) -> list[Alert]:
        """Return the alerts of these names (AlertError for an unknown one), or every alert, by name."""
        rows = self.db.execute("SELECT name, search, kind, target, created FROM alerts ORDER BY name").fetchall()
        found = {name: Alert(name, search, kind, target, datetime.fromisoformat(created))
                 for name, search, kind, target, created in rows}
        wanted = list(dict.fromkeys(names))
        missing = [name for name in wanted if name not in found]
        if missing:
            raise AlertError(f"no alert named {', '.join(missing)} (`newsarchive alerts list` lists them)")
        return [found[name] for name in wanted] if wanted else list(found.values())

    def status(self, alert: Alert) -> AlertStatus:
        """Return what an alert has done."""
        added, delivered, waiting = self.db.execute(_COUNTS, (alert.name,)).fetchone()
        last_run, last_error = self.db.execute("SELECT last_run, last_error FROM alerts WHERE name = ?",
                                               (alert.name,)).fetchone()
        return AlertStatus(alert, added, delivered, waiting,
                           datetime.fromisoformat(last_run) if last_run else None, last_error)

    def unseen(self, name: str, ids: list[str]) -> list[str]:
        """Return the ids an alert has not seen, in their order."""
        return [row[0] for row in self.db.execute(_UNSEEN, (json.dumps(ids), name))]

    def record(self, delivery: Delivery) -> None:
        """Record a delivery about to be sent, and its articles as seen, in one transaction."""
        with self.db:
            self.db.execute("INSERT INTO deliveries (id, alert, created, articles, payload) VALUES (?, ?, ?, ?, ?)",
                            (delivery.id, delivery.alert, delivery.created.isoformat(), len(delivery.articles),
                             json.dumps(delivery.to_dict(), ensure_ascii=False)))
            self.db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?)",
                                ((delivery.alert, a.id, delivery.id) for a in delivery.articles))

    def unconfirmed(self, name: str) -> Delivery | None:
        """Return the alert's delivery that was recorded but not yet accepted, if any."""
        row = self.db.execute("SELECT payload FROM deliveries WHERE alert = ? AND sent IS NULL ORDER BY created, id "
                              "LIMIT 1", (name,)).fetchone()
        return Delivery.from_dict(json.loads(row[0])) if row else None

    def mark_sent(self, delivery: Delivery, tries: int) -> None:
        """Record that the receiver accepted a delivery (its body is no longer kept)."""
        with self.db:
            self.db.execute("UPDATE deliveries SET sent = ?, tries = tries + ?, payload = NULL WHERE id = ?",
                            (_now().isoformat(), tries, delivery.id))

    def note_run(self, name: str, error: str) -> None:
        """Record when an alert last ran, and why it failed ("" when it did not)."""
        with self.db:
            self.db.execute("UPDATE alerts SET last_run = ?, last_error = ? WHERE name = ?",
                            (_now().isoformat(), error, name))


@contextmanager
def alerts_lock(folder: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the folder's alerts lock (waiting up to `wait` seconds for another holder), else AlertsLockedError."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ALERTS_LOCK, os.O_CREAT | os.O_WRONLY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise AlertsLockedError(f"the alerts of {folder} are being run by another newsarchive process; "
                                            "they will be run again after its next indexing pass or run") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _every_match(backend: SearchBackend, search: Search) -> Iterator[Article]:
    matches = backend.iter_matches(search, max(1, backend.article_count()))
    try:
        yield from matches
    finally:
        close = getattr(matches, "close", None)
        if close:
            close()


def add_alert(backend: SearchBackend, name: str, search: Search, kind: str, target: str,
              backfill: bool = False) -> tuple[Alert, int]:
    """Add an alert; return it and how many articles match now (seen, unless backfill: the first run sends them).

    The search is checked first (QueryError), and the target (TargetError); nothing is stored unless both pass.
    """
    alert = Alert(check_name(name), canonical_search(search), kind, check_target(kind, target), _now())
    ids = [article.id for article in _every_match(backend, search)]
    with alerts_lock(backend.folder, wait=60), closing(AlertStore(backend.folder)) as store:
        store.add(alert, () if backfill else ids)
    return alert, len(ids)


def _no_alerts(folder: Path, names: Iterable[str]) -> bool:
    """Return True when the folder has no alerts file and no alert is named; raise AlertError when one is."""
    if (folder / ALERTS_NAME).exists():
        return False
    wanted = list(dict.fromkeys(names))
    if wanted:
        raise AlertError(f"no alert named {', '.join(wanted)} (`newsarchive alerts list` lists them)")
    return True


def remove_alerts(folder: Path, names: Iterable[str]) -> None:
    """Remove alerts and what they remember (AlertError, before removing any, if a name is unknown)."""
    names = list(names)
    _no_alerts(folder, names)
    with alerts_lock(folder, wait=60), closing(AlertStore(folder)) as store:
        for alert in store.alerts(names):
            store.remove(alert.name)


def list_alerts(folder: Path) -> list[AlertStatus]:
    """Return every alert of an index folder with what it has done (none when no alert was ever added)."""
    if _no_alerts(folder, ()):
        return []
    with closing(AlertStore(folder)) as store:
        return [store.status(alert) for alert in store.alerts()]


def new_matches(backend: SearchBackend, store: AlertStore, alert: Alert,
                page_url: Callable[[str], str] | None = None) -> list[AlertArticle]:
    """Return the alert's matches it has not seen, in its search's order."""
    found: list[AlertArticle] = []
    chunk: dict[str, Article] = {}

    def flush() -> None:
        found.extend(AlertArticle.of(chunk[i], page_url) for i in store.unseen(alert.name, list(chunk)))
        chunk.clear()

    for article in _every_match(backend, alert.request()):
        chunk[article.id] = article
        if len(chunk) >= _CHUNK:
            flush()
    flush()
    return found


@dataclass
class AlertOutcome:
    """What a run did for one alert: deliveries accepted, articles in them, and why it failed ("": it did not)."""

    alert: Alert
    deliveries: list[str] = field(default_factory=list)
    sent: int = 0
    resent: int = 0  # articles of an earlier, unconfirmed delivery among them (sent again, same delivery id)
    tries: int = 0
    error: str = ""
    waiting: int = 0  # articles left for the next run


def sender_for(alert: Alert) -> Sender:
    """Return what sends an alert's deliveries (SettingError when e-mail is not configured)."""
    return WebhookSender(alert.target) if alert.kind == "webhook" else EmailSender(smtp_config(), alert.target)


def run_alerts(backend: SearchBackend, names: Iterable[str] = (), retry: Retry = DEFAULT_RETRY,
               page_url: Callable[[str], str] | None = None,
               senders: Callable[[Alert], Sender] = sender_for) -> list[AlertOutcome]:
    """Send every alert (or those named) its new matches; return what happened to each.

    Holds the alerts lock (AlertsLockedError when another run holds it). A failing alert never stops the others.
    """
    folder, names = backend.folder, list(names)
    if _no_alerts(folder, names):
        return []
    with alerts_lock(folder), closing(AlertStore(folder)) as store:
        outcomes = []
        for alert in store.alerts(names):
            outcome = AlertOutcome(alert)
            try:
                _run_one(backend, store, outcome, retry, page_url, senders)
            except NewsArchiveError as err:  # a receiver, the settings, or the alert's search
                outcome.error = str(err)
            store.note_run(alert.name, outcome.error)
            outcomes.append(outcome)
    return outcomes


def _run_one(backend: SearchBackend, store: AlertStore, outcome: AlertOutcome, retry: Retry,
             page_url: Callable[[str], str] | None, senders: Callable[[Alert], Sender]) -> None:
    alert = outcome.alert
    sender = senders(alert)
    earlier = store.unconfirmed(alert.name)
    while earlier is not None:  # sent first, as it was: its receiver may have it already
        _send(store, sender, earlier, retry, outcome)
        outcome.resent += len(earlier.articles)
        earlier = store.unconfirmed(alert.name)
    fresh = new_matches(backend, store, alert, page_url)
    for start in range(0, len(fresh), MAX_DELIVERY_ARTICLES):
        articles = tuple(fresh[start:start + MAX_DELIVERY_ARTICLES])
        delivery = Delivery(uuid.uuid4().hex, alert.name, alert.search, _now(), articles)
        store.record(delivery)
        try:
            _send(store, sender, delivery, retry, outcome)
        except DeliveryError:
            outcome.waiting = len(fresh) - start
            raise


def _send(store: AlertStore, sender: Sender, delivery: Delivery, retry: Retry, outcome: AlertOutcome) -> None:
    try:
        tries = deliver(sender, delivery, retry)
    except DeliveryError:
        outcome.waiting = len(delivery.articles)
        raise
    store.mark_sent(delivery, tries)
    outcome.deliveries.append(delivery.id)
    outcome.sent += len(delivery.articles)
    outcome.tries += tries

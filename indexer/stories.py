"""Wire-story clustering: near-duplicate articles (a story lightly edited, or its versions) share one story id.

Each article's headline and body become word shingles, a MinHash signature and LSH band keys (minhash.py); the
bands live in SQLite (stories.sqlite3 in the index folder), so finding candidates never loads the archive into
memory. A candidate is a match when both are dated within WINDOW_DAYS of each other (or one is undated) and its
estimated Jaccard similarity is high, or the estimated containment of the smaller text in the larger is (a
trimmed copy is a subset of its source). An article joins the story of its best match, else founds a story named
after itself; stories never merge and no stored article ever changes story because another was added, which keeps
ids stable. The parameters were picked on the tuning split of bench/stories.py; docs/stories.md has the figures.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .errors import NewsArchiveError
from .minhash import I64, U32, band_keys, shingle_sets, signatures, similarity
from .records import Article
from .sqlitestores import connect_to_write

STORIES_NAME = "stories.sqlite3"
# What clustering measures of a text (`measure`): its distinct shingles, and its signature (None: too short to judge).
Measure = tuple[int, "U32 | None"]


@dataclass(frozen=True)
class StoryParams:
    """How near two articles must be to be one story (one set, picked on the tuning split of bench/stories.py)."""

    shingle_words: int = 4  # words per shingle
    num_perm: int = 128  # MinHash permutations (the signature's length)
    bands: int = 16  # LSH bands ...
    rows: int = 2  # ... of this many signature values each: candidates from Jaccard about (1/bands)**(1/rows)
    seed: int = 1  # datasketch's permutation seed
    min_shingles: int = 10  # fewer distinct shingles: too short to judge, the article is its own story
    jaccard: float = 0.3  # a match: estimated Jaccard similarity at least this ...
    containment: float = 0.5  # ... or the smaller text's estimated containment in the larger at least this,
    contained_min: int = 20  # when the smaller text has at least this many shingles
    window_days: int = 2  # both dated further apart than this (days): never one story


PARAMS = StoryParams()


class StoryParamsError(NewsArchiveError):
    """The index folder's stories cannot be used (other parameters, a damaged file): the index must be rebuilt."""


_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, story TEXT NOT NULL, day INTEGER,
    size INTEGER NOT NULL, text INTEGER NOT NULL, signature BLOB
);
CREATE INDEX IF NOT EXISTS articles_story ON articles (story);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL, key INTEGER NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (band, key, row)
) WITHOUT ROWID;
"""
_COLUMNS = "row, id, story, day, size, text, signature"
# The stored articles sharing a band with the call's (band keys sent as one JSON array: no row per probe).
_SHARING = "SELECT j.key, b.row FROM json_each(?) j JOIN bands b ON b.band = j.key % ? AND b.key = j.value"


@dataclass(eq=False)  # entries are compared by identity: "the current entry of this id"
class _Entry:
    """One article as clustered: stored, or assigned in the current call."""

    row: int
    id: str
    story: str
    day: int | None
    size: int  # distinct shingles
    text: int  # a hash of headline and body: an update that leaves them (and the date) alone changes nothing
    signature: U32 | None  # None: too short to judge

    def fields(self) -> tuple[object, ...]:
        """Return the row as stored."""
        blob = None if self.signature is None else self.signature.tobytes()
        return self.row, self.id, self.story, self.day, self.size, self.text, blob


def story_id(article: Article) -> str:
    """Return the id of a story founded by this article: "s" and 12 hex digits of its id and fingerprint."""
    return "s" + hashlib.sha1(f"{article.id}\x1f{article.fingerprint}".encode()).hexdigest()[:12]


class StoryStore:
    """The index folder's story clusters: each article's MinHash signature, its LSH band keys and its story id."""

    def __init__(self, folder: Path, *, reset: bool = False, params: StoryParams = PARAMS) -> None:
        self.path = folder / STORIES_NAME
        self.params = params
        if reset:
            for suffix in ("", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        try:
            self.db = connect_to_write(self.path)
            self.db.executescript(_TABLES)
            stored = self.db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
        except sqlite3.DatabaseError as err:  # not a database, or no folder to hold one
            raise StoryParamsError(f"{self.path}: cannot read the story clusters ({err}): rebuild the index "
                                   "(--rebuild)") from err
        wanted = json.dumps(asdict(params), sort_keys=True)
        if stored and stored[0] != wanted and self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone():
            self.db.close()
            raise StoryParamsError(
                f"{self.path} was clustered with other story parameters: rebuild the index (--rebuild)")
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('params', ?)", (wanted,))
        self.db.commit()

    def assign(self, articles: Sequence[Article], measured: Mapping[str, Measure] | None = None) -> dict[str, str]:
        """Cluster new or changed articles (in order, each against the store and those before it); return id -> story.

        An id already stored is re-assigned: it keeps its story while it still matches it (or its own previous
        text), else joins its best match or founds a story. Durable only after commit(). measured: what `measure`
        gave of some of the texts (story_text), made elsewhere; the rest is measured here.
        """
        p = self.params
        texts = [story_text(article) for article in articles]
        known = dict(measured or {})
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        known.update(zip(missing, measure(missing, p), strict=True))
        sizes = np.array([known[text][0] for text in texts], dtype=np.int64)
        judged = np.flatnonzero(sizes >= p.min_shingles)
        rows = np.array([known[texts[i]][1] for i in judged.tolist()], dtype=np.uint32).reshape(-1, p.num_perm)
        keys = band_keys(rows, p.bands, p.rows)
        signature_of = dict(zip(judged.tolist(), rows, strict=True))
        previous = self._stored({article.id for article in articles})
        batch = _Batch(self._next_row(), previous, self._sharing(judged, keys), _earlier_sharing(judged, keys), p)
        for i, (article, size) in enumerate(zip(articles, sizes.tolist(), strict=True)):
            entry = _Entry(0, article.id, "", _day(article), size, _text_hash(texts[i]), signature_of.get(i))
            batch.place(i, article, entry)
        self._write(batch, previous)
        return {article.id: batch.current[article.id].story for article in articles}

    def remove(self, ids: Iterable[str]) -> None:
        """Forget deleted articles (their stories keep their ids for the remaining members)."""
        self._delete(list(self._stored(set(ids)).values()))

    def story_of(self, article_id: str) -> str | None:
        """Return an article's story id, or None when it has none."""
        row = self.db.execute("SELECT story FROM articles WHERE id = ?", (article_id,)).fetchone()
        return str(row[0]) if row else None

    def commit(self) -> None:
        """Make the assignments and removals so far durable (one SQLite transaction)."""
        self.db.commit()

    def rollback(self) -> None:
        """Forget the assignments and removals since the last commit."""
        self.db.rollback()

    def close(self) -> None:
        """Close the file; what was not committed is gone."""
        self.db.close()

    def _entries(self, where: str, argument: str) -> list[_Entry]:
        """Return the stored entries chosen by a condition on one JSON array argument."""
        query = f"SELECT {_COLUMNS} FROM articles WHERE {where} IN (SELECT value FROM json_each(?))"
        return [_Entry(row, id_, story, day, size, text, None if blob is None else np.frombuffer(blob, np.uint32))
                for row, id_, story, day, size, text, blob in self.db.execute(query, (argument,))]

    def _stored(self, ids: set[str]) -> dict[str, _Entry]:
        """Return the stored entries of these ids."""
        return {entry.id: entry for entry in self._entries("id", json.dumps(sorted(ids)))}

    def _sharing(self, judged: npt.NDArray[np.intp], keys: I64) -> dict[int, list[_Entry]]:
        """Return, for each position, the stored entries sharing a band key with it (in row order)."""
        if not len(judged):
            return {}
        bands = keys.shape[1]
        found = np.array(self.db.execute(_SHARING, (_json_integers(keys.ravel()), bands)).fetchall(), dtype=np.int64)
        if not len(found):
            return {}
        # (position, row) pairs, each once, in order: a position's candidates are a run of them.
        pairs = np.unique((judged[found[:, 0] // bands].astype(np.int64) << 32) | found[:, 1])
        positions, rows = (pairs >> 32).tolist(), (pairs & 0xFFFFFFFF).tolist()
        by_row = {entry.row: entry for entry in self._entries("row", json.dumps(sorted(set(rows))))}
        sharing: dict[int, list[_Entry]] = {}
        for position, row in zip(positions, rows, strict=True):
            sharing.setdefault(position, []).append(by_row[row])
        return sharing

    def _next_row(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(row), 0) + 1 FROM articles").fetchone()[0])

    def _write(self, batch: _Batch, previous: dict[str, _Entry]) -> None:
        """Replace the changed stored entries and add the new ones, with their bands."""
        self._delete([entry for article_id, entry in previous.items() if batch.current[article_id] is not entry])
        written = [entry for entry in batch.current.values() if previous.get(entry.id) is not entry]
        self.db.executemany(f"INSERT INTO articles ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (entry.fields() for entry in written))
        self.db.executemany("INSERT INTO bands VALUES (?, ?, ?)", self._band_rows(written))

    def _delete(self, entries: list[_Entry]) -> None:
        self.db.executemany("DELETE FROM bands WHERE band = ? AND key = ? AND row = ?", self._band_rows(entries))
        self.db.executemany("DELETE FROM articles WHERE row = ?", ((entry.row,) for entry in entries))

    def _band_rows(self, entries: list[_Entry]) -> Iterable[tuple[int, int, int]]:
        """Return (band, key, row) of the entries' bands, sorted (B-tree pages are visited in order)."""
        signed = [entry for entry in entries if entry.signature is not None]
        if not signed:
            return []
        keys = band_keys(np.stack([entry.signature for entry in signed if entry.signature is not None]),
                         self.params.bands, self.params.rows)
        bands = np.broadcast_to(np.arange(keys.shape[1]), keys.shape).ravel()
        rows = np.repeat(np.array([entry.row for entry in signed]), keys.shape[1])
        order = np.lexsort((rows, keys.ravel(), bands))
        return zip(bands[order].tolist(), keys.ravel()[order].tolist(), rows[order].tolist(), strict=True)


class _Batch:
    """One assign call's entries, placed in order: each sees the store and the entries placed before it."""

    def __init__(self, next_row: int, stored: dict[str, _Entry], sharing: dict[int, list[_Entry]],
                 earlier: dict[int, list[int]], params: StoryParams) -> None:
        self.next_row, self.sharing, self.earlier, self.params = next_row, sharing, earlier, params
        self.current: dict[str, _Entry] = dict(stored)  # id -> its entry as of the position being placed
        self.replaced: set[str] = set()  # ids given a new entry in this call: their stored entries are gone
        self.placed: dict[int, _Entry] = {}  # position -> the entry placed there

    def place(self, position: int, article: Article, entry: _Entry) -> None:
        """Give the entry its story and row, and make it a candidate for the entries after it."""
        old = self.current.get(article.id)
        if old is not None and old.text == entry.text and old.day == entry.day:
            self.placed[position] = old  # the same words on the same day (another topic, say): nothing changes
            return
        entry.row, self.next_row = self.next_row, self.next_row + 1
        entry.story = self._story(position, article, entry, old)
        self.current[article.id] = self.placed[position] = entry
        self.replaced.add(article.id)

    def _story(self, position: int, article: Article, entry: _Entry, old: _Entry | None) -> str:
        if entry.signature is None:
            return story_id(article)
        candidates = self._candidates(position, entry) if position in self.sharing or position in self.earlier else []
        matches = _matches(entry, candidates, self.params) if candidates else []
        if old is not None:
            if any(match.story == old.story for _, match in matches) or _matches(entry, [old], self.params):
                return old.story
        if matches:
            return min(matches, key=lambda scored: (-scored[0], scored[1].row))[1].story
        return story_id(article)

    def _candidates(self, position: int, entry: _Entry) -> list[_Entry]:
        """Return the current entries sharing a band with this one: stored ones not replaced yet, then this call's."""
        found = {c.id: c for c in self.sharing.get(position, ()) if c.id not in self.replaced and c.id != entry.id}
        for before in self.earlier.get(position, ()):
            candidate = self.placed[before]
            if self.current.get(candidate.id) is candidate and candidate.id != entry.id:
                found.setdefault(candidate.id, candidate)
        return list(found.values())


def _earlier_sharing(judged: npt.NDArray[np.intp], keys: I64) -> dict[int, list[int]]:
    """Return, for each position, the earlier positions of the call sharing a band key with it."""
    bands = keys.shape[1]
    flat_bands = np.broadcast_to(np.arange(bands), keys.shape).ravel()
    flat_keys, positions = keys.ravel(), np.repeat(judged, bands)
    order = np.lexsort((positions, flat_keys, flat_bands))
    same = (flat_keys[order][1:] == flat_keys[order][:-1]) & (flat_bands[order][1:] == flat_bands[order][:-1])
    earlier: dict[int, set[int]] = {}
    for start, stop in _runs(same):
        group = positions[order[start:stop]].tolist()  # ascending
        for n, later in enumerate(group[1:], start=1):
            earlier.setdefault(later, set()).update(group[:n])
    return {position: sorted(found) for position, found in earlier.items()}


def _runs(same: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Return [start, stop) of each run of equal neighbours, given which element equals the one before it."""
    edges = np.diff(np.concatenate(([0], same.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), (np.flatnonzero(edges == -1) + 1).tolist(), strict=True))


def _matches(entry: _Entry, candidates: list[_Entry], p: StoryParams) -> list[tuple[float, _Entry]]:
    """Return the candidates that are the same story as the entry, each with its score (Jaccard + containment)."""
    usable = [c for c in candidates if c.signature is not None
              and (entry.day is None or c.day is None or abs(entry.day - c.day) <= p.window_days)]
    if not usable or entry.signature is None:
        return []
    jaccard = similarity(entry.signature, np.stack([c.signature for c in usable if c.signature is not None]))
    sizes = np.array([c.size for c in usable], dtype=np.float64)
    smaller = np.minimum(sizes, entry.size)
    # |A & B| = J (|A| + |B|) / (1 + J): the estimated share of the smaller set found in the larger one.
    containment = np.minimum(1.0, jaccard * (sizes + entry.size) / (1.0 + jaccard) / smaller)
    same = (jaccard >= p.jaccard) | ((containment >= p.containment) & (smaller >= p.contained_min))
    return [(float(jaccard[i] + containment[i]), usable[i]) for i in np.flatnonzero(same)]


def _json_integers(values: I64) -> str:
    return "[" + ",".join(map(str, values.tolist())) + "]"


def story_text(article: Article) -> str:
    """Return the text an article's shingles are made of: its headline and body."""
    return f"{article.headline}\n{article.body}"


def measure(texts: Sequence[str], params: StoryParams = PARAMS) -> list[Measure]:
    """Return what clustering measures of each text, whatever the store holds: how many distinct shingles it has,
    and its MinHash signature when that is enough to judge it (at least min_shingles; else None). The same made
    anywhere: an indexing run measures its articles in another process as it reads them (indexer/ahead.py)."""
    hashes, offsets = shingle_sets(texts, params.shingle_words)
    sizes = np.diff(offsets)
    judged = np.flatnonzero(sizes >= params.min_shingles)
    rows = signatures(hashes, offsets, judged, params.num_perm, params.seed)
    found: list[Measure] = [(size, None) for size in sizes.tolist()]
    for i, row in zip(judged.tolist(), rows, strict=True):
        found[i] = (found[i][0], row)
    return found


def _day(article: Article) -> int | None:
    return article.date.toordinal() if article.date else None


def _text_hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)

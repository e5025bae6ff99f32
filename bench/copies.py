"""A seeded, labelled set of wire-story copies made from Reuters-21578, for measuring story clustering.

Source stories (real bodies, a topic) get copies with the edits outlets make: another outlet's name and dateline,
a reworded headline, trailing paragraphs trimmed, paragraphs reordered, a sentence from another story added, and
successive versions ("UPDATE 1", a shorter first take). Each copy is a new Article (its own id, another source, a
date within two days). Hard negatives are other real stories on the same topic and day: for each source the one
sharing the most text with it, and one at random. Labels: a source and its copies are one story; everything else
is its own.

What one story means, for labels: the smaller text shares at least half of its 3-word shingles with the larger
(TWIN_CONTAINMENT; every light edit keeps more). Reuters has such near-duplicates of its own (a story sent twice,
corrections, versions, the same sentences in a daily report): unlabelled, they would be scored wrong either way, so
a story with such a "twin" within TWIN_DAYS is never a source or a negative, and the report says how many were
left out. Stories sharing less (the hardest negatives share up to half) are different stories. Stories are split
by a hash of their id into a tuning half and a test half: parameters are picked on one and reported on the other.
Reuters is read from ../shared/data at run time (research-only licence).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import numpy as np

from bench.corpus import source_names
from indexer.minhash import shingle_sets
from indexer.parsers import parse_path
from indexer.records import Article

REUTERS_SGM = Path(__file__).resolve().parents[2] / "shared" / "data" / "reuters21578" / "sgm-data"
TWIN_CONTAINMENT = 0.5
TWIN_DAYS = 7
TWIN_SHINGLE = 3
MIN_SOURCE_WORDS = 60
MIN_NEGATIVE_WORDS = 30
NEGATIVES_PER_SOURCE = 2
MAX_COPIES = 5
# The edits the targets are about (lightly edited copies and versions), and two beyond them, reported apart.
LIGHT = ("outlet", "headline", "trim", "reorder", "add", "version", "mixed")
HEAVY = ("lead only", "restyled")
KIND_WEIGHTS = {"outlet": 1, "headline": 1, "trim": 1.5, "reorder": 1, "add": 1, "version": 1.5, "mixed": 2,
                "lead only": 0.7, "restyled": 0.7}
_CITIES = ("NEW YORK", "LONDON", "TOKYO", "WASHINGTON", "CHICAGO", "FRANKFURT", "PARIS", "HONG KONG", "SYDNEY")
_PARAGRAPH = re.compile(r"\n(?=[ \t]+\S)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(<])")
_HEADLINE_WORDS = {"PCT": "percent", "MLN": "million", "BILLION": "bln", "DLRS": "dollars", "DLR": "dollar",
                   "SAYS": "said", "RAISES": "lifts", "CUTS": "lowers", "SEES": "expects", "BUYS": "acquires",
                   "SELLS": "sells off", "RISE": "climb", "FALL": "drop", "TO": "will", "U.S.": "US", "SETS": "plans"}
_STYLE = {"mln": "million", "bln": "billion", "dlrs": "dollars", "dlr": "dollar", "pct": "percent",
          "stg": "sterling", "vs": "versus", "cts": "cents", "said": "says", "qtr": "quarter", "shr": "per share"}


@dataclass(frozen=True)
class Labelled:
    """One article of the set, with its true story and how it was made."""

    article: Article
    story: str  # the source's id for a source and its copies; the article's own id otherwise
    kind: str  # "source", "negative", or the copy's edit (LIGHT, HEAVY)


def load_reuters(folder: Path = REUTERS_SGM) -> list[Article]:
    """Return every Reuters-21578 article, as newsarchive's parser reads it."""
    files = sorted(folder.glob("*.sgm"))
    if not files:
        raise SystemExit(f"Reuters-21578 not found at {folder}")
    return [item for path in files for item in parse_path(path) if isinstance(item, Article)]


def split_of(article_id: str) -> str:
    """Return the half a story belongs to: "tuning" or "test" (a hash of its id)."""
    return "tuning" if hashlib.sha1(article_id.encode()).digest()[0] % 2 == 0 else "test"


def reuters_twins(articles: list[Article]) -> set[str]:
    """Return the ids of stories with a near-duplicate in the collection (exact containment of 3-word shingles)."""
    sets, offsets = shingle_sets([f"{a.headline}\n{a.body}" for a in articles], TWIN_SHINGLE)
    sizes = np.diff(offsets)
    docs = np.repeat(np.arange(len(articles)), sizes)
    order = np.argsort(sets, kind="stable")
    hashes, docs = sets[order], docs[order]
    bounds = np.flatnonzero(np.diff(hashes)) + 1
    starts, stops = np.concatenate(([0], bounds)), np.concatenate((bounds, [len(hashes)]))
    # Pairs are counted over the shingles of at most 200 stories; the more common ones (boilerplate) only bound
    # the count from above, and the pairs the bounds leave open are intersected exactly.
    rare = stops - starts <= 200
    common = np.bincount(docs[np.repeat(~rare, stops - starts)], minlength=len(articles))
    lengths = stops - starts
    pairs = [_pairs(docs, starts[lengths == size], size, len(articles)) for size in range(2, 201)]
    codes, shared = np.unique(np.concatenate(pairs), return_counts=True)
    first, second = np.divmod(codes, len(articles))
    days = np.array([a.date.toordinal() if a.date else 0 for a in articles])
    near = (np.abs(days[first] - days[second]) <= TWIN_DAYS) | (days[first] == 0) | (days[second] == 0)
    needed = TWIN_CONTAINMENT * np.maximum(1, np.minimum(sizes[first], sizes[second]))
    sure = near & (shared >= needed)
    open_ = near & ~sure & (shared + np.minimum(common[first], common[second]) >= needed)
    twins = set(zip(first[sure].tolist(), second[sure].tolist(), strict=True))
    for a, b, want in zip(first[open_].tolist(), second[open_].tolist(), needed[open_].tolist(), strict=True):
        both = np.intersect1d(sets[offsets[a] : offsets[a + 1]], sets[offsets[b] : offsets[b + 1]], assume_unique=True)
        if len(both) >= want:
            twins.add((a, b))
    return {articles[i].id for pair in twins for i in pair}


def _pairs(docs: np.ndarray, starts: np.ndarray, size: int, count: int) -> np.ndarray:
    """Return the pairs of documents (low * count + high) sharing each of the shingles starting at `starts`."""
    first, second = np.triu_indices(size, 1)
    a, b = docs[starts[:, None] + first[None, :]].ravel(), docs[starts[:, None] + second[None, :]].ravel()
    return np.minimum(a, b) * count + np.maximum(a, b)


def generate(articles: list[Article], twins: set[str], split: str, seed: int, sources: int) -> list[Labelled]:
    """Return a labelled set from one split: sources, their copies, and hard negatives (in a seeded random order)."""
    rng = random.Random(f"{split}:{seed}")
    pool = [a for a in articles if split_of(a.id) == split and a.id not in twins and a.date is not None]
    eligible = [a for a in pool if a.topic and len(a.body.split()) >= MIN_SOURCE_WORDS]
    chosen = rng.sample(eligible, min(sources, len(eligible)))
    chosen_ids = {a.id for a in chosen}
    by_day_topic: dict[tuple[object, str], list[Article]] = {}
    for article in pool:
        if article.id not in chosen_ids and len(article.body.split()) >= MIN_NEGATIVE_WORDS:
            for topic in article.topic:
                by_day_topic.setdefault((article.date.date() if article.date else None, topic), []).append(article)
    used: set[str] = set()
    items: list[Labelled] = []
    editor = _Editor(rng, [a for a in pool if a.body])
    for source in chosen:
        items.append(Labelled(source, source.id, "source"))
        for n in range(rng.randint(1, MAX_COPIES)):
            kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
            items.append(Labelled(editor.copy(source, kind, n), source.id, kind))
        day = source.date.date() if source.date else None
        near = {a.id: a for t in source.topic for a in by_day_topic.get((day, t), []) if a.id not in used}
        for negative in _negatives(source, list(near.values()), rng):
            used.add(negative.id)
            items.append(Labelled(negative, negative.id, "negative"))
    rng.shuffle(items)
    return items


def _negatives(source: Article, near: list[Article], rng: random.Random) -> list[Article]:
    """Return the hard negatives of a source: the story sharing most of its text with it, then random ones."""
    if not near:
        return []
    sets, offsets = shingle_sets([f"{a.headline}\n{a.body}" for a in (source, *near)], TWIN_SHINGLE)
    own = sets[offsets[0] : offsets[1]]
    shared = [len(np.intersect1d(own, sets[offsets[i] : offsets[i + 1]], assume_unique=True)) / max(1, len(own))
              for i in range(1, len(near) + 1)]
    hardest = near[int(np.argmax(shared))]
    rest = [a for a in near if a is not hardest]
    return [hardest, *rng.sample(rest, min(NEGATIVES_PER_SOURCE - 1, len(rest)))]


def blocks_of(body: str) -> list[str]:
    """Return a body's paragraphs (reflowed), or its sentences when it has fewer than three paragraphs."""
    paragraphs = [" ".join(p.split()) for p in _PARAGRAPH.split(body) if p.strip()]
    if len(paragraphs) >= 3:
        return paragraphs
    return [s for p in paragraphs for s in _SENTENCE.split(p) if s.strip()]


class _Editor:
    """Makes copies: seeded edits of a source's headline and blocks (paragraphs, or sentences of a short body)."""

    def __init__(self, rng: random.Random, donors: list[Article]) -> None:
        self.rng, self.donors = rng, donors
        self.outlets = source_names()
        self.edits: dict[str, Callable[[str, list[str]], tuple[str, list[str]]]] = {
            "outlet": lambda h, b: (h, b), "headline": lambda h, b: (self.headline(h, b), b),
            "trim": lambda h, b: (h, self.trim(b)), "reorder": lambda h, b: (h, self.reorder(b)),
            "add": lambda h, b: (h, self.add(b)), "mixed": self.mixed,
            "lead only": lambda h, b: (h, b[:1] if len(b) > 3 else b[: max(1, len(b) // 3)]),
            "restyled": lambda h, b: (h, [self.restyle(block) for block in b]),
        }

    def copy(self, source: Article, kind: str, n: int) -> Article:
        """Return a copy of the source with one kind of edit (its own id, source and date)."""
        assert source.date is not None
        blocks = blocks_of(source.body)
        if kind == "version":
            return self.version(source, blocks, n)
        headline, blocks = self.edits[kind](source.headline, blocks)
        outlet = self.rng.choice(self.outlets)
        date = source.date + timedelta(minutes=self.rng.randint(60, 48 * 60))
        dateline = f"{self.rng.choice(_CITIES)}, {date:%B} {date.day} ({outlet}) - "
        signoff = ["(Reporting by staff; editing by the desk)"] if self.rng.random() < 0.5 else []
        body = "\n\n".join([dateline + blocks[0], *blocks[1:], *signoff])
        return replace(source, id=f"{source.id}/copy{n}", headline=headline, body=body, source=outlet, date=date)

    def version(self, source: Article, blocks: list[str], n: int) -> Article:
        """Return another version of the source from the same outlet: a shorter first take, or an UPDATE."""
        assert source.date is not None
        date = source.date + timedelta(minutes=self.rng.randint(30, 8 * 60))
        if self.rng.random() < 0.4 and len(blocks) >= 3:
            kept = blocks[: max(2, -(-len(blocks) * 3 // 5))]
            return replace(source, id=f"{source.id}/take{n}", body="\n\n".join(kept), date=date)
        number = self.rng.randint(1, 3)
        added = [self.sentence() for _ in range(self.rng.randint(1, 2) * number)]
        at = self.rng.randint(1, len(blocks))
        body = "\n\n".join(blocks[:at] + added + blocks[at:])
        headline = f"UPDATE {number}-{self.headline(source.headline, blocks) if number > 1 else source.headline}"
        return replace(source, id=f"{source.id}/update{n}", headline=headline, body=body, date=date)

    def mixed(self, headline: str, blocks: list[str]) -> tuple[str, list[str]]:
        """Return a reworded headline and two or three of trim, reorder and add."""
        edits = self.rng.sample([self.trim, self.reorder, self.add], self.rng.randint(2, 3))
        for edit in edits:
            blocks = edit(blocks)
        return self.headline(headline, blocks), blocks

    def headline(self, headline: str, blocks: list[str]) -> str:
        """Return the headline reworded: in the outlet's words, shortened, or drawn from the lead."""
        choice = self.rng.random()
        if choice < 0.4:
            return " ".join(_HEADLINE_WORDS.get(w, w.capitalize()) for w in headline.split())
        if choice < 0.7:
            words = [w for w in headline.split() if w.upper() not in ("THE", "A", "OF", "IN", "SAYS", "SAID")]
            words = [_HEADLINE_WORDS.get(w, w) for w in words]
            return " ".join(words[: max(3, len(words) - self.rng.randint(1, 2))]).capitalize()
        lead = blocks[0].split()
        return " ".join(lead[: self.rng.randint(6, 10)]).rstrip(",.;")

    def trim(self, blocks: list[str]) -> list[str]:
        """Return the blocks with trailing ones cut, keeping at least half of the words (and the lead)."""
        total = sum(len(b.split()) for b in blocks)
        kept, fewest = 0, len(blocks)
        for i, block in enumerate(blocks):
            kept += len(block.split())
            if kept >= total / 2:
                fewest = i + 1
                break
        return blocks[: self.rng.randint(fewest, max(fewest, len(blocks) - 1))]

    def reorder(self, blocks: list[str]) -> list[str]:
        """Return the blocks with one after the lead moved elsewhere after the lead."""
        if len(blocks) < 3:
            return blocks
        rest = blocks[1:]
        moved = rest.pop(self.rng.randrange(len(rest)))
        rest.insert(self.rng.randrange(len(rest) + 1), moved)
        return [blocks[0], *rest] if rest != blocks[1:] else [blocks[0], *rest[::-1]]

    def add(self, blocks: list[str]) -> list[str]:
        """Return the blocks with a sentence from another story put after the lead."""
        at = self.rng.randint(1, len(blocks))
        return blocks[:at] + [self.sentence()] + blocks[at:]

    def sentence(self) -> str:
        """Return a sentence of some other story (a real one from the split)."""
        donor = self.rng.choice(self.donors)
        sentences = [s for s in _SENTENCE.split(" ".join(donor.body.split())) if len(s.split()) >= 6]
        return self.rng.choice(sentences) if sentences else " ".join(donor.body.split()[:20])

    def restyle(self, block: str) -> str:
        """Return a block in another house style: abbreviations spelled out, "said" as "says"."""
        return re.sub(r"\b(\w+)\b", lambda m: _STYLE.get(m.group(1), m.group(1)), block)

"""Search tips made from the archive being served: its own words, names, topics and dates, each shown to find something.

Examples written for one archive find nothing in another (Reuters' "opec" in a local paper), so each tip is built
from the newest headlines and the most frequent names, then run: a tip that finds nothing is left out. The tips of
an archive are made on first use and kept for a minute (they are examples: a minute stale does no harm).
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask, current_app

from indexer.backend import SearchBackend
from indexer.errors import QueryError
from indexer.request import Paging, Search
from indexer.results import IndexStats
from indexer.words import STOP_WORDS

# Headlines read for words: the newest ones, the words readers of this archive would search for.
HEADLINES_READ = 100
# A word in more than this share of the articles ("after", "said") shows nothing about searching.
COMMON_SHARE = 0.25
_WORD = re.compile(r"[^\W\d_]{4,}")
KEEP_SECONDS = 60.0


@dataclass(frozen=True)
class Tip:
    """A query that finds articles in this archive, and what it shows about the query language."""

    query: str
    says: str


class TipBook:
    """The tips of an app's archive, made on first use and again once they are a minute old."""

    def __init__(self) -> None:
        self._tips: tuple[Tip, ...] = ()
        self._made = 0.0
        self._lock = threading.Lock()

    def tips(self, service: SearchBackend) -> tuple[Tip, ...]:
        """Return the tips, made from the archive the service searches when they are stale."""
        with self._lock:
            if self._made == 0.0 or time.monotonic() - self._made > KEEP_SECONDS:
                self._tips, self._made = make_tips(service), time.monotonic()
            return self._tips


def init_app(app: Flask) -> None:
    """Give the app its book of tips."""
    app.extensions["newsarchive.tips"] = TipBook()


def search_tips(service: SearchBackend) -> tuple[Tip, ...]:
    """Return the current app's tips for the archive it serves."""
    book: TipBook = current_app.extensions["newsarchive.tips"]
    return book.tips(service)


def make_tips(service: SearchBackend) -> tuple[Tip, ...]:
    """Return the tips that find articles in the archive a service searches (none for an empty one)."""
    stats = service.stats(top=1)
    return tuple(tip for tip in _candidates(service, stats) if _finds(service, tip.query))


def _candidates(service: SearchBackend, stats: IndexStats) -> Iterator[Tip]:
    headlines = [hit.headline for hit in service.search(Search(), Paging(per_page=HEADLINES_READ)).hits]
    words = [w for w in _frequent_words(headlines) if _count(service, w) <= stats.documents * COMMON_SHARE]
    if words:
        first = words[0]
        pair = _adjacent_pair(headlines)
        if pair:
            yield Tip(f'"{pair}"', "a phrase")
        if len(words) > 1:
            second = words[1]
            yield Tip(f"{first} OR {second}", "either word")
            yield Tip(f"{first} -{second}", "the first word, without the second")
        companion = _companion(first, headlines)
        if companion:
            yield Tip(f"{first} NEAR {companion}", "within 10 words of each other, in either order")
        yield Tip(f"headline:{first}", "in the headline")
        yield Tip(f"{first[:max(3, len(first) - 3)]}*", "words that start so")
        yield Tip(f"{_misspelt(first)}~", "spellings close to this one")
    for name, says in (("author", "by an author"), ("topic", "on a topic"), ("source", "from a source"),
                       ("person", "naming a person"), ("place", "naming a place")):
        for value in stats.top.get(name, ()):
            yield Tip(f"{name}:{_term(value.value, name)}", says)
    if stats.last_date:
        month = stats.last_date.strftime("%Y-%m")
        yield Tip(f"date:{month}", "in a month")
        yield Tip(f"date:[{month}-01 TO {stats.last_date.date().isoformat()}]", "between two days")


def _frequent_words(headlines: list[str]) -> list[str]:
    """Return the words in most headlines, most first (each headline counts a word once)."""
    counts = Counter(w for h in headlines for w in {w.lower() for w in _WORD.findall(h)} if w not in STOP_WORDS)
    return [word for word, _ in counts.most_common(10)]


def _companion(word: str, headlines: list[str]) -> str | None:
    """Return the word most often in the same headline as the given one."""
    together = [h for h in headlines if word in {w.lower() for w in _WORD.findall(h)}]
    others = [w for w in _frequent_words(together) if w != word]
    return others[0] if others else None


def _adjacent_pair(headlines: list[str]) -> str | None:
    """Return the two neighbouring words (neither a stop word) found in most headlines."""
    counts: Counter[str] = Counter()
    for headline in headlines:
        words = re.findall(r"\w+", headline.lower())
        counts.update({f"{a} {b}" for a, b in zip(words, words[1:], strict=False)
                       if _WORD.fullmatch(a) and _WORD.fullmatch(b) and not {a, b} & STOP_WORDS})
    return counts.most_common(1)[0][0] if counts else None


def _misspelt(word: str) -> str:
    """Return the word less a letter of its middle, as a hurried typist would write it."""
    middle = len(word) // 2
    return word[:middle] + word[middle + 1:]


def _term(value: str, field: str) -> str:
    """Return a name as a field query takes it: an author or a person by surname; several words quoted."""
    words = value.replace('"', " ").split()
    if field in ("author", "person") and words:
        return words[-1].lower()
    return words[0].lower() if len(words) == 1 else '"' + " ".join(words).lower() + '"'


def _finds(service: SearchBackend, query: str) -> bool:
    return _count(service, query) > 0


def _count(service: SearchBackend, query: str) -> int:
    try:
        return service.search(Search(query=query), Paging(per_page=1)).total
    except QueryError:
        return 0

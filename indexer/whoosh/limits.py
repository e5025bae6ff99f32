"""Guards against expensive queries: how far a wildcard may expand, how fuzzy a word may be, how long a search takes.

A public search page must not let one request tie up a worker: `*e*` would expand to most of the vocabulary and
a query of many common words to most of the postings. Both stop with a QueryTooExpensiveError that says how to
narrow the query; the web app answers it with a 400, never a hung request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from whoosh import collectors
from whoosh import query as wq
from whoosh.searching import TimeLimit

from ..errors import QueryTooExpensiveError

MAX_EXPANSIONS = 1024  # words one wildcard, fuzzy term or word range may stand for (Lucene's clause limit)
MAX_FUZZY_EDITS = 2  # as Lucene: the cost of word~N grows steeply with N, however small the index
DEFAULT_TIME_LIMIT = 10.0  # seconds
_CHECK_EVERY = 256


class Deadline:
    """The moment a search must be finished by; check() raises QueryTooExpensiveError once it has passed."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        """Return the seconds left (at least a millisecond), or None without a limit."""
        return None if self.at is None else max(0.001, self.at - time.monotonic())

    def check(self) -> None:
        """Raise QueryTooExpensiveError if the deadline has passed."""
        if self.at is not None and time.monotonic() > self.at:
            raise too_slow(self.seconds)


def too_slow(seconds: float | None) -> QueryTooExpensiveError:
    """Return the error for a search stopped at its time limit."""
    return QueryTooExpensiveError(
        f"the query is too expensive: it was stopped after {seconds:g} s. Make it more specific: fewer or longer "
        "wildcards, a phrase instead of many common words, or a date range"
    )


def check_expansions(query: Any, expand: Callable[[Any, Deadline], Any], deadline: Deadline) -> None:
    """Raise QueryTooExpensiveError if a wildcard, fuzzy term or word range stands for too many words (expand: the
    index view's expansion, which raises it, see expanded_words) or a fuzzy word allows too many edits."""
    for leaf in query.leaves():
        if isinstance(leaf, wq.FuzzyTerm) and leaf.maxdist > MAX_FUZZY_EDITS:
            raise QueryTooExpensiveError(
                f"the query is too expensive: ~{leaf.maxdist} allows {leaf.maxdist} edits to a word; fuzzy matching "
                f"allows at most {MAX_FUZZY_EDITS} (word~1 or word~2)"
            )
        if isinstance(leaf, wq.MultiTerm):
            expand(leaf, deadline)


def expanded_words(query: Any, readers: Iterable[Any], deadline: Deadline) -> list[tuple[tuple[str, bytes], ...]]:
    """Return, for each segment reader, the words (field, term) a wildcard, fuzzy term or word range stands for
    there; QueryTooExpensiveError when they are more than MAX_EXPANSIONS different words in all, or past the
    deadline (a leading wildcard scans the whole vocabulary, even if it matches little)."""
    distinct: set[tuple[str, bytes]] = set()
    found = []
    for reader in readers:
        words = tuple(_checked(query.expanded_terms(reader), deadline))
        distinct.update(words)
        if len(distinct) > MAX_EXPANSIONS:
            raise QueryTooExpensiveError(
                f"the query is too expensive: {_shown(query)} matches more than {MAX_EXPANSIONS:,} different "
                "words. Make it more specific (a longer prefix, fewer wildcards)"
            )
        found.append(words)
    return found


def _checked(items: Iterator[Any], deadline: Deadline) -> Iterator[Any]:
    # A leading wildcard scans the whole vocabulary, even if it matches little: the deadline bounds that too.
    for number, item in enumerate(items):
        if number % _CHECK_EVERY == 0:
            deadline.check()
        yield item


def _shown(leaf: Any) -> str:
    text = getattr(leaf, "text", "")
    if isinstance(leaf, wq.Prefix):
        text = f"{text}*"
    elif isinstance(leaf, wq.FuzzyTerm):
        text = f"{text}~"
    return repr(str(text)) if text else "a word range"


def timed_matches(searcher: Any, query: Any, deadline: Deadline) -> set[int]:
    """Return the documents a Whoosh query matches (unscored), stopping at the deadline with QueryTooExpensiveError."""
    collector = searcher.collector(limit=None, scored=False)
    remaining = deadline.remaining()
    if remaining is not None:
        # Not SIGALRM: signals belong to the main thread, and web searches run in worker threads.
        collector = collectors.TimeLimitCollector(collector, remaining, use_alarm=False)
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit as err:
        raise too_slow(deadline.seconds) from err
    found: set[int] = collector.results().docs()
    return found

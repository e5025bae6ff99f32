"""Making articles: a Reuters story template filled with synthetic names, its sentences kept or replaced,
laid out in paragraphs, with a headline style, date, authors, source and URL."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from .names import _MASK, _Cast, _mix, _slug, _word, _zipf, source_names
from .pool import _PROSE_END, Pool, Story
from .settings import (
    _HOURS,
    ATTRIBUTION,
    AUTHOR_COUNTS,
    FIRST_YEAR,
    GIVEN_NAMES,
    GROWTH,
    HEADLINE_STYLES,
    KEEP_TEMPLATE,
    LAST_YEAR,
    MAX_UNITS,
    MIN_UNITS,
    NULL_DATE,
    OFF_TOPIC,
    REPORTERS,
    SOURCES,
    WITH_URL,
)

_T = TypeVar("_T")
_ROLES = (
    "{P0}, chief executive of {C0}, said ", "{P0}, chairman of {C0}, said ", "{P1}, an analyst at {C1} in {L0}, said ",
    "{P1}, a spokesman for {C0}, said ", "{P1}, chief economist at {C1}, said ", "{P0}, president of {C0}, said ",
)
_FIXED = (
    "{C0}, which is based in {L0}, did not immediately return calls seeking comment.",
    "{S0} told reporters in {L0} that talks with {C1} would continue.",
    "Shares of {C0} were unchanged in early trading in {L0}.",
    "{P1}, who follows {c0} for {C1}, said the figures were in line with expectations.",
)


class _Maker:
    """Makes the articles of one chunk from a random stream that depends only on (seed, chunk)."""

    def __init__(self, pool: Pool, seed: int, chunk: int) -> None:
        self.pool, self.seed = pool, seed
        self.rng = random.Random(f"newsarchive-corpus:{seed}:{chunk}")

    def article(self, number: int) -> dict[str, object]:
        """One JSON Lines record, with id syn-<seed>-<number>."""
        rng, pool = self.rng, self.pool
        story = _pick(rng, pool.stories)
        cast = _Cast(rng, self.seed)
        units = [pool.units[unit].format_map(cast) for unit in self._units(story)]
        if rng.random() < ATTRIBUTION:
            units.insert(rng.randint(1, len(units)), self._attribution().format_map(cast))
            del units[MAX_UNITS:]
        style = _weighted(rng.random(), HEADLINE_STYLES)
        headline = story.headlines[style].format_map(cast)
        date = self._date()
        source = source_names()[_zipf(rng.random(), SOURCES, 1.1)]
        record_id = f"syn-{self.seed}-{number}"
        url = f"https://example.com/{_slug(source)}/{date.year}/{record_id}" if date and rng.random() < WITH_URL else ""
        return {
            "id": record_id,
            "headline": headline.upper() if style == "upper" else headline,
            "body": self._body(story, units, cast),
            "author": self._authors(),
            "date": date.isoformat() if date else None,
            "topic": list(story.topics),
            "source": source,
            "url": url,
        }

    def _units(self, story: Story) -> list[int]:
        """The story's lead, then its sentences kept or swapped for same-topic ones, to about its length."""
        rng, words = self.rng, self.pool.unit_words
        target = story.words * math.exp(rng.gauss(-0.045, 0.3)) - 12  # mean-preserving spread; stop near it
        chosen = [story.units[0]]
        total = words[chosen[0]]
        later = iter(story.units[1:])
        while len(chosen) < MIN_UNITS or (total < target and len(chosen) < MAX_UNITS):
            unit = next(later, None)
            wanted = (target - total) / (MAX_UNITS - len(chosen))  # words a sentence, to reach the target
            if unit is None or rng.random() >= KEEP_TEMPLATE or words[unit] < wanted / 2:
                unit = self._replacement(story.topics or ("",), chosen, wanted)
            chosen.append(unit)
            total += words[unit]
        return chosen

    def _replacement(self, topics: tuple[str, ...], chosen: list[int], wanted: float) -> int:
        """A sentence of one of the topics (or, now and then, of any): the longest of a few when the article
        must be long in twelve sentences, the shortest of a few when it is long enough already."""
        rng, words = self.rng, self.pool.unit_words
        topic = _pick(rng, topics)
        candidates = self.pool.prose if rng.random() < OFF_TOPIC else self.pool.by_topic[topic]
        draws = [_pick(rng, candidates) for _ in range(_draws(wanted))]
        fresh = [unit for unit in draws if unit not in chosen] or draws
        return min(fresh, key=words.__getitem__) if wanted <= 0 else max(fresh, key=words.__getitem__)

    def _attribution(self) -> str:
        rng = self.rng
        if rng.random() < 0.75:
            return _pick(rng, _ROLES) + _pick(rng, self.pool.clauses)
        return _pick(rng, _FIXED)

    def _body(self, story: Story, units: list[str], cast: _Cast) -> str:
        """The units laid out; never a Reuters body as it was (a short story without rare names, kept whole)."""
        body = self._layout(units)
        while len(units) == len(story.units) and _plain(body) == _plain(self.pool.reuters[story.source][1]):
            replacement = self._replacement(story.topics or ("",), [], 0.0)
            units[int(self.rng.random() * (len(units) - 1)) + 1] = self.pool.units[replacement].format_map(cast)
            body = self._layout(units)
        return body

    def _layout(self, units: list[str]) -> str:
        """Paragraphs of one or two sentences, as wire copy has them; a table is a paragraph of its own."""
        paragraphs: list[str] = []
        joinable = False
        for unit in units:
            table = "\n" in unit or not _PROSE_END.search(unit)
            if joinable and not table and self.rng.random() < 0.35:
                paragraphs[-1] += " " + unit
                joinable = False
            else:
                paragraphs.append(unit)
                joinable = not table
        return "\n\n".join(paragraphs)

    def _date(self) -> datetime | None:
        """A moment in 1980-2025, more of them in later years (archives grow), at a likely hour of the day."""
        rng = self.rng
        if rng.random() < NULL_DATE:
            return None
        first, end = datetime(FIRST_YEAR, 1, 1), datetime(LAST_YEAR + 1, 1, 1)
        growth = GROWTH * (LAST_YEAR + 1 - FIRST_YEAR)
        share = math.log1p(rng.random() * math.expm1(growth)) / growth
        day = first + timedelta(days=int(share * (end - first).days))
        hour = _weighted(rng.random(), _HOURS)
        return day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))

    def _authors(self) -> list[str]:
        rng = self.rng
        names: list[str] = []
        for _ in range(_weighted(rng.random(), AUTHOR_COUNTS)):
            rank = _zipf(rng.random(), REPORTERS, 1.0)
            given = _word(self.seed, "given", _zipf(_mix(self.seed, rank, 4) / _MASK, GIVEN_NAMES, 1.0))
            name = f"{given} {_word(self.seed, 'reporter', rank)}"
            if name not in names:
                names.append(name)
        return names


def _plain(text: str) -> str:
    return " ".join(text.split())


def _pick(rng: random.Random, items: Sequence[_T]) -> _T:
    """A random item (faster than rng.choice, and as deterministic)."""
    return items[int(rng.random() * len(items))]


def _draws(wanted: float) -> int:
    """How many sentences to choose the length from: 6 to get a short one, 1 normally, more to get long ones."""
    return 6 if wanted <= 0 else 1 if wanted < 25 else min(12, math.ceil(wanted / 10))


def _weighted(u: float, choices: tuple[tuple[_T, float], ...]) -> _T:
    """The value at cumulative probability u among weighted choices."""
    total = sum(weight for _, weight in choices)
    for value, weight in choices:
        u -= weight / total
        if u < 0:
            return value
    return choices[-1][0]

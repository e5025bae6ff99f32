"""When the matches of a search ran: their days counted into years, months, weeks or days, as the span allows.

Engines count matches per day (`SearchPage.days`); this module picks the period that shows the span in at most
MAX_PERIODS bars (days within a month, weeks within a season, months within four years, else years) and lists
every period from the first to the last, empty ones included, so that gaps show as gaps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Bars at most: four years of months; a month of days; a season (26 weeks) of weeks.
MAX_PERIODS = 48
UNITS = ("day", "week", "month", "year")
_SPAN_DAYS = {"day": 31, "week": 26 * 7}


@dataclass(frozen=True)
class Period:
    """One bar of the timeline: the days it covers (both included) and how many matches ran in them."""

    unit: str
    start: date
    end: date
    count: int

    @property
    def label(self) -> str:
        """Return the period as a reader writes it: 1987, Mar 1987, 2–8 Mar 1987, Mon 2 Mar 1987."""
        if self.unit == "year":
            return str(self.start.year)
        if self.unit == "month":
            return self.start.strftime("%b %Y")
        if self.unit == "week":
            first = f"{self.start.day}" if self.start.month == self.end.month else self.start.strftime("%-d %b")
            if self.start.year != self.end.year:
                first = self.start.strftime("%-d %b %Y")
            return f"{first}–{self.end.strftime('%-d %b %Y')}"
        return self.start.strftime("%a %-d %b %Y")

    @property
    def short_label(self) -> str:
        """Return the label of an axis tick: 1987, Mar, 2 Mar, 2."""
        if self.unit == "year":
            return str(self.start.year)
        if self.unit == "month":
            return self.start.strftime("%b") if self.start.month != 1 else self.start.strftime("%b %Y")
        if self.unit == "week":
            return self.start.strftime("%-d %b")
        return str(self.start.day)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this period."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "count": self.count}


@dataclass(frozen=True)
class Timeline:
    """The periods of a search's matches, of one unit, first to last."""

    unit: str
    periods: tuple[Period, ...]

    @property
    def tallest(self) -> int:
        """Return the largest count of a period."""
        return max((p.count for p in self.periods), default=0)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of this timeline."""
        return {"unit": self.unit, "periods": [p.to_dict() for p in self.periods]}


def build_timeline(days: Iterable[tuple[date, int]], window: tuple[date | None, date | None] = (None, None)
                   ) -> Timeline | None:
    """Return the timeline of matches counted per day, or None when none is dated.

    window is the search's date range: a range of four years or less (a drilled-down year or month, say) is shown
    whole, its empty periods included, rather than only from its first match to its last.
    """
    counted = {day: n for day, n in days if n}
    if not counted:
        return None
    first, last = min(counted), max(counted)
    low, high = window
    if low is not None and high is not None and low <= first and last <= high and choose_unit(low, high) != "year":
        first, last = low, high
    unit = choose_unit(first, last)
    bounds = period_bounds(unit, first, last)
    totals = dict.fromkeys((start for start, _ in bounds), 0)
    for day, n in counted.items():
        totals[start_of(unit, day)] += n
    return Timeline(unit, tuple(Period(unit, s, e, totals[s]) for s, e in bounds))


def choose_unit(first: date, last: date) -> str:
    """Return the unit that shows the days first to last in at most MAX_PERIODS periods (days, weeks, months, years)."""
    span = (last - first).days + 1
    if span <= _SPAN_DAYS["day"]:
        return "day"
    if span <= _SPAN_DAYS["week"]:
        return "week"
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return "month" if months <= MAX_PERIODS else "year"


def start_of(unit: str, day: date) -> date:
    """Return the first day of the period of a unit (weeks start on Monday) that holds a day."""
    if unit == "year":
        return date(day.year, 1, 1)
    if unit == "month":
        return day.replace(day=1)
    if unit == "week":
        return day - timedelta(days=day.weekday())  # weeks start on Monday (ISO 8601)
    return day


def _end_of(unit: str, start: date) -> date:
    if unit == "year":
        return date(start.year, 12, 31)
    if unit == "month":
        return _next(unit, start) - timedelta(days=1)
    return start + timedelta(days=6 if unit == "week" else 0)


def _next(unit: str, start: date) -> date:
    if unit == "year":
        return date(start.year + 1, 1, 1)
    if unit == "month":
        return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
    return start + timedelta(days=7 if unit == "week" else 1)


def period_bounds(unit: str, first: date, last: date) -> list[tuple[date, date]]:
    """Return the first and last day of every period of a unit from the one holding first to the one holding last."""
    starts = [start_of(unit, first)]
    while _next(unit, starts[-1]) <= last:
        starts.append(_next(unit, starts[-1]))
    return [(start, _end_of(unit, start)) for start in starts]


def period_count(unit: str, first: date, last: date) -> int:
    """Return how many periods period_bounds would list, without listing them (a guard before a long range)."""
    low, high = start_of(unit, first), start_of(unit, last)
    if unit == "year":
        return high.year - low.year + 1
    if unit == "month":
        return (high.year - low.year) * 12 + high.month - low.month + 1
    return (high - low).days // (7 if unit == "week" else 1) + 1

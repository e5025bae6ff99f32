"""The trends chart as the server draws it (an SVG, no script): lines, the low periods shaded, axes, and its text.

Geometry only, in the SVG's own units; templates/trends/_chart.html writes the elements, escaping every text.
A share is not drawn in a low period (indexer.trends.is_low): the line breaks there rather than dropping to 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from indexer.timeline import Period
from indexer.trends import Trends

WIDTH, HEIGHT = 720, 330
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 14, 56
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
X_LABELS = 8  # period labels under the axis at most
Y_TICKS = 5  # steps up the axis at most
MARKED_PERIODS = 60  # a dot at every point up to this many periods (beyond, lines only, and dots where a run is one)
UNIT_TITLES = {"day": "Day", "week": "Week (Monday to Sunday)", "month": "Month", "year": "Year"}


@dataclass(frozen=True)
class Point:
    """A drawn value: where, and what it says (the tooltip)."""

    x: float
    y: float
    says: str


@dataclass(frozen=True)
class Line:
    """One query's line: its runs of points (broken at low periods when shares are drawn)."""

    number: int  # 1-based: the series' colour and dash (CSS classes series-N)
    query: str
    paths: tuple[str, ...]  # SVG path data, one per run of two or more points
    points: tuple[Point, ...]  # the dots drawn


@dataclass(frozen=True)
class Band:
    """A run of low periods, shaded."""

    x: float
    width: float
    says: str


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis."""

    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    """Everything the SVG draws, and its title and description for screen readers."""

    title: str
    description: str
    y_title: str
    x_title: str
    lines: tuple[Line, ...]
    bands: tuple[Band, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_width: int = PLOT_WIDTH
    plot_height: int = PLOT_HEIGHT


def counted(trends: Trends) -> str:
    """Return what is counted: "articles" or "stories"."""
    return trends.request.filters.count


def values(trends: Trends, index: int) -> list[float | None]:
    """Return what the chart draws of a query per period: its share in percent (None in a low period), or its count."""
    if trends.request.measure == "count":
        return [float(p.counts[index]) for p in trends.periods]
    return [None if p.low or share is None else 100 * share
            for p in trends.periods for share in (p.shares[index],)]


def format_value(value: float, measure: str) -> str:
    """Return a value as the chart and table write it: 12.5 % or 1,234."""
    if measure == "count":
        return f"{value:,.0f}"
    return f"{value:.1f} %" if value >= 1 or value == 0 else f"{value:.2g} %"


def build_chart(trends: Trends) -> Chart:
    """Return the chart of a comparison that has periods."""
    drawn = [values(trends, i) for i in range(len(trends.series))]
    top, step = axis_top(max((v for vs in drawn for v in vs if v is not None), default=0.0), trends.request.measure)
    slot = PLOT_WIDTH / len(trends.periods)
    lines = tuple(_line(trends, i, drawn[i], slot, top) for i in range(len(trends.series)))
    y_ticks = tuple(Tick(_y(k * step, top), _tick_label(k * step, trends.request.measure))
                    for k in range(round(top / step) + 1))
    every = math.ceil(len(trends.periods) / X_LABELS)
    x_ticks = tuple(Tick(round(LEFT + slot * (i + 0.5), 2), _x_label(p.period, first=i == 0))
                    for i, p in enumerate(trends.periods) if i % every == 0)
    what = counted(trends)
    y_title = f"Share of {what}" if trends.request.measure == "share" else what.capitalize()
    return Chart(title(trends), describe(trends, drawn), y_title, UNIT_TITLES[trends.unit or "day"], lines,
                 _bands(trends, slot), y_ticks, x_ticks)


def axis_top(highest: float, measure: str) -> tuple[float, float]:
    """Return the top of the value axis and its step: 1, 2, 2.5 or 5 times a power of ten, at most Y_TICKS steps."""
    if highest <= 0:
        return (1.0, 1.0) if measure == "count" else (10.0, 2.5)
    magnitude = 10 ** math.floor(math.log10(highest / Y_TICKS))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if measure == "count" and step < 1 or measure == "count" and step != int(step):
            continue
        if math.ceil(highest / step - 1e-9) <= Y_TICKS:
            return step * math.ceil(highest / step - 1e-9), step
    return highest, highest  # not reached: 10 × magnitude always fits


def title(trends: Trends) -> str:
    """Return the chart's title: what is drawn, of which queries, by which period, from when to when."""
    what = f"Share of {counted(trends)}" if trends.request.measure == "share" else f"Number of {counted(trends)}"
    queries = ", ".join(f"“{s.query}”" for s in trends.series)
    span = f"{trends.periods[0].period.label} to {trends.periods[-1].period.label}" if trends.periods else ""
    return f"{what} matching {queries}, by {trends.unit}, {span}"


def describe(trends: Trends, drawn: list[list[float | None]]) -> str:
    """Return the chart's description for screen readers: each line's highest point, and the low periods."""
    measure = trends.request.measure
    said = []
    for series, each in zip(trends.series, drawn, strict=True):
        shown = [(v, p) for v, p in zip(each, trends.periods, strict=True) if v is not None]
        if not shown or max(v for v, _ in shown) == 0:
            said.append(f"“{series.query}”: none")
            continue
        value, period = max(shown, key=lambda pair: pair[0])
        said.append(f"“{series.query}”: highest {format_value(value, measure)} in {period.period.label}")
    low = sum(p.low for p in trends.periods)
    if low:
        said.append(f"{low} of {len(trends.periods)} {trends.unit}s have little or no material in the archive and "
                    "are shaded" + ("; no share is drawn there" if measure == "share" else ""))
    return ". ".join(said) + ". Every number is in the table below the chart."


def _line(trends: Trends, index: int, drawn: list[float | None], slot: float, top: float) -> Line:
    series = trends.series[index]
    runs: list[list[Point]] = [[]]
    for i, (value, period) in enumerate(zip(drawn, trends.periods, strict=True)):
        if value is None:
            runs.append([])
            continue
        says = f"{series.query}, {period.period.label}: {format_value(value, trends.request.measure)}"
        if trends.request.measure == "share":
            says += f" ({period.counts[index]:,} of {period.total:,})"
        runs[-1].append(Point(round(LEFT + slot * (i + 0.5), 2), round(_y(value, top), 2), says))
    runs = [run for run in runs if run]
    paths = tuple("M" + " L".join(f"{p.x} {p.y}" for p in run) for run in runs if len(run) > 1)
    marked = len(trends.periods) <= MARKED_PERIODS
    points = tuple(p for run in runs for p in run if marked or len(run) == 1)
    return Line(index + 1, series.query, paths, points)


def _bands(trends: Trends, slot: float) -> tuple[Band, ...]:
    bands: list[Band] = []
    run: list[int] = []
    for i, period in enumerate([*trends.periods, None]):
        if period is not None and period.low:
            run.append(i)
            continue
        if run:
            first, last = trends.periods[run[0]].period, trends.periods[run[-1]].period
            span = first.label if first == last else f"{first.label} to {last.label}"
            bands.append(Band(round(LEFT + slot * run[0], 2), round(slot * len(run), 2),
                              f"{span}: little or no material in the archive"))
            run = []
    return tuple(bands)


def _y(value: float, top: float) -> float:
    return TOP + PLOT_HEIGHT * (1 - value / top)


def _tick_label(value: float, measure: str) -> str:
    return f"{value:,.0f}" if measure == "count" else f"{value:g} %"


def _x_label(period: Period, first: bool) -> str:
    """Return a period's label under the axis: 1987, Mar, 2 Mar; with its year on the first and at each January."""
    if period.unit == "year":
        return str(period.start.year)
    short = period.start.strftime("%b" if period.unit == "month" else "%-d %b")
    new_year = period.start.month == 1 and (period.unit == "month" or period.start.day <= 7)
    return f"{short} {period.start.year}" if first or new_year else short

"""Lenient parsing of the date strings news archives carry, kept as the wall-clock time they state."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from dateutil import parser as dateparser

# Dates before the first newspapers or far in the future are typos or junk, not news.
EARLIEST_YEAR = 1600
LATEST_YEAR = 2200
# dateutil fills missing parts from this, so "Jan 2020" becomes 2020-01-01 rather than borrowing today's day.
_DEFAULT = datetime(2000, 1, 1)
_JUNK = re.compile(r"&#\d+;|[\x00-\x08\x0b-\x1f]")
# Reuters: "26-FEB-1987 15:51:17.84", sometimes with odd spacing, junk after it, or an hour like "605".
_REUTERS = re.compile(r"(\d{1,2}-[A-Za-z]{3}-\d{4})\s+(\d+):(\d\d):(\d\d)")
_FOUR_DIGIT_YEAR = re.compile(r"\b\d{4}\b")
_YEAR_ZERO = re.compile(r"(?<![\d.:+-])0000(?![\d.:])")  # a year (not a zone, +0000); dateutil reads it as 2000
# ISO 8601 as JSON and feeds write it: 2020-01-22, 2020-01-22T16:07:00.123+01:00, 2020-01-22 16:07Z.
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:\d{2})?$")
MAX_DATE_LENGTH = 200  # dateutil takes minutes over megabytes of "date"


def parse_date(text: str | None) -> datetime | None:
    """Parse a date string; return None for an empty one and raise ValueError for one that cannot be a date.

    A zone offset, when given, is dropped: the article keeps the local date and time it ran at, so an evening
    story is not moved to the next day.
    """
    if text is None:
        return None
    if type(text) is str and _ISO.fullmatch(text) and not text.startswith("0000"):  # most dates in files
        return _iso(text)
    if len(str(text)) > MAX_DATE_LENGTH:
        raise ValueError(f"not a date: {len(str(text)):,} characters long")
    cleaned = " ".join(_JUNK.sub(" ", str(text)).split())
    if not cleaned:
        return None
    if _YEAR_ZERO.search(cleaned):
        raise ValueError(f"date out of range: {text!r}")
    reuters = _REUTERS.search(cleaned)
    if reuters:
        day, hour, minute, second = reuters.groups()
        hour = hour[-2:] if int(hour) > 23 else hour
        cleaned = f"{day} {hour}:{minute}:{second}"
    # "January 22, 2020 - 4:07 pm": the dash separates date and time.
    cleaned = re.sub(r"\s+[-–—|]\s+", " ", cleaned)
    try:
        value = _strict(cleaned, bool(reuters)) or dateparser.parse(cleaned, default=_DEFAULT, ignoretz=True)
    except (ValueError, OverflowError) as err:
        raise ValueError(f"not a date: {text!r}") from err
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if value.year > datetime.now().year + 1 and not _FOUR_DIGIT_YEAR.search(cleaned):
        value = value.replace(year=value.year - 100)  # a two-digit year: "01/04/63" is 1963 in an archive
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"date out of range: {text!r}")
    return value


def _strict(cleaned: str, reuters: bool) -> datetime | None:
    """Read the two forms most archives use without dateutil (a fiftieth of its time, the same datetime): Reuters'
    "26-FEB-1987 15:51:17" and ISO 8601 as JSON writes it; None for any other form."""
    if reuters:
        return datetime.strptime(cleaned, "%d-%b-%Y %H:%M:%S")
    if _ISO.match(cleaned):
        return _from_iso(cleaned)
    return None


def _iso(text: str) -> datetime:
    """Read a date that is ISO 8601 from end to end (its year not 0000) as parse_date would: its clean-up leaves
    such a text as it is, and the year is four digits (not a two-digit one to move back a century)."""
    try:
        value = _from_iso(text)
    except (ValueError, OverflowError) as err:  # a day or an hour that does not exist
        raise ValueError(f"not a date: {text!r}") from err
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"date out of range: {text!r}")
    return value


def _from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


_BOUND = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def parse_bound(text: str, end: bool = False) -> date:
    """Parse a date-range bound: YYYY, YYYY-MM or YYYY-MM-DD; an end bound takes the last day of a year or month."""
    match = _BOUND.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a date: month must be in 1..12")
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            if not end:
                return date(year, month, 1)
            following = date(year + month // 12, month % 12 + 1, 1)
            return following - timedelta(days=1)
        return date(year, month, day)
    except ValueError as err:
        raise ValueError(f"{text!r} is not a date: {err}") from err

"""The archive's time zone (NEWSARCHIVE_TIMEZONE): article times read in it, RFC 3339 stamps, and today's date.

Articles keep the wall-clock time they were printed with and no offset (indexer.dates drops any it was given), so
the archive says once, for all of them, which zone that clock was in. A feed must state an offset (RFC 4287 uses
RFC 3339 times), and writes the real one: `2020-10-02T00:00:00+02:00` for Europe/Berlin in summer, `+00:00` in UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app

from .settings import SettingError

_EXTENSION = "newsarchive_zone"


def init_app(app: Flask) -> None:
    """Read the TIMEZONE setting once, so a bad name stops the app at start-up rather than failing a request."""
    app.extensions[_EXTENSION] = archive_zone(str(app.config["TIMEZONE"]))


def archive_zone(name: str) -> ZoneInfo:
    """Return the zone an IANA name names, or raise SettingError saying what is wrong and what to set."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:
        # ValueError: not a relative key ("/etc/x", "../x", ""); OSError: a folder of zones ("Europe").
        raise SettingError(f"NEWSARCHIVE_TIMEZONE must be an IANA time zone name such as Europe/Berlin or UTC, "
                           f"not {name!r}") from err


def zone() -> ZoneInfo:
    """Return the archive's time zone."""
    found: ZoneInfo = current_app.extensions[_EXTENSION]
    return found


def now() -> datetime:
    """Return the current time in the archive's zone, to the second."""
    return datetime.now(zone()).replace(microsecond=0)


def today() -> date:
    """Return today's date in the archive's zone."""
    return now().date()


def stamp(value: datetime) -> str:
    """Return an RFC 3339 time with its real offset; a naive (printed) time is read in the archive's zone.

    The printed wall-clock time is kept and only the offset added, so a story keeps the day it ran on. Times in a
    daylight-saving gap or overlap take the offset in force before the change (PEP 495's fold=0).
    """
    local = value if value.tzinfo else value.replace(tzinfo=zone())
    return local.replace(tzinfo=None).isoformat(timespec="seconds") + _offset(local.utcoffset() or timedelta())


def _offset(offset: timedelta) -> str:
    # RFC 3339 offsets are hours and minutes. Local mean time before a zone's standard time (Europe/Berlin before
    # 1893: +00:53:28) has seconds too: they are dropped, which moves the instant by under a minute.
    seconds = int(offset.total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{'-' if seconds < 0 else '+'}{hours:02d}:{minutes:02d}"

"""parse_date: the date formats news archives carry, two-digit years, zones dropped, junk rejected."""

from __future__ import annotations

import re
import warnings
from datetime import datetime

import pytest

from indexer.dates import parse_date

from .conftest import REUTERS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26-FEB-1987 15:51:17.84", datetime(1987, 2, 26, 15, 51, 17)),
        (" 3-APR-1987 07:09:06.48", datetime(1987, 4, 3, 7, 9, 6)),
        ("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", datetime(1987, 3, 27, 0, 2, 59)),
        ("26-FEB-1987  605:12:33.12", datetime(1987, 2, 26, 5, 12, 33)),
        ("26-FEB-1987 \x03 15:51:17.84", datetime(1987, 2, 26, 15, 51, 17)),
        ("January 22, 2020 - 4:07 pm", datetime(2020, 1, 22, 16, 7)),
        ("January 22, 2020 – 4:07 PM", datetime(2020, 1, 22, 16, 7)),
        ("2020-01-22", datetime(2020, 1, 22)),
        ("2020-01-22 16:07:05", datetime(2020, 1, 22, 16, 7, 5)),
        ("22 Jan 2020", datetime(2020, 1, 22)),
        ("Jan 2020", datetime(2020, 1, 1)),
        ("20200122", datetime(2020, 1, 22)),
    ],
)
def test_formats(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2020-01-22T16:07:00+05:00", "2020-01-22T16:07:00Z", "Wed, 22 Jan 2020 16:07:00 -0500", "22 Jan 2020 16:07 GMT"],
)
def test_zone_is_dropped_keeping_the_wall_clock_time(text: str) -> None:
    value = parse_date(text)
    assert value == datetime(2020, 1, 22, 16, 7)
    assert value is not None and value.tzinfo is None


def test_unknown_zone_name_is_dropped_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as under pytest's filterwarnings = error, whatever the run's settings
        assert parse_date("2020-01-22 16:07 EST") == datetime(2020, 1, 22, 16, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/04/63", datetime(1963, 1, 4)),  # an archive's "63" is 1963, not 2063
        ("Jan 5, 87", datetime(1987, 1, 5)),
        ("01/04/20", datetime(2020, 1, 4)),
    ],
)
def test_two_digit_years(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [None, "", "   ", "\x03 &#5;"])
def test_empty_is_none(text: str | None) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a date", "not a date: 'not a date'"),
        ("2021-02-30", "not a date: '2021-02-30'"),
        ("2020-13-45", "not a date: '2020-13-45'"),
        ("1500-01-01", "date out of range: '1500-01-01'"),
        ("3000-01-01", "date out of range: '3000-01-01'"),
    ],
)
def test_junk_raises(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("text", ["01 Jan 0000", "0000-01-01", "Sat, 01 Jan 0000 10:00:00 +0000"])
def test_year_zero_is_out_of_range_not_2000(text: str) -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_date(text)


def test_a_zone_of_plus_0000_is_not_a_year() -> None:
    assert parse_date("Thu, 16 Mar 2023 21:40:00 +0000") == datetime(2023, 3, 16, 21, 40)
    assert parse_date("2023-03-16T21:40:00-0000") == datetime(2023, 3, 16, 21, 40)


def test_a_megabyte_of_date_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="not a date: 1,000,000 characters long"):
        parse_date("1" * 1_000_000)


STRICT_FORMS = ["2020-01-22", "2020-01-22T16:07:00Z", "2020-01-22T16:07:00.123+01:00", "2020-01-22 16:07",
                "1999-12-31T23:59:59-05:00", "2020-02-30", "26-FEB-1987 15:51:17.84", " 5-MAR-1987 605:12:01.00",
                "31-APR-1987 10:00:00.00"]


def read_by_dateutil_alone(text: str, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr("indexer.dates._strict", lambda cleaned, reuters: None)
        try:
            return parse_date(text)
        except ValueError:
            return "refused"


def read(text: str) -> object:
    try:
        return parse_date(text)
    except ValueError:
        return "refused"


@pytest.mark.parametrize("text", STRICT_FORMS)
def test_the_forms_read_without_dateutil_give_what_dateutil_gives(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert read(text) == read_by_dateutil_alone(text, monkeypatch)


@pytest.mark.skipif(not REUTERS.is_dir(), reason=f"Reuters-21578 not found at {REUTERS}")
def test_every_reuters_date_is_read_as_dateutil_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [m for path in sorted((REUTERS / "sgm-data").glob("*.sgm"))
             for m in re.findall(r"<DATE>(.*?)</DATE>", path.read_text(encoding="latin-1"))]
    assert len(texts) == 21_578
    assert [read(t) for t in texts] == [read_by_dateutil_alone(t, monkeypatch) for t in texts]

"""Coverage over time (/trends, /embed/trends, /api/trends, /trends.csv) on a corpus of known dates: each query's
share of the archive per period, low periods marked and the share line broken there, units, stories, filters, the
CSV equal to the API, helpful 400s, hostile queries escaped everywhere they appear, and no 500 from fuzzed input."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from indexer.backend import Batch, open_backend
from indexer.records import Article
from indexer.trends import LOW_MINIMUM, MAX_QUERIES, TrendRequest, build_trends, low_threshold
from webapp import create_app

from .fuzzing import fuzz_settings

MONTHS = ["Jan 2021", "Feb 2021", "Mar 2021", "Apr 2021", "May 2021"]
HOSTILE = '<script>alert("t")</script> "><svg onload=x>'


def _article(n: int, day: date, oil: bool, gas: bool, story: str | None = None) -> Article:
    body = "The council met to discuss the local budget." + (" Oil prices rose." if oil else "") + (
        " Gas supplies fell." if gas else "")
    return Article(f"t{n:03d}", f"Item {n}", body, date=datetime.combine(day, datetime.min.time()),
                   topic=("energy",) if oil or gas else ("civic",), source=("Gazette", "Courier")[n % 2],
                   story=story or f"sown{n:08d}")


def corpus() -> list[Article]:
    """42 articles: Jan 2021 10 (4 oil, 2 gas), Feb 20 (5 oil, 10 gas in two stories of five copies), none in March,
    Apr 2 (1 oil), May 10 (1 gas). Even-numbered articles of a month are the Gazette's, the others the Courier's."""
    found = []
    for i in range(10):
        found.append(_article(len(found), date(2021, 1, 4 + i), oil=i < 4, gas=i in (3, 4)))
    for i in range(20):
        story = ("sgasaaaaaaaa" if i < 15 else "sgasbbbbbbbb") if i >= 10 else None
        found.append(_article(len(found), date(2021, 2, 1 + i), oil=i < 5, gas=i >= 10, story=story))
    found.append(_article(len(found), date(2021, 4, 5), oil=True, gas=False))
    found.append(_article(len(found), date(2021, 4, 6), oil=False, gas=False))
    for i in range(10):
        found.append(_article(len(found), date(2021, 5, 3 + i), oil=False, gas=i == 0))
    return found


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("trends") / "index"
    backend = open_backend("whoosh", folder)
    backend.prepare()
    backend.commit(Batch(articles={a.id: (a, False) for a in corpus()}))
    backend.close()
    app = create_app({"INDEX": str(folder), "TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0})
    yield app
    app.extensions["newsarchive"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def api(client: FlaskClient, query: str) -> dict[str, Any]:
    response = client.get(f"/api/trends?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    return data


def html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def error(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 400, response.get_data(as_text=True)
    message: str = response.get_json()["error"]["message"]
    return message


# --- the numbers


def test_each_query_s_share_of_the_archive_per_month(client: FlaskClient) -> None:
    found = api(client, "q=oil&q=gas&unit=month")
    assert found["queries"] == ["oil", "gas"] and found["unit"] == "month" and found["count"] == "articles"
    periods = found["periods"]
    assert [p["label"] for p in periods] == MONTHS  # March is listed: the archive's gap shows as a gap
    assert [p["total"] for p in periods] == [10, 20, 0, 2, 10]
    assert [p["counts"] for p in periods] == [[4, 2], [5, 10], [0, 0], [1, 0], [0, 1]]
    assert [p["shares"] for p in periods] == [[0.4, 0.2], [0.25, 0.5], [None, None], [0.5, 0.0], [0.0, 0.1]]
    assert (periods[0]["start"], periods[0]["end"]) == ("2021-01-01", "2021-01-31")
    assert [s["total"] for s in found["series"]] == [10, 13]


def test_a_period_with_little_or_no_material_is_low(client: FlaskClient) -> None:
    found = api(client, "q=oil&unit=month")
    assert [p["low"] for p in found["periods"]] == [False, False, True, True, False]  # none in March, 2 in April
    assert found["low_below"] == LOW_MINIMUM


def test_low_is_also_relative_to_the_median_period() -> None:
    assert low_threshold([0, 100, 120, 8, 100]) == 10  # a tenth of the median of the periods holding any
    assert low_threshold([3, 4]) == LOW_MINIMUM and low_threshold([]) == LOW_MINIMUM
    days = [(date(2021, 1, d), n) for d, n in ((4, 100), (5, 120), (6, 8), (7, 100))]
    trends = build_trends(TrendRequest(("x",), unit="day"), days, [[(date(2021, 1, 6), 8)]], ())
    assert [p.low for p in trends.periods] == [False, False, True, False]
    assert trends.periods[2].shares == (1.0,)  # the number is kept; the chart does not draw it


def test_the_automatic_unit_is_longer_where_periods_are_thin_but_not_where_the_archive_has_gaps() -> None:
    def unit(days: list[tuple[date, int]]) -> str | None:
        return build_trends(TrendRequest(("x",)), days, [days], ()).unit

    assert unit([(date(2021, 1, 4) + timedelta(days=n), 100) for n in range(10)]) == "day"  # the timeline's
    assert unit([(date(2021 + n // 12, n % 12 + 1, 15), 2) for n in range(24)]) == "year"  # 2 a month: too thin
    assert unit([(date(2021, 1, 15), 100), (date(2022, 12, 15), 100)]) == "month"  # 22 empty months: a gap


def test_the_unit_is_chosen_from_the_span_unless_given(client: FlaskClient) -> None:
    # 4 Jan to 12 May 2021 is 129 days: weeks, as on the timeline (3 of the 8 weeks holding any article are low; the
    # 10 empty weeks are gaps, which no longer unit fills). 1 to 21 February: days, but each holds one article (all
    # low), so weeks.
    weeks = api(client, "q=oil")
    assert weeks["unit"] == "week"
    assert api(client, "q=oil&from=2021-02-01&to=2021-02-21")["unit"] == "week"
    assert api(client, "q=oil&from=2021-02-01&to=2021-02-21&unit=day")["unit"] == "day"  # as asked, however thin
    starts = [date.fromisoformat(p["start"]) for p in weeks["periods"]]
    assert starts[0] == date(2021, 1, 4) and all(d.weekday() == 0 for d in starts)
    assert all(b - a == timedelta(days=7) for a, b in zip(starts, starts[1:], strict=False))
    assert sum(p["total"] for p in weeks["periods"]) == 42 and sum(p["counts"][0] for p in weeks["periods"]) == 10
    year = api(client, "q=oil&unit=year")
    assert [(p["label"], p["total"], p["counts"]) for p in year["periods"]] == [("2021", 42, [10])]
    days = api(client, "q=oil&unit=day&from=2021-01-01&to=2021-01-31")
    assert len(days["periods"]) == 31 and days["periods"][0]["total"] == 0  # the dates asked for, shown whole
    assert sum(p["counts"][0] for p in days["periods"]) == 4 and days["periods"][3]["label"] == "Mon 4 Jan 2021"


def test_counting_stories_counts_each_story_once(client: FlaskClient) -> None:
    found = api(client, "q=gas&unit=month&count=stories")
    assert found["count"] == "stories"
    feb = found["periods"][1]
    assert (feb["total"], feb["counts"], feb["shares"]) == (12, [2], [0.166667])  # 10 copies are 2 stories
    assert found["series"][0] == {"query": "gas", "total": 13, "stories": 5, "suggestion": None}


def test_the_filters_are_shared_and_a_query_may_scope_itself(client: FlaskClient) -> None:
    energy = api(client, "q=oil&unit=month&topic=energy")
    assert energy["filters"] == {"topic": ["energy"]}
    assert [p["total"] for p in energy["periods"][:2]] == [5, 15] and energy["periods"][0]["shares"] == [0.8]
    scoped = api(client, "q=oil+source:gazette&q=oil&unit=month")
    assert [p["counts"] for p in scoped["periods"][:2]] == [[2, 4], [3, 5]]  # the denominator stays the archive's
    ranged = api(client, "q=oil&from=2021-02&to=2021-04&unit=week")  # the whole range: Monday 1 Feb to 26 Apr
    assert len(ranged["periods"]) == 13
    assert ranged["periods"][0]["start"] == "2021-02-01" and ranged["periods"][-1]["start"] == "2021-04-26"
    assert sum(p["total"] for p in ranged["periods"]) == 22  # February's and April's


def test_nothing_dated_to_chart_is_no_periods_not_an_error(client: FlaskClient) -> None:
    found = api(client, "q=oil&from=2030-01-01")
    assert found["periods"] == [] and found["unit"] is None and found["series"][0]["total"] == 0
    assert "nothing to chart" in html(client, "/trends?q=oil&from=2030-01-01")


def test_a_query_that_finds_nothing_offers_its_correction(client: FlaskClient) -> None:
    found = api(client, "q=oill&q=gas&unit=month")
    assert found["series"][0]["total"] == 0 and found["series"][0]["suggestion"] == "oil"
    page = html(client, "/trends?q=oill&q=gas&unit=month")
    assert 'Did you mean <a href="/trends?q=oil&amp;q=gas&amp;unit=month">oil</a>?' in page


# --- the CSV


def test_the_csv_holds_the_api_s_numbers(client: FlaskClient) -> None:
    response = client.get("/trends.csv?q=oil&q=gas&unit=month&count=stories")
    assert response.status_code == 200 and response.content_type == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r"attachment; filename=newsarchive-trends-oil-vs-gas-\d{4}-\d{2}-\d{2}\.csv", disposition)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["start", "end", "period", "all stories", "low", "oil: stories", "oil: share", "gas: stories",
                       "gas: share", "index_fingerprint"]
    found = api(client, "q=oil&q=gas&unit=month&count=stories")
    assert len(rows) == 1 + len(found["periods"])
    assert response.headers["Newsarchive-Index"].startswith(f"digest={found['index']['digest']};")
    for row, period in zip(rows[1:], found["periods"], strict=True):
        assert row[:5] == [period["start"], period["end"], period["label"], str(period["total"]),
                           "yes" if period["low"] else "no"]
        assert [int(n) for n in row[5:-1:2]] == period["counts"]
        assert [float(s) if s else None for s in row[6:-1:2]] == period["shares"]
        assert row[-1] == found["index"]["digest"]


def test_the_csv_keeps_queries_from_running_as_formulas(client: FlaskClient) -> None:
    response = client.get("/trends.csv?q=%3Doil&q=%2Bgas&q=-oil+gas&unit=year")
    header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[5:] == ["'=oil: articles", "'=oil: share", "'+gas: articles", "'+gas: share",
                          "'-oil gas: articles", "'-oil gas: share", "index_fingerprint"]


# --- bad requests


@pytest.mark.parametrize(("query", "says"), [
    ("&".join(["q=oil"] * (MAX_QUERIES + 1)), f"too many queries (9): compare at most {MAX_QUERIES} at once"),
    ("q=oil&unit=hour", "unknown unit 'hour': choose one of day, week, month, year"),
    ("q=oil&measure=ratio", "unknown measure 'ratio': choose one of share, count"),
    ("q=oil&unit=day&unit=week", "unit was given 2 times: give it once"),
    ("q=oil&count=copies", "unknown count 'copies'"),
    ("q=oil&q=date:junk", "query 2 (date:junk): date:junk is not a date or a date range"),
    ("q=oil&q=foo:bar", "query 2 (foo:bar): unknown field 'foo'"),
    ("", "give at least one query to chart"),
    ("q=+&q=", "give at least one query to chart"),  # the page redirects it to its empty form
    ("q=oil&unit=day&from=1900-01-01", "more than a chart shows (at most 1,000): choose a longer unit"),
    ("q=oil&from=2021-05-01&to=2021-01-01", "the date range is empty"),
    ("q=oil&from=2021-13", "from: '2021-13' is not a date"),
])
def test_a_bad_request_is_a_400_that_says_what_to_change(client: FlaskClient, query: str, says: str) -> None:
    assert says in error(client, f"/api/trends?{query}")
    if query.strip("q=+&"):
        assert says.replace("'", "&#39;") in html(client, f"/trends?{query}", status=400)


def test_the_page_after_a_bad_query_keeps_the_queries_as_typed(client: FlaskClient) -> None:
    page = html(client, "/trends?q=oil&q=date:junk", status=400)
    assert 'class="error-message" role="alert">query 2 (date:junk)' in page
    assert 'value="oil"' in page and 'value="date:junk"' in page  # to correct, not to retype
    assert "<svg class=\"trend-svg\"" not in page
    framed = html(client, "/embed/trends?q=date:junk", status=400)
    assert 'role="alert">query 1 (date:junk)' in framed and 'target="_self"' in framed  # corrected in the frame


# --- the page, the frame, the links


def test_the_page_draws_the_chart_on_the_server(client: FlaskClient) -> None:
    page = html(client, "/trends?q=oil&q=gas&unit=month")
    assert '<svg class="trend-svg" viewBox="0 0 720 330" role="img"' in page
    assert 'aria-labelledby="trend-svg-title" aria-describedby="trend-svg-desc"' in page
    title = "Share of articles matching “oil”, “gas”, by month, Jan 2021 to May 2021"
    assert f'<title id="trend-svg-title">{title}</title>' in page and f'<figcaption id="trend-caption">{title}' in page
    desc = re.search(r'<desc id="trend-svg-desc">(.*?)</desc>', page, re.S)
    assert desc and "“oil”: highest 40.0 % in Jan 2021" in desc[1] and "“gas”: highest 50.0 % in Feb 2021" in desc[1]
    assert "2 of 5 months have little or no material in the archive and are shaded" in desc[1]
    # One shaded band for March and April; oil's line breaks there: Jan-Feb drawn as a line, May as a lone dot.
    assert page.count('<rect class="low-band" fill="url(#trend-hatch)" x=') == 1
    assert "<title>Mar 2021 to Apr 2021: little or no material in the archive</title>" in page
    oil = page.split('<g class="series series-1">', 1)[1].split("</g>", 1)[0]
    assert oil.count("<path ") == 1 and oil.count("<circle ") == 3
    assert "<title>oil, Feb 2021: 25.0 % (5 of 20)</title>" in oil
    assert "fewer than\n    5 articles" in page  # the rule, said under the chart


def test_raw_counts_are_drawn_on_the_switch_without_a_break(client: FlaskClient) -> None:
    page = html(client, "/trends?q=oil&q=gas&unit=month&measure=count")
    oil = page.split('<g class="series series-1">', 1)[1].split("</g>", 1)[0]
    assert oil.count("<path ") == 1 and oil.count("<circle ") == 5  # a count of 0 is a count
    assert "Number of articles matching" in page and 'aria-current="true">Count</a>' in page
    assert '<text class="axis-title" transform="rotate(-90)"' in page and ">Articles</text>" in page


def test_the_numbers_are_also_a_table(client: FlaskClient) -> None:
    page = html(client, "/trends?q=oil&q=gas&unit=month")
    table = page.split('<details class="trend-table">', 1)[1].split("</details>", 1)[0]
    assert '<th scope="col">oil</th><th scope="col">gas</th>' in table
    assert "<td>5 <span class=\"share\">(25.0 %)</span></td>" in table
    assert 'Mar 2021 <span class="low-note">(little material)</span>' in table


def test_the_form_adds_a_query_without_a_script(client: FlaskClient) -> None:
    landing = html(client, "/trends")
    assert landing.count('name="q" type="search"') == 2 and "trend-svg" not in landing
    page = html(client, "/trends?q=oil&q=gas&topic=energy&count=stories")
    assert page.count('name="q" type="search"') == 3 and 'id="tq3" name="q" type="search" value=""' in page
    assert '<input type="hidden" name="topic" value="energy">' in page  # carried along, unseen
    assert '<input type="hidden" name="count" value="stories">' in page
    assert 'href="/trends?q=gas&amp;topic=energy&amp;count=stories">Remove' in page
    full = html(client, "/trends?" + "&".join(f"q=w{n}" for n in range(MAX_QUERIES)))
    assert full.count('name="q" type="search"') == MAX_QUERIES  # no box beyond the limit


def test_empty_boxes_and_defaults_leave_the_url(client: FlaskClient) -> None:
    response = client.get("/trends?q=oil&q=&q=gas&from=&to=&measure=share&count=articles&unit=")
    assert response.status_code == 302 and response.headers["Location"] == "/trends?q=oil&q=gas"
    framed = client.get("/embed/trends?q=oil&q=")
    assert framed.status_code == 302 and framed.headers["Location"] == "/embed/trends?q=oil"


def test_the_switches_are_links_that_keep_the_rest(client: FlaskClient) -> None:
    page = html(client, "/trends?q=oil&unit=month")
    assert 'href="/trends?q=oil&amp;unit=month&amp;measure=count"' in page
    assert 'href="/trends?q=oil&amp;unit=month&amp;count=stories"' in page
    assert 'href="/trends?q=oil"' in page and 'aria-current="true">Month</a>' in page
    assert 'href="/trends.csv?q=oil&amp;unit=month" download>CSV</a>' in page
    assert 'href="/api/trends?q=oil&amp;unit=month">JSON</a>' in page


def test_the_frame_may_be_framed_and_the_page_may_not(client: FlaskClient) -> None:
    framed = client.get("/embed/trends?q=oil&q=gas")
    assert framed.status_code == 200 and "X-Frame-Options" not in framed.headers
    assert "frame-ancestors *" in framed.headers["Content-Security-Policy"]
    body = framed.get_data(as_text=True)
    assert 'class="site-header"' not in body and '<base target="_blank">' in body and "trend-svg" in body
    assert 'href="/trends?q=oil&amp;q=gas" rel="noopener">Open on newsarchive</a>' in body
    assert "embed-frame.js" in body and 'target="_self"' in body  # the switches stay in the frame
    page = client.get("/trends?q=oil")
    assert page.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page.headers[
        "Content-Security-Policy"]


def test_the_search_page_links_the_trend_of_its_search(client: FlaskClient) -> None:
    page = html(client, "/?q=oil&topic=energy&sort=newest")
    assert '<a href="/trends?q=oil&amp;topic=energy">Trend of this search</a>' in page
    assert "Trend of this search" not in html(client, "/")
    trend = html(client, "/trends?q=oil&topic=energy")
    assert 'href="/?q=oil&amp;topic=energy">oil</a>' in trend  # and back: the legend links each query's results


def test_hostile_queries_are_escaped_wherever_they_appear(client: FlaskClient) -> None:
    query = f"q={HOSTILE}&q=oil&unit=month"
    for url in (f"/trends?{query}", f"/embed/trends?{query}", f"/trends?{query}&measure=count"):
        page = html(client, url)
        assert "<script>alert" not in page and "<svg onload" not in page
        escaped = "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &#34;&gt;&lt;svg onload=x&gt;"
        assert page.count(escaped) >= 4  # legend, table, title, description
        assert "<title>Coverage of &lt;script&gt;" in page or "embed" in url
    assert api(client, query)["queries"][0] == HOSTILE  # JSON carries the text as it is


def test_the_openapi_document_describes_the_trends(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    operation = doc["paths"]["/api/trends"]["get"]
    names = [p["name"] for p in operation["parameters"]]
    assert names[:3] == ["q", "unit", "measure"]
    assert set(names[3:]) == {"topic", "author", "source", "year", "month", "from", "to", "match", "count", "story"}
    assert operation["parameters"][0]["schema"]["maxItems"] == MAX_QUERIES
    assert set(operation["responses"]) == {"200", "400", "429", "503"}


# --- fuzzed parameters: never a 500

VALUES = st.one_of(st.sampled_from(["oil", "gas", "", " ", "*", "date:junk", "foo:bar", "(((", '"unclosed', "NOT",
                                    "day", "week", "month", "year", "share", "count", "stories", "articles", "any",
                                    "2021", "2021-02", "2021-13", "0001-01-01", "9999-12-31", "1600", "2200-12",
                                    HOSTILE, "\x00", "\ufffe", "%", "=1+1", "a" * 1200]),
                   st.text(max_size=20))
NAMES = st.sampled_from(["q", "q", "q", "unit", "measure", "count", "from", "to", "topic", "match", "story", "sort",
                         "page", "year", "month", "x"])


@fuzz_settings
@given(route=st.sampled_from(["/trends", "/embed/trends", "/api/trends", "/trends.csv"]),
       params=st.lists(st.tuples(NAMES, VALUES), max_size=12))
def test_fuzzed_parameters_never_make_a_server_error(app: Flask, route: str, params: list[tuple[str, str]]) -> None:
    response = app.test_client().get(route, query_string=params)
    assert response.status_code in (200, 302, 400), (route, params, response.get_data(as_text=True)[:500])
    if response.status_code == 400 and route.startswith("/api/"):
        assert response.get_json()["error"]["message"]
    if response.mimetype == "text/html":
        assert "<script>alert" not in response.get_data(as_text=True)

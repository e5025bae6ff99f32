"""Coverage over time in a real browser: two queries compared by share (with JavaScript and without), a query added
and removed without a script, the switches, the chart framed by another site, and the CSV downloaded."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import Site
from .test_search_flow import WORD, Corpus, matching

OTHER = "grain"
CAPTION = f"Share of articles matching “{WORD}”, “{OTHER}”, by year, 2019 to 2022"
FILE_NAME = re.compile(rf"newsarchive-trends-{WORD}-vs-{OTHER}-\d{{4}}-\d{{2}}-\d{{2}}\.csv")


def by_year(articles: Corpus) -> Counter[str]:
    """Return how many of the articles ran in each year (the undated left out, as the chart leaves them)."""
    return Counter(str(a["date"])[:4] for a in articles if a.get("date"))


def word_shares(corpus: Corpus) -> dict[str, tuple[int, float]]:
    """Return WORD's count and share (in percent) of the archive in each year, from the corpus."""
    archive, found = by_year(corpus), by_year(matching(corpus, WORD))
    return {year: (found[year], 100 * found[year] / total) for year, total in sorted(archive.items())}


def compare(page: Page, *queries: str) -> None:
    """Write the queries in the form's boxes, first to last, and compare."""
    form = page.get_by_role("search", name="Compare queries")
    for number, query in enumerate(queries, 1):
        form.get_by_role("searchbox", name=f"Query {number}").fill(query)
    form.get_by_role("button", name="Compare").click()


def legend(page: Page) -> list[str]:
    """Return the queries the legend names, in order."""
    return page.locator(".trend-legend a").all_inner_texts()


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_two_queries_are_compared_by_share(open_page: Callable[..., Page], corpus: Corpus, script: bool) -> None:
    page = open_page(java_script_enabled=script)
    page.goto("/trends")
    expect(page.get_by_role("img")).to_have_count(0)  # nothing to chart yet: two empty boxes
    compare(page, WORD, OTHER)
    expect(page).to_have_url(re.compile(rf"/trends\?q={WORD}&q={OTHER}$"))  # the empty box left the URL
    chart = page.get_by_role("img", name=CAPTION)
    expect(chart).to_be_visible()
    year, (_, share) = max(word_shares(corpus).items(), key=lambda item: item[1][1])
    expect(chart).to_have_accessible_description(re.compile(rf"“{WORD}”: highest {share:.1f} % in {year}\."))
    assert legend(page) == [WORD, OTHER]
    expect(page.locator(".trend-svg .series-1 circle")).to_have_count(4)  # a point a year, none low
    expect(page.locator(".low-band")).to_have_count(0)

    page.get_by_text("The numbers as a table").click()
    table = page.get_by_role("table")
    for year, (count, share) in word_shares(corpus).items():
        row = table.get_by_role("row", name=re.compile(f"^{year} "))
        expect(row.get_by_role("cell").nth(1)).to_have_text(f"{count} ({share:.1f} %)")


def test_a_query_is_added_and_removed_without_a_script(open_page: Callable[..., Page]) -> None:
    page = open_page(java_script_enabled=False)
    page.goto(f"/trends?q={WORD}&q={OTHER}")
    third = page.get_by_role("searchbox", name="Query 3")
    expect(third).to_have_value("")
    third.fill("comet")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("img", name=re.compile("“comet”, by year"))).to_be_visible()
    assert legend(page) == [WORD, OTHER, "comet"]
    expect(page.get_by_role("searchbox", name="Query 4")).to_have_value("")

    page.get_by_role("link", name="Remove query 2").click()
    expect(page).to_have_url(re.compile(rf"/trends\?q={WORD}&q=comet$"))
    assert legend(page) == [WORD, "comet"]


def test_the_switches_redraw_the_chart(page: Page, corpus: Corpus) -> None:
    page.goto(f"/trends?q={WORD}&q={OTHER}")
    page.get_by_role("navigation", name="Show").get_by_role("link", name="Count").click()
    expect(page.get_by_role("img", name=re.compile(f"^Number of articles matching “{WORD}”"))).to_be_visible()
    expect(page.get_by_role("navigation", name="Show").get_by_role("link", name="Count")).to_have_attribute(
        "aria-current", "true")
    page.get_by_role("navigation", name="Period").get_by_role("link", name="Month").click()
    expect(page.get_by_role("img", name=re.compile(r", by month, [A-Z][a-z]{2} 2019 to [A-Z][a-z]{2} 2022$"))
           ).to_be_visible()
    expect(page.locator(".low-band").first).to_be_attached()  # months without an article are shaded
    expect(page.get_by_text("Little or no material in the archive", exact=True)).to_be_visible()
    assert page.url.endswith(f"/trends?q={WORD}&q={OTHER}&measure=count&unit=month")


def test_the_chart_works_in_a_frame_on_another_site(page: Page, site: Site) -> None:
    host = site.trends_page(f"q={WORD}&q={OTHER}")
    page.goto(host)
    frame = page.frame_locator('iframe[title="Coverage over time"]')
    expect(frame.get_by_role("img", name=CAPTION)).to_be_visible()
    frame.get_by_role("navigation", name="Show").get_by_role("link", name="Count").click()
    expect(frame.get_by_role("img", name=re.compile(f"^Number of articles matching “{WORD}”"))).to_be_visible()
    assert page.url == host and len(page.context.pages) == 1  # switched in the frame, no new tab

    with page.expect_download() as downloaded:
        frame.get_by_role("link", name="CSV").click()
    assert FILE_NAME.fullmatch(downloaded.value.suggested_filename)

    with page.context.expect_page() as opened:
        frame.get_by_role("link", name="Open on newsarchive").click()
    tab = opened.value
    expect(tab).to_have_url(f"{site.app}/trends?q={WORD}&q={OTHER}&measure=count")
    expect(tab.get_by_role("img", name=re.compile(f"^Number of articles matching “{WORD}”"))).to_be_visible()
    assert page.url == host


def test_the_csv_downloads_with_the_api_s_numbers(page: Page) -> None:
    page.goto(f"/trends?q={WORD}&q={OTHER}")
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="CSV").click()
    download = downloaded.value
    assert FILE_NAME.fullmatch(download.suggested_filename)
    data = download.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    found: dict[str, Any] = page.request.get(f"/api/trends?q={WORD}&q={OTHER}").json()
    assert [row["period"] for row in rows] == [p["label"] for p in found["periods"]] == ["2019", "2020", "2021", "2022"]
    for row, period in zip(rows, found["periods"], strict=True):
        assert int(row["all articles"]) == period["total"]
        assert [int(row[f"{WORD}: articles"]), int(row[f"{OTHER}: articles"])] == period["counts"]
        assert [float(row[f"{WORD}: share"]), float(row[f"{OTHER}: share"])] == period["shares"]


def test_the_search_page_leads_to_the_trend_of_its_search(page: Page) -> None:
    page.goto(f"/?q={WORD}")
    page.get_by_role("link", name="Trend of this search").click()
    expect(page.get_by_role("img", name=f"Share of articles matching “{WORD}”, by year, 2019 to 2022")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Query 1")).to_have_value(WORD)

"""The search page by keyboard, on a phone, through its timeline, and with tips from the archive it serves."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from bench.load import Server
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths

from .test_search_flow import WORD, Corpus, chips, facet, headlines, matching, summary

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
DEMO = Path(__file__).resolve().parents[2] / "demo"


def first_result(page: Page) -> Locator:
    """The headline link of the first result."""
    return page.locator(".results .hit-headline a").first


def focused(page: Page) -> str:
    """Return a description of the focused element: its tag, name or value, and text."""
    return str(page.evaluate(
        "() => { const e = document.activeElement;"
        " return [e.tagName, e.name || e.id || '', e.value || '', e.textContent.trim().slice(0, 60)].join('|'); }"))


def timeline(page: Page) -> Locator:
    """The timeline figure."""
    return page.get_by_role("figure", name=re.compile(r"^Matching articles by "))


def bar_links(page: Page) -> Locator:
    """The timeline's bars that link to their period (the table's links excluded)."""
    return timeline(page).locator(".bars a")


# Item 6: keyboard.

def test_the_first_result_is_two_tabs_away_and_only_the_home_page_autofocuses(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("combobox", name="Search articles")).to_be_focused()  # type straight away

    page.goto(f"/?q={WORD}&topic=agriculture&from=2019-01-01")  # chips, a timeline and filters before the results
    expect(page.get_by_role("combobox", name="Search articles")).not_to_be_focused()
    presses = 1
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    while not first_result(page).evaluate("el => el === document.activeElement"):
        presses += 1
        assert presses <= 5, f"the first result is more than 5 Tab presses away; focus is on {focused(page)}"
        page.keyboard.press("Tab")
    assert presses == 2


def test_after_a_filter_reloads_the_page_focus_returns_to_the_control_used(page: Page, corpus: Corpus) -> None:
    page.goto(f"/?q={WORD}")
    box = facet(page, "Topic", "business")
    box.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"topic=business"))
    expect(facet(page, "Topic", "business")).to_be_checked()
    expect(facet(page, "Topic", "business")).to_be_focused()  # not the top of the page

    newest = page.get_by_role("navigation", name="Sort by").get_by_role("link", name="Newest first")
    newest.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=newest"))
    expect(newest).to_be_focused()
    expect(newest).to_have_attribute("aria-current", "true")

    date_from = page.get_by_label("From", exact=True)
    date_from.focus()
    page.keyboard.type("01012020")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"from=2020-01-01"))
    expect(page.get_by_label("From", exact=True)).to_be_focused()

    # A chip goes away when used: focus goes to the results heading, not to the top of the page.
    chips(page).filter(has_text="Topic: business").focus()
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"topic="))
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(summary(page)).to_contain_text(f"{len([a for a in matching(corpus, WORD) if a['date'] >= '2020'])} art")


def test_arrow_keys_on_the_sort_order_do_not_run_a_search(page: Page) -> None:
    page.goto(f"/?q={WORD}")
    start = page.url
    sort = page.get_by_role("navigation", name="Sort by")
    expect(sort.get_by_role("link", name="Relevance")).to_have_attribute("aria-current", "true")
    sort.get_by_role("link", name="Relevance").focus()
    for key in ("ArrowDown", "ArrowRight", "ArrowUp"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert page.url == start  # links, not a radio group that submits on every arrow


# Item 8: mobile.

def test_on_a_phone_the_results_come_first_and_the_filters_open_on_demand(open_page: Callable[..., Page],
                                                                         corpus: Corpus) -> None:
    for scripts in (True, False):
        page = open_page(viewport=PHONE, java_script_enabled=scripts)
        page.goto(f"/?q={WORD}")
        expect(summary(page)).to_be_in_viewport()
        expect(first_result(page)).to_be_in_viewport()  # the first result is above the fold
        toggle = page.get_by_text("Filters", exact=True)
        expect(toggle).to_be_in_viewport()
        expect(facet(page, "Topic", "business")).to_be_hidden()
        toggle.click()
        expect(facet(page, "Topic", "business")).to_be_visible()
        facet(page, "Topic", "business").click()  # a click, not check(): with scripts it reloads the page at once
        if not scripts:
            page.get_by_role("button", name="Apply filters").click()
        expect(chips(page)).to_have_text(["Topic: business ×"])
        expect(summary(page)).to_contain_text(f"{len(matching(corpus, WORD, topic=['business']))} articles")
        expect(first_result(page)).to_be_in_viewport()  # the filters closed again: the new results show


def test_on_a_laptop_the_filters_stand_open_beside_the_results(open_page: Callable[..., Page]) -> None:
    page = open_page(viewport=LAPTOP)
    page.goto(f"/?q={WORD}")
    expect(facet(page, "Topic", "business")).to_be_visible()
    results, filters = (page.locator(s).bounding_box() for s in (".results", "#filters"))
    assert results and filters and filters["x"] + filters["width"] <= results["x"]  # side by side


# Item 7: timeline.

def test_the_timeline_has_an_axis_counts_readable_labels_and_links_only_where_articles_ran(
        open_page: Callable[..., Page], corpus: Corpus) -> None:
    months = Counter(a["date"][:7] for a in matching(corpus, WORD))
    for viewport in (LAPTOP, PHONE):
        page = open_page(viewport=viewport)
        page.goto(f"/?q={WORD}")
        figure = timeline(page)
        expect(figure).to_contain_text("Matching articles by month, Jul 2019 to Oct 2022")
        expect(figure.locator(".axis")).to_contain_text("Articles")
        expect(figure.locator(".axis .tick")).not_to_have_count(0)
        expect(figure.locator(".bars li")).to_have_count(40)  # Jul 2019 to Oct 2022, empty months included
        expect(bar_links(page)).to_have_count(len(months))  # no link to an empty month
        sep = figure.get_by_role("link", name=re.compile(r"^Sep 2020: "))
        expect(sep.first).to_have_attribute("aria-label", f"Sep 2020: {months['2020-09']} articles")
        sizes = figure.locator(".tick-label, .axis").evaluate_all(
            "els => els.filter(e => e.textContent.trim() && e.checkVisibility({visibilityProperty: true}))"
            ".map(e => parseFloat(getComputedStyle(e).fontSize))")
        assert sizes and min(sizes) >= 12, sizes  # readable on a phone too (it was 9 px, and 6 px on a phone)
        labels = figure.locator(".tick-label").evaluate_all(
            "els => els.filter(e => e.checkVisibility({visibilityProperty: true})).map(e => e.textContent.trim())"
            ".filter(Boolean)")
        assert "Jul" in labels[0] and len(labels) >= 4

        table = figure.locator("details.timeline-table")
        table.locator("summary").click()
        rows = table.locator("tbody tr")
        expect(rows).to_have_count(40)
        expect(rows.filter(has_text="Sep 2020")).to_contain_text(str(months["2020-09"]))
        expect(rows.filter(has_text="Aug 2019").get_by_role("link")).to_have_count(0)  # empty: text, no link

        first = bar_links(page).first
        first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # reached by keyboard, so :focus-visible applies
        expect(first).to_be_focused()
        outline = first.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline != "none"  # focus shows


def test_a_month_drills_down_to_its_days_and_a_year_to_its_months(page: Page, corpus: Corpus) -> None:
    in_month = [a for a in matching(corpus, WORD) if a["date"].startswith("2020-09")]
    page.goto(f"/?q={WORD}")
    timeline(page).locator(".bars").get_by_role("link", name=re.compile(r"^Sep 2020: ")).click()
    expect(chips(page)).to_have_text(["From 2020-09-01 ×", "To 2020-09-30 ×"])
    figure = timeline(page)
    expect(figure).to_contain_text("Matching articles by day, Tue 1 Sep 2020 to Wed 30 Sep 2020")
    expect(figure.locator(".bars li")).to_have_count(30)  # every day of the month, not one full-width bar
    expect(bar_links(page)).to_have_count(len({a["date"] for a in in_month}))
    day = in_month[0]["date"]
    page.locator(f'.bars a[data-focus-key="period-{day}"]').click()
    expect(chips(page)).to_have_text([f"From {day} ×", f"To {day} ×"])
    assert sorted(headlines(page)) == sorted(a["title"] for a in in_month if a["date"] == day)

    page.goto(f"/?q={WORD}&from=2021-01-01&to=2021-12-31")
    expect(timeline(page)).to_contain_text("Matching articles by month, Jan 2021 to Dec 2021")
    expect(timeline(page).locator(".bars li")).to_have_count(12)

    page.goto(f"/?q={WORD}&from=2020-09-01&to=2020-09-30")
    timeline(page).get_by_role("link", name="Zoom out").click()
    expect(chips(page)).to_have_text(["From 2020-01-01 ×", "To 2020-12-31 ×"])


def test_a_few_weeks_show_as_weeks(page: Page, corpus: Corpus) -> None:
    page.goto(f"/?q={WORD}&from=2020-08-01&to=2020-10-31")
    figure = timeline(page)
    expect(figure).to_contain_text("Matching articles by week")
    weeks = {a["date"] for a in matching(corpus, WORD) if "2020-08-01" <= a["date"] <= "2020-10-31"}
    expect(bar_links(page)).not_to_have_count(0)
    assert bar_links(page).count() <= len(weeks)


# Item 10: tips from the archive served, and a home page whose title and sort agree.

@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled demo articles, indexed and served by `newsarchive serve`."""
    folder = tmp_path_factory.mktemp("demo") / "index"
    report = index_paths([DEMO], open_backend(folder=folder), IndexOptions(procs=1))
    assert report.added > 50, report
    server = Server(folder, threads=2, settings={"RATE_LIMIT": "0"})
    try:
        server.wait_ready()
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def test_every_search_tip_finds_articles_in_the_archive_served(page: Page, demo_site: str) -> None:
    page.goto(demo_site + "/")
    page.get_by_text("Search tips").click()
    tips = page.locator("#syntax-help li a")
    expect(tips).not_to_have_count(0)
    examples = tips.all_inner_texts()
    assert len(examples) >= 8, examples
    assert not {"opec", "earn", "reuters"} & set(re.findall(r"\w+", " ".join(examples).lower()))  # not Reuters'
    hrefs = [tips.nth(i).get_attribute("href") or "" for i in range(tips.count())]
    for example, href in zip(examples, hrefs, strict=True):
        page.goto(demo_site + href)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Results for “{example}”")
        expect(summary(page)).not_to_contain_text("No articles found")


def test_the_home_page_says_newest_first_and_lists_the_newest(page: Page, corpus: Corpus) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Newest articles")
    sort = page.get_by_role("navigation", name="Sort by")
    expect(sort.get_by_role("link")).to_have_text(["Newest first", "Oldest first"])  # no "Relevance" without words
    expect(sort.get_by_role("link", name="Newest first")).to_have_attribute("aria-current", "true")
    newest = sorted((a for a in corpus if a.get("date")), key=lambda a: a["date"], reverse=True)
    assert headlines(page)[:2] == [a["title"] for a in newest[:2]]

    sort.get_by_role("link", name="Oldest first").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oldest articles")
    oldest = sorted((a for a in corpus if a.get("date")), key=lambda a: a["date"])
    assert headlines(page)[:2] == [a["title"] for a in oldest[:2]]

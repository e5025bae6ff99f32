"""axe-core finds no accessibility problem on any kind of page the app serves.

The issue asks for no serious or critical violation; the pages are clean at every impact level (minor and
moderate included), and these tests keep them so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import AXE, Site

BLOCKING = ("minor", "moderate", "serious", "critical")


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page (or the part a CSS selector picks) and return its findings at every impact."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("context => context ? axe.run(context) : axe.run()", context)
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """Return the findings as lines: rule id, impact, and the nodes' selectors."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}; nodes: {[n['target'] for n in v['nodes']]}" for v in violations
    )


# The widths the issue names: a laptop and a phone (the layouts differ: filters beside the results, or behind a toggle).
WIDTHS = {"laptop": 1366, "phone": 390}


@pytest.fixture(params=list(WIDTHS.values()), ids=list(WIDTHS))
def axe_page(request: pytest.FixtureRequest, open_page: Callable[..., Page]) -> Page:
    """A page whose CSP is bypassed, so that axe-core can be injected: for these checks only; at each width."""
    return open_page(bypass_csp=True, viewport={"width": request.param, "height": 900})


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("/", "Newest articles"),
        ("/?q=harvest&topic=business&source=Courier", "Remove Topic: business"),
        ("/?q=harvest&from=2020-01-01&to=2021-12-31&sort=newest", "Remove From 2020-01-01"),
        ("/?q=harvest&from=2020-09-01&to=2020-09-30", "Matching articles by day"),
        ("/?q=nothingmatchesthis", "Nothing matched"),
        ("/?q=harvest&page=50", "Past the last page"),
        ("/?q=harvst", "Showing results for"),
        ("/articles/h05?q=harvest&n=2", "Related coverage"),
        ("/embed?q=harvest", "All 13 results"),
        ("/cite?q=harvest&topic=agriculture&fp=0123456789abcdef", "The index has changed since this link was made."),
        ("/advanced?q=harvest+-grain&topic=agriculture&sort=newest", "Advanced search"),
        ("/advanced?all=harvest&exact=grain+prices&topic=agriculture&preview=1", "In the query language, to copy"),
        ("/facets/author?q=harvest&author=Maria+Chen&per_page=2&page=2", "Authors in articles matching"),
    ],
    ids=["home", "search-with-facets", "search-with-dates", "timeline-days", "no-results", "past-the-last-page",
         "corrected", "article", "embed", "cite", "advanced", "advanced-query-shown", "facet-values"],
)
def test_page_has_no_serious_violations(axe_page: Page, path: str, shows: str) -> None:
    axe_page.goto(path)
    expect(axe_page.get_by_text(shows).or_(axe_page.get_by_label(shows)).first).to_be_attached()
    violations = axe_violations(axe_page)
    assert not violations, describe(violations)


def test_open_filters_tips_and_timeline_table_have_no_serious_violations(axe_page: Page) -> None:
    axe_page.goto("/?q=harvest&topic=business")
    for details in axe_page.locator("details").all():
        details.evaluate("el => { el.open = true; }")  # every toggle open: the filters on a phone, tips, table
    expect(axe_page.get_by_role("checkbox").first).to_be_visible()
    violations = axe_violations(axe_page)
    assert not violations, describe(violations)


def test_error_page_has_no_serious_violations(axe_page: Page, allow_status: Callable[[int], None]) -> None:
    allow_status(400)  # the page is served as 400 Bad Request on purpose
    response = axe_page.goto("/?q=date:junk")
    assert response is not None and response.status == 400
    expect(axe_page.get_by_role("alert")).to_be_visible()
    violations = axe_violations(axe_page)
    assert not violations, describe(violations)


# A desktop and a phone: the embeds live in other sites' columns of any width.
WIDTHS = pytest.mark.parametrize("width", [1366, 390])


@pytest.fixture
def open_axe_page(open_page: Callable[..., Page]) -> Callable[[int], Page]:
    """Open a page as axe_page does, at a window width."""
    return lambda width: open_page(bypass_csp=True, viewport={"width": width, "height": 800})


@WIDTHS
@pytest.mark.parametrize("path", ["/embed?q=harvest", "/embed?q=harvest&page=2"], ids=["first-page", "next-page"])
def test_embed_page_has_no_violations_at_each_width(open_axe_page: Callable[[int], Page], width: int,
                                                    path: str) -> None:
    page = open_axe_page(width)
    page.goto(path)
    expect(page.get_by_role("navigation", name="Result pages")).to_be_visible()
    expect(page.get_by_role("link", name="All 13 results on newsarchive")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)


@WIDTHS
def test_embed_widget_has_no_serious_violations(open_axe_page: Callable[[int], Page], site: Site,
                                                width: int) -> None:
    page = open_axe_page(width)
    page.goto(site.host_page(placeholder="ferry, strike, budget…"))
    widget = page.locator("[data-newsarchive]")
    widget.get_by_role("searchbox", name="Search the archive").fill("harvest")
    widget.get_by_role("button", name="Search").click()
    expect(widget.locator(".newsarchive-hit")).to_have_count(5)
    violations = axe_violations(page, "[data-newsarchive]")  # the widget's markup, not the host page's
    assert not violations, describe(violations)

    widget.get_by_role("button", name="Next").click()  # paging: a page in the middle, both buttons on
    expect(widget.get_by_role("status")).to_have_text("13 articles, page 2 of 3")
    violations = axe_violations(page, "[data-newsarchive]")
    assert not violations, describe(violations)


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("/trends", "Queries to compare"),
        ("/trends?q=harvest&q=grain", "Share of articles matching"),
        ("/trends?q=harvest&q=grain&q=comet&unit=month&measure=count", "Number of articles matching"),
        ("/embed/trends?q=harvest&q=grain", "Open on newsarchive"),
    ],
    ids=["trends-form", "trends-share", "trends-months-count", "trends-embed"],
)
def test_trends_pages_have_no_violations_with_their_table_open(axe_page: Page, path: str, shows: str) -> None:
    axe_page.goto(path)
    expect(axe_page.get_by_text(shows).first).to_be_attached()
    for details in axe_page.locator("details").all():
        details.evaluate("el => { el.open = true; }")  # the numbers as a table
    violations = axe_violations(axe_page)
    assert not violations, describe(violations)


def test_trends_error_page_has_no_violations(axe_page: Page, allow_status: Callable[[int], None]) -> None:
    allow_status(400)
    response = axe_page.goto("/trends?q=harvest&q=date:junk")
    assert response is not None and response.status == 400
    expect(axe_page.get_by_role("alert")).to_contain_text("query 2 (date:junk)")
    violations = axe_violations(axe_page)
    assert not violations, describe(violations)

"""Every facet value reachable in a real browser: a facet's search box and "More authors…", with JavaScript (values
in place, from /api/facets) and without (the facet's own page), by keyboard, and clean for axe-core.

An archive of its own (fictional): 45 bylines, more than the 20 the search page lists, the one searched for among
the last of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import PAYLOAD_IMG, serving_archive
from .test_accessibility import axe_violations, describe

RARE = "Siobhán Ní Bhriain"
# Reporter 01 wrote 3 ferry stories, 02 to 10 two each, the rest one; the rare byline sorts after them all.
AUTHORS = [f"Reporter {n:02d}" for n in range(1, 44)] + [PAYLOAD_IMG, RARE]
RECORDS: list[dict[str, Any]] = [
    {"id": f"f{i:02d}-{k}", "title": f"Crossing number {i}.{k}", "author": name, "topic": ["transport"],
     "source": "Courier", "date": f"{1980 + i}-03-{1 + 3 * k:02d}",  # years apart: no two bylines share a story
     "body": f"The ferry crossing {i} ran {'late' if k else 'on time'} on day {k} of the timetable {name!r}."}
    for i, name in enumerate(AUTHORS) for k in range(3 if i == 0 else 2 if i < 10 else 1)
]


@pytest.fixture(scope="module")
def bylines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the bylines archive, served by waitress on a free loopback port."""
    folder = tmp_path_factory.mktemp("bylines")
    with serving_archive(folder, RECORDS) as url:  # type: ignore[arg-type]
        yield url


def authors(page: Page) -> Locator:
    """The author facet of the search page's filters (hidden without JavaScript until "Filters" is opened)."""
    return page.locator('fieldset[data-facet="author"]')


def summary(page: Page) -> Locator:
    return page.locator("p.summary")


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_byline_beyond_the_first_20_is_found_by_the_facet_s_search_and_filters_the_results(
        open_page: Callable[..., Page], bylines: str, script: bool) -> None:
    page = open_page(java_script_enabled=script, viewport={"width": 1366, "height": 900})
    page.goto(f"{bylines}/?q=ferry")
    expect(summary(page)).to_contain_text(f"{len(RECORDS)} articles")
    if not script:
        page.locator("#filters > summary").click()  # app.js opens the filters where there is room
    listed = authors(page).locator("input[type=checkbox]")
    expect(listed).to_have_count(20)  # the top 20 (8, then "12 more")
    expect(authors(page).locator(f'input[value="{RARE}"]')).to_have_count(0)
    box = authors(page).get_by_role("searchbox", name="Search authors")
    box.fill("SIOB")  # its start, in capitals, without the accent
    if script:  # listed in place, as typed
        status = authors(page).get_by_role("status")
        expect(status).to_have_text("1 author contains “SIOB”")
        expect(authors(page).locator("> ul").first).to_be_hidden()  # the facet's own list gives way
    else:  # the facet's own page
        box.press("Enter")
        expect(page).to_have_url(re.compile(r"/facets/author\?q=ferry&containing=SIOB$"))
        expect(page.get_by_role("status")).to_have_text("1 author contains “SIOB”")
    rare = page.get_by_role("checkbox", name=f"{RARE} 1")
    expect(rare).not_to_be_checked()
    if script:
        rare.click()  # applied at once
    else:
        rare.check()
        page.get_by_role("button", name="Apply to the search").click()
    expect(page).to_have_url(re.compile(r"/\?q=ferry&author=Siobh%C3%A1n\+N%C3%AD\+Bhriain$"))
    expect(summary(page)).to_contain_text("1 article")
    expect(page.locator(".results .hit-headline")).to_have_text(["Crossing number 44.0"])
    expect(page.get_by_role("link", name=f"Remove Author: {RARE}")).to_be_visible()
    expect(authors(page).locator("> ul").locator(f'input[value="{RARE}"]')).to_be_checked()  # chosen: listed first


def test_more_authors_lists_every_value_in_place_a_page_at_a_time_by_keyboard(open_page: Callable[..., Page],
                                                                             bylines: str) -> None:
    page = open_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{bylines}/?q=ferry")
    more = authors(page).get_by_role("link", name="More authors…")
    more.focus()
    page.keyboard.press("Enter")
    added = authors(page).locator(".facet-found").get_by_role("checkbox")
    # Values 21 to 40: ten with two articles, then the others by name (the one with markup among the first 20).
    expect(added).to_have_count(20)
    expect(added.first).to_be_focused()  # the keyboard carries on from the first one added
    expect(added.first).to_have_accessible_name("Reporter 20 1")
    expect(authors(page).get_by_role("status")).to_have_text("Showing 40 of 45 authors")
    expect(more).to_be_hidden()
    page.keyboard.press("Shift+Tab")
    expect(authors(page).get_by_role("button", name="Find authors")).to_be_focused()
    next_page = authors(page).get_by_role("button", name="More authors")
    next_page.focus()
    page.keyboard.press("Enter")
    expect(added).to_have_count(25)
    expect(added.nth(20)).to_be_focused()
    expect(added.nth(20)).to_have_accessible_name("Reporter 40 1")
    expect(authors(page).get_by_role("status")).to_have_text("Showing 45 of 45 authors")
    expect(next_page).to_be_hidden()  # the last page
    page.keyboard.press("Space")  # Reporter 40's box, focused: applied at once, as any facet value
    expect(page).to_have_url(re.compile(r"/\?q=ferry&author=Reporter\+40$"))
    expect(summary(page)).to_contain_text("1 article")


def test_emptying_the_box_brings_the_facet_s_own_list_back(open_page: Callable[..., Page], bylines: str) -> None:
    page = open_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{bylines}/?q=ferry")
    box = authors(page).get_by_role("searchbox", name="Search authors")
    box.fill("reporter 1")
    expect(authors(page).get_by_role("status")).to_have_text("10 authors contain “reporter 1”")
    expect(authors(page).locator(".facet-found").get_by_role("checkbox")).to_have_count(10)
    box.fill("zzz")
    box.press("Enter")  # at once, without waiting for the typing to stop
    expect(authors(page).get_by_role("status")).to_have_text("No author contains “zzz”")
    box.fill("")
    expect(authors(page).get_by_role("status")).to_have_text("")
    expect(authors(page).locator(".facet-found input")).to_have_count(0)
    expect(authors(page).locator("> ul").get_by_role("checkbox")).to_have_count(8)
    expect(authors(page).get_by_role("link", name="More authors…")).to_be_visible()
    # Markup in a byline is text: shown as written, never run.
    box.fill("img")
    found = authors(page).locator(".facet-found").get_by_role("checkbox")
    expect(found).to_have_accessible_name(f"{PAYLOAD_IMG} 1")
    assert page.evaluate("window.__pwned") is None


def test_without_javascript_more_authors_pages_through_every_value(open_page: Callable[..., Page],
                                                                   bylines: str) -> None:
    page = open_page(java_script_enabled=False)
    page.goto(f"{bylines}/?q=ferry&sort=oldest")
    page.locator("#filters > summary").click()
    authors(page).get_by_role("link", name="More authors…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Authors in articles matching “ferry”")
    expect(page.get_by_role("status")).to_have_text("45 authors")
    expect(page.get_by_role("checkbox")).to_have_count(45)  # 50 a page: every one
    page.goto(f"{bylines}/facets/author?q=ferry&sort=oldest&per_page=20")
    page.get_by_role("navigation", name="Pages of authors").get_by_role("link", name="Next").click()
    expect(page.get_by_role("status")).to_have_text("45 authors, showing 21–40")
    page.get_by_role("checkbox", name="Reporter 33 1").check()
    page.get_by_role("button", name="Apply to the search").click()
    expect(page).to_have_url(re.compile(r"/\?q=ferry&sort=oldest&author=Reporter\+33$"))
    expect(summary(page)).to_contain_text("1 article")


@pytest.fixture(params=[1366, 390], ids=["laptop", "phone"])
def axe_page(request: pytest.FixtureRequest, open_page: Callable[..., Page]) -> Page:
    """A page whose CSP is bypassed, so that axe-core can be injected: for these checks only; at each width."""
    return open_page(bypass_csp=True, viewport={"width": request.param, "height": 900})


def test_the_facet_search_and_its_page_have_no_accessibility_violations(axe_page: Page, bylines: str) -> None:
    axe_page.goto(f"{bylines}/?q=ferry")
    axe_page.locator("#filters").evaluate("el => { el.open = true; }")  # closed at first on a phone
    authors(axe_page).get_by_role("searchbox", name="Search authors").fill("reporter")
    expect(authors(axe_page).get_by_role("status")).to_have_text("43 authors contain “reporter”")
    assert not (violations := axe_violations(axe_page)), describe(violations)
    axe_page.goto(f"{bylines}/facets/author?q=ferry&containing=rep&per_page=10&page=2")
    expect(axe_page.get_by_role("status")).to_have_text("43 authors contain “rep”, showing 11–20")
    assert not (violations := axe_violations(axe_page)), describe(violations)


def test_a_chosen_value_found_by_the_search_can_be_let_go_and_others_added(open_page: Callable[..., Page],
                                                                          bylines: str) -> None:
    page = open_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{bylines}/?q=ferry&author=Reporter+05")
    box = authors(page).get_by_role("searchbox", name="Search authors")
    box.fill("siob")
    authors(page).locator(".facet-found").get_by_role("checkbox", name=f"{RARE} 1").click()  # applied at once
    expect(page).to_have_url(re.compile(r"author=Reporter\+05&author=Siobh%C3%A1n\+N%C3%AD\+Bhriain$"))  # both
    expect(summary(page)).to_contain_text("3 articles")
    authors(page).get_by_role("searchbox", name="Search authors").fill("bhriain")
    found = authors(page).locator(".facet-found").get_by_role("checkbox", name=f"{RARE} 1")
    expect(found).to_be_checked()
    found.click()  # unticked: its twin in the facet's own list, hidden meanwhile, lets go of it too
    expect(page).to_have_url(re.compile(r"/\?q=ferry&author=Reporter\+05$"))
    expect(summary(page)).to_contain_text("2 articles")

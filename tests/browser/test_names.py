"""People, organisations and places in a real browser: their facets on the search page (with and without
JavaScript), the article page's names as links to them, markup in a name shown as text, clean for axe-core.

An archive of its own (fictional, in the demo's valley): names stated by some records, found in the others' text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import PAYLOAD_IMG, serving_archive
from .test_accessibility import axe_violations, describe

RECORDS: list[dict[str, Any]] = [
    {"id": "q1", "title": "Quell named harbour chief", "date": "2021-03-01", "topic": ["transport"],
     "people": ["Mara Quell", PAYLOAD_IMG], "organizations": ["Saltmarsh Harbour Board"],
     "places": ["Dunhollow", "Saint-Ombrelle"],
     "body": "Mara Quell will run the Saltmarsh Harbour Board from Dunhollow, the board said on Monday."},
    {"id": "q2", "title": "Winter ferry timetable", "date": "2021-03-02", "topic": ["transport"],
     "body": "The winter ferry timetable is ready, Mara Quell told the Saltmarsh Harbour Board in Dunhollow."},
    {"id": "q3", "title": "Ferry fares frozen", "date": "2021-03-03", "topic": ["transport"],
     "body": "Ferry fares will not rise this year, the operator said in Ashgrove."},
]


@pytest.fixture(scope="module")
def valley(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the valley's archive, served by waitress on a free loopback port."""
    folder = tmp_path_factory.mktemp("names")
    with serving_archive(folder, RECORDS) as url:
        yield url


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_person_s_facet_value_narrows_the_results(open_page: Callable[..., Page], valley: str,
                                                    script: bool) -> None:
    page = open_page(java_script_enabled=script, viewport={"width": 1366, "height": 900})
    page.goto(f"{valley}/?q=ferry")
    expect(page.locator("p.summary")).to_contain_text("2 articles")
    if not script:
        page.locator("#filters > summary").click()
    people = page.locator('fieldset[data-facet="person"]')
    expect(people.locator("legend")).to_contain_text("Person")
    expect(page.locator('fieldset[data-facet="place"] legend')).to_contain_text("Place")
    quell = people.get_by_role("checkbox", name="Mara Quell 1")
    if script:
        quell.click()  # applied at once
    else:
        quell.check()
        page.get_by_role("button", name="Apply").first.click()
    expect(page).to_have_url(re.compile(r"person=Mara\+Quell"))
    expect(page.locator(".results .hit-headline")).to_have_text(["Winter ferry timetable"])
    expect(page.get_by_role("link", name="Remove Person: Mara Quell")).to_be_visible()


def test_the_article_page_s_names_lead_to_their_facet(open_page: Callable[..., Page], valley: str) -> None:
    page = open_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{valley}/articles/q1")
    names = page.locator("dl.article-meta dd.names-person").get_by_role("link")
    expect(names).to_have_text(["Mara Quell", PAYLOAD_IMG])  # markup in a name: text, never run
    assert page.evaluate("window.__pwned") is None
    expect(page.locator("dd.names-place").get_by_role("link")).to_have_text(["Dunhollow", "Saint-Ombrelle"])
    page.locator("dd.names-org").get_by_role("link", name="Saltmarsh Harbour Board").click()
    expect(page).to_have_url(re.compile(r"/\?org=Saltmarsh\+Harbour\+Board$"))
    expect(page.get_by_role("link", name="Remove Organisation: Saltmarsh Harbour Board")).to_be_visible()
    expect(page.locator(".results .hit-headline")).to_have_count(2)  # stated on one, found in the other's text


def test_name_facets_and_the_article_page_have_no_accessibility_violations(open_page: Callable[..., Page],
                                                                          valley: str) -> None:
    # The whole page: its timeline of two counted days once tripped axe's label-content-name-mismatch (each bar's
    # printed count was inside its link, so not part of the link's name).
    for width in (1366, 390):
        page = open_page(bypass_csp=True, viewport={"width": width, "height": 900})
        page.goto(f"{valley}/?person=Mara+Quell")
        page.locator("#filters").evaluate("el => { el.open = true; }")
        expect(page.locator(".chart.counted .period .count").first).to_be_visible()
        assert not (violations := axe_violations(page)), describe(violations)
        page.goto(f"{valley}/articles/q1")
        assert not (violations := axe_violations(page)), describe(violations)

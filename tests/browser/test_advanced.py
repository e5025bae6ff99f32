"""The advanced search form in a real browser, with JavaScript and without: opened from a search (filled in with it),
filled in, its query shown (live, or by "Show the query"), and landing on results that match what it asked for."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .test_accessibility import axe_violations, describe
from .test_search_flow import WORD, Corpus, headlines, matching, summary


def _headline_words(article: dict[str, Any]) -> list[str]:
    return re.findall(r"\w+", str(article.get("title", "")).lower())


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_form_opened_from_a_search_lands_on_what_it_asks_for(open_page: Callable[..., Page], corpus: Corpus,
                                                                 script: bool) -> None:
    page = open_page(java_script_enabled=script)
    page.goto(f"/?q={WORD}")
    page.get_by_role("link", name="Advanced search").click()

    expect(page.get_by_role("heading", name="Advanced search", level=1)).to_be_visible()
    expect(page.get_by_label("All these words")).to_have_value(WORD)  # filled in from the search
    page.get_by_label("None of these words").fill("grain")
    page.get_by_label("Look for the words in").select_option(label="The headline")
    page.get_by_label("Topic", exact=True).fill("agriculture")
    page.get_by_label("Order").select_option(label="Oldest first")
    query = f"headline:{WORD} -headline:grain"
    if script:  # shown as the form is filled in
        expect(page.get_by_label("In the query language, to copy")).to_have_value(query)
        expect(page.get_by_role("status")).to_contain_text("With Topic: agriculture · Oldest first")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page).to_have_url(re.compile(r"/\?q=headline:harvest\+-headline:grain&topic=agriculture&sort=oldest$"))
    box = page.get_by_role("combobox" if script else "searchbox", name="Search articles")  # suggest.js makes a combobox
    expect(box).to_have_value(query)  # the syntax, to learn
    wanted = [a for a in matching(corpus, WORD, topic=["agriculture"])
              if WORD in _headline_words(a) and "grain" not in _headline_words(a)]
    assert len(wanted) > 3
    expect(summary(page)).to_contain_text(f"{len(wanted)} articles")
    assert headlines(page) == [a["title"] for a in sorted(wanted, key=lambda a: a["date"])][:10]


def test_show_the_query_without_javascript_then_run_it(open_page: Callable[..., Page], corpus: Corpus) -> None:
    page = open_page(java_script_enabled=False)
    page.goto("/advanced")
    expect(page.get_by_role("region", name="Your search")).to_be_hidden()
    page.get_by_label("These words near each other").fill("wheat harvest")
    page.get_by_label("Within this many words").fill("3")
    page.get_by_label("From").fill("2019-01-01")
    page.get_by_role("button", name="Show the query").click()

    expect(page.get_by_label("In the query language, to copy")).to_have_value("wheat NEAR/3 harvest")
    expect(page.get_by_role("region", name="Your search")).to_contain_text("With From 2019-01-01")
    expect(page.get_by_label("These words near each other")).to_have_value("wheat harvest")  # as filled in
    page.get_by_role("link", name="Run this search").click()
    expect(page.get_by_role("searchbox", name="Search articles")).to_have_value("wheat NEAR/3 harvest")
    wanted = [a for a in corpus if re.search(r"\bwheat (\w+ ){0,2}harvest\b", str(a.get("body", "")).lower())]
    assert wanted and sorted(headlines(page)) == sorted(a["title"] for a in wanted)


def test_typed_operators_stay_words_as_the_query_shows_live(page: Page, corpus: Corpus) -> None:
    page.goto("/advanced")
    page.get_by_label("All these words").fill(f"{WORD} OR")
    page.get_by_label("Any of these words").fill("wheat -grape")
    built = page.get_by_label("In the query language, to copy")
    expect(built).to_have_value(f'{WORD} "OR" (wheat OR "-grape")')
    page.get_by_label("Any of these words").fill("")
    page.get_by_label("These words near each other").fill("wheat")  # not yet two words: says so, nothing to run
    expect(page.get_by_role("status")).to_contain_text("needs two different words or more")
    expect(page.get_by_role("link", name="Run this search")).to_be_hidden()
    page.get_by_label("These words near each other").fill("")
    expect(built).to_have_value(f'{WORD} "OR"')
    page.get_by_label("All these words").press("Enter")
    expect(summary(page)).to_contain_text(f"{len(matching(corpus, WORD))} articles")


def test_an_empty_form_says_so_and_keeps_the_form(open_page: Callable[..., Page],
                                                  allow_status: Callable[[int], None]) -> None:
    allow_status(400)
    page = open_page(java_script_enabled=False)
    page.goto("/advanced")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(re.compile(r"^The form asks for nothing"))
    expect(page.get_by_label("All these words")).to_be_editable()


@pytest.mark.parametrize("width", [1366, 390], ids=["laptop", "phone"])
def test_the_form_with_a_message_and_its_query_has_no_serious_violations(
        open_page: Callable[..., Page], allow_status: Callable[[int], None], width: int) -> None:
    allow_status(400)
    page = open_page(bypass_csp=True, viewport={"width": width, "height": 900})
    response = page.goto("/advanced?all=harvest&near=wheat&within=10&field=any")
    assert response is not None and response.status == 400
    expect(page.get_by_role("region", name="Your search")).to_be_visible()  # the live preview says why, too
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_on_a_phone_the_form_fits_the_screen(open_page: Callable[..., Page]) -> None:
    page = open_page(viewport={"width": 390, "height": 844})
    page.goto(f"/advanced?q={WORD}+-grain&topic=agriculture&topic=business")
    expect(page.get_by_label("Topic 3")).to_be_visible()  # a box for each value given, and one more
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    box, label = page.get_by_label("All these words"), page.get_by_text("All these words", exact=True)
    assert label.bounding_box()["y"] < box.bounding_box()["y"]  # type: ignore[index]  # labels above the fields

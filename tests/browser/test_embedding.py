"""Another site embeds the archive: the widget's options, pages, dates and link to the archive; the frame's pages,
its link to the archive, and its height, kept to its content by the snippet docs/web.md gives the host page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from urllib.parse import quote

from playwright.sync_api import Frame, Locator, Page, Route, expect

from .conftest import Site
from .test_search_flow import WORD, Corpus, matching

# Pixels the frame's document may overflow the frame by (rounding of fractional layout sizes).
TOLERANCE = 1


def widget_search(page: Page, query: str, label: str = "Search the archive") -> Locator:
    """Search with the host page's widget and return the widget."""
    widget = page.locator("[data-newsarchive]")
    widget.get_by_role("searchbox", name=label).fill(query)
    widget.get_by_role("button", name="Search").click()
    return widget


def widget_headlines(widget: Locator) -> list[str]:
    """Return the headlines the widget lists."""
    return widget.locator(".newsarchive-headline").all_inner_texts()


def in_words(day: str) -> str:
    """Return an ISO date as the archive writes it: 12 July 2019."""
    found = date.fromisoformat(day)
    return f"{found.day} {found:%B %Y}"


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("Tab never reached the target")


def test_the_widget_takes_its_label_and_placeholder_from_the_host(page: Page, site: Site) -> None:
    page.goto(site.host_page())
    box = page.get_by_role("searchbox", name="Search the archive")  # the default label
    expect(page.get_by_text("Search the archive", exact=True)).to_be_visible()
    expect(box).not_to_have_attribute("placeholder", re.compile(".*"))

    page.goto(site.host_page(label="Find a story", placeholder="ferry, strike, budget…"))
    box = page.get_by_role("searchbox", name="Find a story")
    expect(box).to_have_attribute("placeholder", "ferry, strike, budget…")
    expect(page.get_by_label("Find a story")).to_be_visible()
    widget = widget_search(page, "comet", label="Find a story")
    expect(widget.get_by_role("status")).to_have_text("1 article")


def test_the_widget_pages_through_the_results_from_the_keyboard(page: Page, site: Site, corpus: Corpus) -> None:
    expected = {a["title"] for a in matching(corpus, WORD)}
    page.goto(site.host_page())
    widget = widget_search(page, WORD)
    status = widget.get_by_role("status")
    pager = widget.get_by_role("navigation", name="Result pages")
    previous, following = pager.get_by_role("button", name="Previous"), pager.get_by_role("button", name="Next")
    expect(status).to_have_text("13 articles, page 1 of 3")
    expect(previous).to_be_disabled()
    first = widget_headlines(widget)

    tab_to(page, following)
    page.keyboard.press("Enter")
    expect(status).to_have_text("13 articles, page 2 of 3")
    expect(widget.get_by_role("list")).to_be_focused()  # the reader lands on the new page's results
    expect(widget.get_by_role("list")).to_have_attribute("start", "6")
    second = widget_headlines(widget)

    tab_to(page, following)
    page.keyboard.press("Space")
    expect(status).to_have_text("13 articles, page 3 of 3")
    expect(widget.locator(".newsarchive-hit")).to_have_count(3)
    expect(following).to_be_disabled()
    third = widget_headlines(widget)
    assert len(first) == len(second) == 5 and set(first + second + third) == expected  # each hit once

    previous.click()
    expect(status).to_have_text("13 articles, page 2 of 3")
    assert widget_headlines(widget) == second
    widget_search(page, "comet")  # a search of one page has no pager
    expect(status).to_have_text("1 article")
    expect(pager).to_have_count(0)


def test_the_widget_shows_as_many_results_a_page_as_the_host_asks(page: Page, site: Site) -> None:
    page.goto(site.host_page(**{"per-page": "3"}))
    widget = widget_search(page, WORD)
    expect(widget.get_by_role("status")).to_have_text("13 articles, page 1 of 5")
    expect(widget.locator(".newsarchive-hit")).to_have_count(3)
    page.goto(site.host_page(**{"per-page": "lots"}))  # not a number: the default
    widget = widget_search(page, WORD)
    expect(widget.get_by_role("status")).to_have_text("13 articles, page 1 of 3")


def test_the_widget_pages_through_the_corrected_results_and_keeps_the_correction(page: Page, site: Site) -> None:
    page.goto(site.host_page())
    widget = widget_search(page, "harvst")
    correction = widget.locator(".newsarchive-correction")
    expect(correction).to_have_text(f"Showing results for {WORD}; search instead for harvst")
    widget.get_by_role("button", name="Next").click()
    expect(widget.get_by_role("status")).to_have_text("13 articles, page 2 of 3")
    expect(correction).to_have_text(f"Showing results for {WORD}; search instead for harvst")


def test_the_widget_links_all_results_on_the_archive(page: Page, site: Site, corpus: Corpus) -> None:
    query = f"{WORD} OR comet"
    found = len(matching(corpus, WORD)) + len(matching(corpus, "comet"))
    page.goto(site.host_page())
    widget = widget_search(page, query)
    everything = widget.get_by_role("link", name=f"All {found} results on the archive")
    expect(everything).to_have_attribute("href", f"{site.app}/?q={quote(query, safe='')}")
    expect(everything).to_have_attribute("target", "_blank")
    expect(everything).to_have_attribute("rel", "noopener")
    with page.context.expect_page() as opened:
        everything.click()
    tab = opened.value
    expect(tab.get_by_role("combobox", name="Search articles")).to_have_value(query)
    expect(tab.get_by_role("status")).to_contain_text(f"{found} articles")
    assert page.url == site.host_page()

    widget_search(page, "comet")  # everything is already on show
    expect(widget.get_by_role("status")).to_have_text("1 article")
    expect(widget.locator(".newsarchive-all")).to_have_count(0)


def test_the_widget_writes_dates_in_words_whatever_the_reader_s_locale_and_zone(
        open_page: Callable[..., Page], site: Site, corpus: Corpus) -> None:
    comet = next(a for a in corpus if a["title"] == "Comet visible to the naked eye")
    # East of UTC the API's zoneless midnight, read as local time, would be the day before in UTC.
    page = open_page(locale="en-US", timezone_id="Pacific/Auckland")
    page.goto(site.host_page())
    widget = widget_search(page, "comet")
    day = widget.locator(".newsarchive-date")
    expect(day).to_have_text(in_words(comet["date"]))  # "10 July 2020", not "July 10, 2020" nor the 9th
    expect(day).to_have_attribute("datetime", comet["date"])
    expect(widget.locator(".newsarchive-meta")).to_have_text(f"{in_words(comet['date'])} · {comet['source']}")

    page.goto(site.host_page(locale="fr"))
    expect(widget_search(page, "comet").locator(".newsarchive-date")).to_have_text("10 juillet 2020")
    page.goto(site.host_page(locale="not a locale!"))  # unreadable: the default
    expect(widget_search(page, "comet").locator(".newsarchive-date")).to_have_text(in_words(comet["date"]))


def test_the_widget_shows_only_the_latest_search_however_the_answers_arrive(page: Page, site: Site) -> None:
    page.goto(site.host_page())
    held: list[Route] = []
    page.route(re.compile(r"/api/search\?q=harvest&"), lambda route: held.append(route))  # its answer waits
    widget = widget_search(page, WORD)
    expect(widget.get_by_role("status")).to_have_text("Searching…")
    while not held:
        page.wait_for_timeout(20)
    widget_search(page, "comet")
    expect(widget.get_by_role("status")).to_have_text("1 article")

    with page.expect_response(re.compile(r"/api/search\?q=harvest&")):
        held[0].continue_()  # the answer to the first search arrives last
    page.wait_for_timeout(200)
    expect(widget.get_by_role("status")).to_have_text("1 article")
    assert widget_headlines(widget) == ["Comet visible to the naked eye"]


def test_the_frame_pages_within_itself_and_links_all_results_in_a_new_tab(page: Page, site: Site,
                                                                         corpus: Corpus) -> None:
    found = matching(corpus, WORD)
    page.goto(site.host_page(WORD))
    frame = page.frame_locator('iframe[title="Archive search"]')
    status = frame.get_by_role("status")
    expect(status).to_have_text(f"{len(found)} articles, page 1 of 3")
    pages = frame.get_by_role("navigation", name="Result pages")
    pages.get_by_role("link", name="Next").click()
    expect(status).to_have_text(f"{len(found)} articles, page 2 of 3")
    pages.get_by_role("link", name="3").click()
    expect(status).to_have_text(f"{len(found)} articles, page 3 of 3")
    expect(frame.locator(".results .hit")).to_have_count(3)
    assert page.url == site.host_page(WORD) and len(page.context.pages) == 1  # in the frame, no new tab

    by_title = {a["title"]: a for a in found}
    for hit in frame.locator(".results .hit").all():
        article = by_title[hit.locator(".hit-headline").inner_text()]
        expect(hit.locator("time")).to_have_text(in_words(article["date"]))

    everything = frame.get_by_role("link", name=f"All {len(found)} results on newsarchive")
    expect(everything).to_have_attribute("rel", "noopener")
    with page.context.expect_page() as opened:
        everything.click()
    tab = opened.value
    expect(tab).to_have_url(f"{site.app}/?q={WORD}")
    expect(tab.get_by_role("status")).to_contain_text(f"{len(found)} articles, showing 1–10")
    assert page.url == site.host_page(WORD)


def frame_sizes(page: Page) -> tuple[int, int, int]:
    """Return the iframe's height, and its document's content height and scroll height."""
    iframe = page.locator("#newsarchive-frame")
    frame = iframe.element_handle().content_frame()
    assert isinstance(frame, Frame)
    inside = frame.evaluate("() => [Math.ceil(document.documentElement.getBoundingClientRect().height),"
                            " document.documentElement.scrollHeight]")
    return iframe.evaluate("el => el.clientHeight"), inside[0], inside[1]


def fitted_height(page: Page) -> int:
    """Wait until the iframe is as tall as its content, without overflow, and return that height."""
    deadline = time.monotonic() + 5
    while True:
        height, content, scrolled = frame_sizes(page)
        if height == content and scrolled <= height + TOLERANCE:
            return height
        if time.monotonic() > deadline:
            raise AssertionError(f"frame {height}px high, its content {content}px, scrolling to {scrolled}px")
        page.wait_for_timeout(50)


# The count line of the search the documented frame opens with (ferry: one article, about ferries).
DOCUMENTED_SEARCH = "1 article"


def test_the_frame_is_as_tall_as_its_content_with_the_documented_snippet(page: Page, site: Site) -> None:
    page.goto(site.resizing_page())
    frame = page.frame_locator("#newsarchive-frame")
    expect(frame.get_by_role("status")).to_have_text(DOCUMENTED_SEARCH)
    one = fitted_height(page)
    assert one < 480  # the height the snippet starts with: it shrank

    frame.get_by_role("searchbox", name="Search newsarchive").fill(WORD)
    frame.get_by_role("button", name="Search").click()
    expect(frame.get_by_role("status")).to_have_text("13 articles, page 1 of 3")
    five = fitted_height(page)
    assert five > 480

    frame.get_by_role("navigation", name="Result pages").get_by_role("link", name="3").click()
    expect(frame.get_by_role("status")).to_have_text("13 articles, page 3 of 3")
    three = fitted_height(page)
    assert one < three < five

    page.set_viewport_size({"width": 390, "height": 800})  # narrower: the lines wrap, the frame grows
    page.wait_for_timeout(100)
    assert fitted_height(page) > three


def test_the_documented_snippet_ignores_messages_from_other_frames(page: Page, site: Site) -> None:
    page.goto(site.resizing_page())
    expect(page.frame_locator("#newsarchive-frame").get_by_role("status")).to_have_text(DOCUMENTED_SEARCH)
    fitted = fitted_height(page)
    # The host page itself (its origin is not the archive's) and a frame of the archive that is not this one.
    page.evaluate("() => window.postMessage({type: 'newsarchive:height', height: 2000}, '*')")
    page.evaluate("""app => new Promise(done => {
        const other = document.createElement("iframe");
        other.src = app + "/embed?q=" + "harvest";
        other.onload = () => setTimeout(done, 300);
        document.body.appendChild(other);
    })""", site.app)
    assert page.locator("#newsarchive-frame").evaluate("el => el.clientHeight") == fitted

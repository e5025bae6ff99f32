"""Journeys that broke when people used the search page: each test does what the user did, in Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, Playwright, expect

from bench.load import Server

from .conftest import ARTICLES, CHROMIUM, CHROMIUM_ARGS, Site
from .test_search_flow import WORD, Corpus, chips, facet, headlines, matching, sort_link, summary


def test_a_lone_star_lists_every_article_at_once_newest_first(page: Page, site: Site, corpus: Corpus) -> None:
    started = time.monotonic()
    page.goto("/?q=*")
    expect(summary(page)).to_contain_text(f"{len(corpus)} articles")
    assert time.monotonic() - started < 5  # not the 10 s time limit of a wildcard over every word
    newest = sorted((a for a in corpus if a.get("date")), key=lambda a: a["date"], reverse=True)
    assert headlines(page)[:3] == [a["title"] for a in newest[:3]]

    page.goto(site.host_page())
    widget = page.locator("[data-newsarchive]")
    widget.get_by_role("searchbox", name="Search the archive").fill("*")
    widget.get_by_role("button", name="Search").click()
    pages = -(-len(corpus) // 5)
    expect(widget.get_by_role("status")).to_have_text(f"{len(corpus)} articles, page 1 of {pages}")


def test_a_bad_query_in_the_frame_keeps_the_frame_usable(page: Page, site: Site,
                                                         allow_status: Callable[[int], None]) -> None:
    allow_status(400)
    page.goto(site.host_page("date:junk"))
    frame = page.frame_locator('iframe[title="Archive search"]')
    expect(frame.get_by_role("alert")).to_contain_text("date:junk is not a date")
    expect(frame.locator("header.site-header")).to_have_count(0)  # the embed layout, not the site's
    expect(frame.get_by_role("searchbox", name="Search newsarchive")).to_have_value("date:junk")
    expect(frame.get_by_role("search")).to_have_attribute("action", "/embed")

    frame.get_by_role("searchbox", name="Search newsarchive").fill("comet")
    frame.get_by_role("button", name="Search").click()
    # The corrected search runs inside the frame (a page that refuses framing would show nothing here).
    expect(frame.locator(".results .hit-headline a")).to_have_text(["Comet visible to the naked eye"])
    assert page.url == site.host_page("date:junk")


def test_typing_a_date_waits_for_the_whole_date(open_page: Callable[..., Page], corpus: Corpus) -> None:
    page = open_page(locale="en-US")
    page.goto(f"/?q={WORD}")
    start = page.url
    page.get_by_label("From", exact=True).click()
    page.keyboard.type("03012020")  # month, day, year, as the field reads in en-US
    page.wait_for_timeout(300)  # time for a search the typing might have fired
    assert page.url == start  # nothing sent mid-typing (it was from=0002-03-01 at the first digit of the year)
    expect(page.get_by_label("From", exact=True)).to_be_focused()

    _leave(page, "From")  # leaving the field with a complete date applies it
    expect(page).to_have_url(re.compile(r"from=2020-03-01"))
    expect(page.get_by_role("combobox", name="Search articles")).to_have_value(WORD)
    after = [a for a in matching(corpus, WORD) if a["date"] >= "2020-03-01"]
    expect(summary(page)).to_contain_text(f"{len(after)} articles")

    page.get_by_label("To", exact=True).click()
    page.keyboard.type("12312020")
    page.keyboard.press("Enter")  # Enter applies it too
    expect(page).to_have_url(re.compile(r"from=2020-03-01&to=2020-12-31|to=2020-12-31.*from=2020-03-01"))
    within = [a for a in after if a["date"] <= "2020-12-31"]
    expect(summary(page)).to_contain_text(f"{len(within)} articles")


def _leave(page: Page, label: str) -> None:
    """Press Tab until focus leaves a date field (Chromium's date field takes a Tab for its own picker first).

    Leaving it applies the date, and after that reload focus comes back to the field: so stop once the page goes.
    """
    field = page.get_by_label(label, exact=True)
    start = page.url
    for _ in range(4):
        if page.url != start or not field.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
        page.wait_for_timeout(100)
    raise AssertionError(f"Tab did not leave the {label} field")


def test_after_back_the_sidebar_shows_the_search_of_the_url(page: Page, corpus: Corpus) -> None:
    page.goto(f"/?q={WORD}")
    sort_link(page, "Newest first").click()
    expect(page).to_have_url(re.compile(r"sort=newest"))
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"sort="))
    expect(sort_link(page, "Relevance")).to_have_attribute("aria-current", "true")
    expect(sort_link(page, "Newest first")).not_to_have_attribute("aria-current", "true")

    facet(page, "Topic", "business").check()  # the next choice adds only itself
    expect(page).to_have_url(re.compile(r"topic=business"))
    assert "sort=newest" not in page.url
    expect(chips(page)).to_have_text(["Topic: business ×"])

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"topic="))
    expect(facet(page, "Topic", "business")).not_to_be_checked()
    expect(chips(page)).to_have_count(0)
    expect(summary(page)).to_contain_text(f"{len(matching(corpus, WORD))} articles")
    facet(page, "Topic", "weather").check()
    expect(page).to_have_url(re.compile(r"topic=weather"))
    assert "business" not in page.url


def test_back_to_the_results_keeps_the_whole_search_and_steps_through_it(page: Page, corpus: Corpus) -> None:
    topics = ["agriculture", "weather"]
    found = sorted((a for a in matching(corpus, WORD, topic=topics) if "2019-01-01" <= a["date"] <= "2022-12-31"),
                   key=lambda a: a["date"], reverse=True)
    search = f"/?q={WORD}&topic=agriculture&topic=weather&from=2019-01-01&to=2022-12-31&sort=newest&page=2"
    page.goto(search)
    expect(summary(page)).to_contain_text(f"{len(found)} articles, showing 11–")
    assert len(found) == 13
    page.locator(".results .hit-headline a").nth(1).click()  # the 12th of the search
    expect(page.get_by_role("heading", level=1)).to_have_text(found[11]["title"])
    trail = page.get_by_role("navigation", name="Results of the search")
    expect(trail).to_contain_text("12 of 13")

    trail.get_by_role("link", name="Next »").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(found[12]["title"])
    expect(trail).to_contain_text("13 of 13")
    expect(trail.get_by_role("link", name="Next »")).to_have_count(0)  # the last one
    trail.get_by_role("link", name="« Previous").click()
    expect(trail).to_contain_text("12 of 13")
    trail.get_by_role("link", name="« Previous").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(found[10]["title"])
    expect(trail).to_contain_text("11 of 13")

    trail.get_by_role("link", name="← Back to the results").click()
    expect(summary(page)).to_contain_text(f"{len(found)} articles, showing 11–")  # page 2 again
    for name in ("page=2", "sort=newest", "topic=agriculture", "topic=weather", "from=2019-01-01", "to=2022-12-31"):
        assert name in page.url, name
    expect(chips(page)).to_have_count(4)
    expect(sort_link(page, "Newest first")).to_have_attribute("aria-current", "true")


def test_a_forged_host_never_reaches_the_links_the_archive_gives(playwright_driver: Playwright,
                                                                  index_folder: Path) -> None:
    # Chromium resolves evil.example to this machine, so its requests carry "Host: evil.example" as a poisoner's.
    server = Server(index_folder, threads=2, settings={"BASE_URL": "https://archive.example.org", "RATE_LIMIT": "0"})
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"])
    try:
        server.wait_ready()
        page = browser.new_page()
        forged = f"http://evil.example:{server.port}"
        page.goto(f"{forged}/?q={WORD}")
        expect(summary(page)).to_contain_text(f"{len(matching(ARTICLES, WORD))} articles")
        feed = page.get_by_role("link", name="Atom feed of this search").get_attribute("href") or ""
        opensearch = page.locator('link[rel="search"]').get_attribute("href") or ""
        for path in (feed, opensearch):
            # Fetched by the page (its resolver, its Host header): the OpenSearch file would start a download.
            text = page.evaluate("path => fetch(path).then(r => r.ok ? r.text() : '')", path)
            # The feed's stylesheet is a path, with no host to forge: browsers apply XSL only from the feed's origin.
            hrefs = [h for h in re.findall(r'(?:href|template)="([^"]+)"', text) if h != "/static/feed.xsl"]
            assert hrefs and all(h.startswith("https://archive.example.org/") for h in hrefs), hrefs
    finally:
        browser.close()
        server.stop()


def test_queries_that_find_nothing_without_a_word_say_what_happened(page: Page, corpus: Corpus,
                                                                    allow_status: Callable[[int], None]) -> None:
    allow_status(400)
    box = page.get_by_role("combobox", name="Search articles")
    for typed, says in [
        (f"{WORD} NOT", "NOT at the end leaves nothing out: put the word to exclude after it"),
        ("date:[2021-03-01 TO 2021-02-01]", "is empty: 2021-03-01 is after 2021-02-01. Write date:[2021-02-01 TO"),
    ]:
        page.goto("/")
        box.first.fill(typed)
        page.keyboard.press("Enter")
        expect(page.get_by_role("alert")).to_contain_text(says)

    found = len(matching(corpus, WORD))
    page.goto(f"/?q={WORD}&page=50")
    expect(page.get_by_role("heading", name="Past the last page")).to_be_visible()
    page.get_by_role("link", name="Go to the last page").click()
    expect(summary(page)).to_contain_text(f"{found} articles, showing 11–{found}")


def test_urls_leave_out_what_is_left_at_its_default(open_page: Callable[..., Page]) -> None:
    for scripted in (True, False):
        page = open_page(java_script_enabled=scripted)
        page.goto(f"/?q={WORD}")
        if not scripted:
            page.get_by_text("Filters", exact=True).click()  # the script opens them where there is room
        facet(page, "Topic", "business").click()
        if not scripted:
            page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"topic=business"))
        assert page.url.endswith(f"/?q={WORD}&topic=business"), (scripted, page.url)  # no sort=, match=, from=


def test_a_misspelt_search_shows_what_the_correction_finds_everywhere(page: Page, site: Site,
                                                                      corpus: Corpus) -> None:
    found = len(matching(corpus, WORD))
    page.goto("/?q=harvst")
    expect(page.locator(".suggestion")).to_have_text(f"Showing results for {WORD}; search instead for harvst")
    expect(summary(page)).to_contain_text(f"{found} articles")
    page.get_by_role("link", name="harvst", exact=True).click()
    expect(page.get_by_role("heading", name="Nothing matched")).to_be_visible()
    expect(page.locator(".suggestion")).to_have_text(f"Did you mean {WORD}?")

    page.goto("/?q=topic:agricultre")  # a facet value too
    expect(page.locator(".suggestion")).to_contain_text("Showing results for topic:agriculture")

    page.goto(site.host_page("harvst"))
    frame = page.frame_locator('iframe[title="Archive search"]')
    expect(frame.locator(".suggestion")).to_contain_text(f"Showing results for {WORD}")
    expect(frame.get_by_role("status")).to_have_text(f"{found} articles, page 1 of {-(-found // 5)}")
    frame.get_by_role("link", name="harvst", exact=True).click()  # stays in the frame
    expect(frame.get_by_role("status")).to_have_text("0 articles")

    widget = page.locator("[data-newsarchive]")
    widget.get_by_role("searchbox", name="Search the archive").fill("harvst")
    widget.get_by_role("button", name="Search").click()
    expect(widget.get_by_role("status")).to_have_text(f"{found} articles, page 1 of {-(-found // 5)}")
    expect(widget.locator(".newsarchive-correction")).to_have_text(
        f"Showing results for {WORD}; search instead for harvst")
    widget.get_by_role("button", name="harvst").click()
    expect(widget.get_by_role("status")).to_have_text("0 articles")


def test_facets_say_how_they_combine_and_show_every_value_without_a_scroll_box(page: Page, corpus: Corpus) -> None:
    page.goto("/?year=2020")
    expect(page.locator(".facet-logic")).to_have_text(re.compile(r"any of them;.*all of them", re.S))
    months = page.get_by_role("group", name="Month")
    expect(months.get_by_role("checkbox", name=re.compile(r"^Sep 2020 \d"))).to_be_visible()  # not "2020-09"

    authors = page.get_by_role("group", name="Author")
    lists = authors.locator("ul")
    assert all(u.evaluate("el => getComputedStyle(el).overflowY") == "visible" for u in lists.all())
    more = authors.locator("details.more")
    expect(more).to_have_count(1)
    hidden = more.get_by_role("checkbox")
    expect(hidden.first).not_to_be_visible()
    more.locator("summary").click()  # a visible "N more"
    expect(hidden.first).to_be_visible()
    name = hidden.first.get_attribute("value") or ""
    hidden.first.click()
    expect(page).to_have_url(re.compile(r"author="))
    # The chosen value is among those shown at once after the reload, and reads the same in its chip.
    expect(page.get_by_role("group", name="Author").locator("> ul").get_by_role(
        "checkbox", name=re.compile(rf"^{re.escape(name)} \d"))).to_be_checked()
    expect(chips(page)).to_contain_text([f"Author: {name} ×"])

    page.goto("/?year=2020")
    facet(page, "Month", "Sep 2020").check()
    expect(chips(page)).to_contain_text(["Month: Sep 2020 ×"])

"""Journeys that broke when people used the search page: each test does what the user did, in Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from .conftest import Site
from .test_search_flow import WORD, Corpus, chips, facet, headlines, matching, summary


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
    expect(widget.get_by_role("status")).to_have_text(f"{len(corpus)} articles")


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

"""Hostile text in articles, queries and facet values shows as text and never runs, with the CSP enforced."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from .conftest import HOSTILE, JAVASCRIPT_URL, PAYLOAD_IMG, PAYLOAD_SCRIPT, PAYLOAD_SVG, PAYLOADS, Site, Watch

TITLE = HOSTILE[0]["title"]
QUERY = "quagga"  # says only the hostile article


def assert_inert(page: Page, watch: Watch) -> None:
    """Nothing the payloads hold ran: no flag set, no dialog, no element that could run or load them."""
    assert page.evaluate("window.__pwned") is None
    assert not watch.dialogs, watch.dialogs
    for frame in page.frames:
        assert frame.evaluate("window.__pwned") is None, frame.url
        assert frame.locator("[onerror], [onload], img[src=x], a[href^='javascript:' i]").count() == 0, frame.url
        assert frame.locator("script:not([src])").count() == 0, frame.url


def test_the_results_page_shows_the_hostile_article_as_text(page: Page, watch_of: Callable[[Page], Watch]) -> None:
    page.goto(f"/?q={QUERY}")
    expect(page.locator(".results .hit-headline a")).to_have_text([TITLE])
    hit = page.locator(".results .hit")
    for payload in PAYLOADS:
        expect(hit.locator(".byline")).to_contain_text(payload)
        expect(hit.locator(".topics")).to_contain_text(payload)
        # Facet values end up in attributes too: the checkbox's value is the text, quotes and all.
        for title in ("Topic", "Author"):
            box = page.get_by_role("group", name=title).get_by_role("checkbox", name=payload)
            expect(box).to_have_attribute("value", payload)
    expect(hit.locator(".snippet")).to_contain_text(PAYLOAD_SCRIPT)  # the snippet is cut before the others
    expect(page.get_by_text(PAYLOAD_SCRIPT).first).to_be_visible()
    assert_inert(page, watch_of(page))


def test_the_article_page_shows_the_hostile_article_as_text(page: Page, watch_of: Callable[[Page], Watch]) -> None:
    page.goto(f"/?q={QUERY}")
    page.locator(".results .hit-headline a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page).to_have_title(re.compile("^" + re.escape(TITLE)))
    body = page.locator(".article-body")
    expect(body).to_have_text(HOSTILE[0]["body"])
    expect(body.locator("mark")).to_have_text(["quagga"])
    meta = page.locator(".article-meta")
    for payload in PAYLOADS:
        expect(meta).to_contain_text(payload)
        expect(meta.get_by_role("link", name=payload, exact=True)).to_be_visible()
    assert_inert(page, watch_of(page))

    meta.get_by_role("link", name=PAYLOAD_SVG, exact=True).click()  # the topic link searches for that topic
    expect(page.get_by_role("link", name=f"Remove Topic: {PAYLOAD_SVG}")).to_be_visible()
    expect(page.locator(".results .hit-headline a")).to_have_text([TITLE])
    assert_inert(page, watch_of(page))


def test_the_embed_page_shows_the_hostile_article_as_text(page: Page, site: Site,
                                                          watch_of: Callable[[Page], Watch]) -> None:
    page.goto(f"/embed?q={QUERY}")
    expect(page.locator(".results .hit-headline a")).to_have_text([TITLE])
    expect(page.get_by_text(PAYLOAD_IMG).first).to_be_visible()
    assert_inert(page, watch_of(page))

    page.goto(site.host_page(QUERY))
    frame = page.frame_locator('iframe[title="Archive search"]')
    expect(frame.locator(".results .hit-headline a")).to_have_text([TITLE])
    assert_inert(page, watch_of(page))


def test_the_embed_widget_shows_the_hostile_article_as_text(page: Page, site: Site,
                                                            watch_of: Callable[[Page], Watch]) -> None:
    page.goto(site.host_page())
    widget = page.locator("[data-newsarchive]")
    widget.get_by_role("searchbox", name="Search the archive").fill(QUERY)
    widget.get_by_role("button", name="Search").click()
    expect(widget.get_by_role("link")).to_have_text([TITLE])
    expect(widget.locator(".newsarchive-snippet mark")).to_have_text(["quagga"])
    expect(widget.locator(".newsarchive-snippet")).to_contain_text(PAYLOAD_SCRIPT)
    assert_inert(page, watch_of(page))

    # A query that is itself a payload, sent through the widget: the API's answer is shown as text too.
    for payload in PAYLOADS:
        widget.get_by_role("searchbox", name="Search the archive").fill(payload)
        widget.get_by_role("button", name="Search").click()
        expect(widget.get_by_role("status")).not_to_have_text("Searching…")
        expect(widget.get_by_role("status")).not_to_be_empty()
        assert_inert(page, watch_of(page))


@pytest.mark.parametrize("payload", PAYLOADS, ids=["script", "img", "svg"])
def test_a_query_that_is_a_payload_is_shown_as_text(page: Page, payload: str,
                                                    watch_of: Callable[[Page], Watch]) -> None:
    page.goto("/?q=" + quote(payload))
    expect(page.get_by_role("combobox", name="Search articles")).to_have_value(payload)
    expect(page).to_have_title(f"{payload} – newsarchive")
    expect(page.get_by_role("status")).to_be_visible()
    assert_inert(page, watch_of(page))

    page.goto("/embed?q=" + quote(payload))
    expect(page.get_by_role("searchbox", name="Search newsarchive")).to_have_value(payload)
    assert_inert(page, watch_of(page))


@pytest.mark.parametrize("payload", [*PAYLOADS, "<img src=x onerror=window.__pwned='facet'>"],
                         ids=["script", "img", "svg", "unknown-img"])
def test_a_facet_value_that_is_a_payload_is_shown_as_text(page: Page, payload: str,
                                                          watch_of: Callable[[Page], Watch]) -> None:
    page.goto("/?topic=" + quote(payload))
    expect(page.get_by_role("link", name=f"Remove Topic: {payload}")).to_have_text(f"Topic: {payload} ×")
    box = page.get_by_role("group", name="Topic").get_by_role("checkbox", name=payload)
    expect(box).to_be_checked()
    expect(box).to_have_attribute("value", payload)
    found = 1 if payload in PAYLOADS else 0  # the hostile article has the first three as topics
    expect(page.get_by_role("status")).to_contain_text(f"{found} article" if found else "No articles found")
    assert_inert(page, watch_of(page))


def test_a_javascript_url_is_not_a_link(page: Page, site: Site, watch_of: Callable[[Page], Watch]) -> None:
    evil = HOSTILE[1]
    page.goto("/?q=zebra")
    expect(page.locator(".results .hit-headline a")).to_have_text([evil["title"]])
    assert_inert(page, watch_of(page))

    page.locator(".results .hit-headline a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(evil["title"])
    expect(page.locator(".article-meta")).not_to_contain_text("Original")
    expect(page.get_by_role("link", name=JAVASCRIPT_URL)).to_have_count(0)
    assert_inert(page, watch_of(page))

    page.goto("/embed?q=zebra")
    expect(page.locator(".results .hit-headline a")).to_have_text([evil["title"]])
    assert_inert(page, watch_of(page))

    page.goto(site.host_page())
    widget = page.locator("[data-newsarchive]")
    widget.get_by_role("searchbox", name="Search the archive").fill("zebra")
    widget.get_by_role("button", name="Search").click()
    expect(widget.get_by_role("link")).to_have_text([evil["title"]])
    assert_inert(page, watch_of(page))


def test_the_shared_corpus_hostile_article_never_opens_a_dialog(page: Page,
                                                                watch_of: Callable[[Page], Watch]) -> None:
    # tests/conftest.py's corpus has its own payloads, which call alert(): a dialog would be recorded.
    page.goto("/?q=hostile")
    expect(page.locator(".results .hit-headline a")).to_have_text(["<script>alert(1)</script> hostile headline"])
    page.locator(".results .hit-headline a").click()
    expect(page.locator(".article-body")).to_contain_text("Payload <img src=x onerror=alert(2)> inside")
    assert_inert(page, watch_of(page))

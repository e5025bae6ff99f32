"""Copies of a wire story in a real browser: the page shows the story once, its copies behind "Also ran in", the
toggle to every copy and the link to a whole story; the same inside another site's frame, and without JavaScript."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .conftest import STORY, Site

QUERY = "glassworks museum"
ALSO_RAN = "Also ran in 3 outlets (3 versions)"


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
def test_a_story_shows_once_and_opens_to_its_copies(open_page: Callable[..., Page], script: bool) -> None:
    page = open_page(java_script_enabled=script)
    page.goto(f"/?q={QUERY}")
    expect(page.get_by_role("status")).to_contain_text("1 story (3 articles)")
    hits = page.locator("li.hit")
    expect(hits).to_have_count(1)
    expect(hits.get_by_role("link", name=STORY[0]["title"])).to_be_visible()  # the earliest version
    copies = hits.locator("details.copies")
    expect(copies.locator("summary")).to_have_text(ALSO_RAN)
    copy_link = copies.get_by_role("link", name=STORY[1]["title"])
    expect(copy_link).to_be_hidden()
    copies.locator("summary").click()
    expect(copy_link).to_be_visible()
    expect(copies.get_by_role("link", name=STORY[2]["title"])).to_be_visible()
    expect(copies).to_contain_text("Gazette")
    copy_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STORY[1]["title"])


def test_every_copy_is_a_toggle_away_and_each_links_its_story(page: Page) -> None:
    page.goto(f"/?q={QUERY}")
    page.get_by_role("navigation", name="Copies of a story").get_by_role("link", name="Every copy").click()
    expect(page.locator("li.hit")).to_have_count(3)
    expect(page.get_by_role("status")).to_contain_text("3 articles")
    expect(page.get_by_role("link", name="Every copy")).to_have_attribute("aria-current", "true")
    page.locator("li.hit").first.get_by_role("link", name=ALSO_RAN).click()
    expect(page.locator("li.hit")).to_have_count(3)  # the whole story, oldest first
    expect(page.locator("li.hit h2").first).to_have_text(STORY[0]["title"])
    expect(page.get_by_role("region", name="Selected filters")).to_contain_text("Story s")
    page.get_by_role("link", name="One per story").click()
    expect(page.locator("li.hit")).to_have_count(1)


def test_the_framed_search_groups_copies_and_opens_them_in_a_new_tab(page: Page, site: Site) -> None:
    page.goto(site.host_page(frame_query=QUERY))
    frame = page.frame_locator("iframe[title='Archive search']")
    expect(frame.get_by_role("status")).to_contain_text("1 story (3 articles)")
    copies = frame.locator("details.copies")
    copies.locator("summary").click()
    link = copies.get_by_role("link", name=STORY[2]["title"])
    expect(link).to_have_attribute("target", "_blank")
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    expect(tab.get_by_role("heading", level=1)).to_have_text(STORY[2]["title"])

"""User journeys through the search page, the article page and the embeds, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from playwright.sync_api import Locator, Page, expect

from .conftest import Site

WORD = "harvest"

Corpus = list[dict[str, Any]]


def _says(article: dict[str, Any], word: str) -> bool:
    text = f"{article.get('title', '')} {article.get('body', '')}".lower()
    return word in re.findall(r"\w+", text)


def _values(article: dict[str, Any], facet: str) -> list[str]:
    value = article.get(facet) or []
    return [value] if isinstance(value, str) else list(value)


def matching(corpus: Corpus, word: str, **selected: list[str]) -> list[dict[str, Any]]:
    """Return the articles that say the word and have one of the selected values of each facet."""
    return [
        a for a in corpus
        if _says(a, word) and all(set(_values(a, facet)) & set(values) for facet, values in selected.items())
    ]


def headlines(page: Page) -> list[str]:
    """Return the headlines of the result list, in order, once the page has loaded.

    Call it after asserting something only the new page shows, so that the page waited for is the new one.
    """
    page.wait_for_load_state()
    return page.locator(".results .hit-headline a").all_inner_texts()


def summary(page: Page) -> Locator:
    """The result count line."""
    return page.get_by_role("status")


def chips(page: Page) -> Locator:
    """The links that remove a selected filter."""
    return page.get_by_role("region", name="Selected filters").get_by_role("link", name=re.compile(r"^Remove "))


def facet(page: Page, title: str, value: str) -> Locator:
    """The checkbox of a facet value in the sidebar (its label reads "value count")."""
    return page.get_by_role("group", name=title).get_by_role("checkbox", name=re.compile(rf"^{re.escape(value)} \d"))


def sort_link(page: Page, label: str) -> Locator:
    """The link of a sort order above the results."""
    return page.get_by_role("navigation", name="Sort by").get_by_role("link", name=label)


def count_shown(box: Locator) -> int:
    """Return the count printed next to a facet value."""
    label = box.page.locator(f'label[for="{box.get_attribute("id")}"] .count')
    return int(label.inner_text().replace(",", ""))


def test_a_search_shows_the_count_the_headlines_and_marked_snippets(page: Page, corpus: Corpus) -> None:
    expected = matching(corpus, WORD)
    page.goto("/")
    page.get_by_role("combobox", name="Search articles").fill(WORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"[?&]q={WORD}\b"))
    expect(summary(page)).to_contain_text(f"{len(expected)} articles, showing 1–10")
    expect(page.locator(".results .hit")).to_have_count(10)
    shown = headlines(page)
    assert len(shown) == 10
    assert set(shown) <= {a["title"] for a in expected}
    for hit in page.locator(".results .hit").all():
        marks = hit.locator(".snippet mark")
        expect(marks.first).to_be_visible()
        assert {m.lower() for m in marks.all_inner_texts()} == {WORD}


def test_facets_narrow_chips_remove_and_clear_all(page: Page, corpus: Corpus) -> None:
    everything = len(matching(corpus, WORD))
    business = len(matching(corpus, WORD, topic=["business"]))
    both = len(matching(corpus, WORD, topic=["business"], source=["Courier"]))
    courier = len(matching(corpus, WORD, source=["Courier"]))
    assert everything > courier > both > 0 and business > both  # each step below changes the total
    page.goto(f"/?q={WORD}")
    expect(page.get_by_role("button", name="Apply filters")).to_be_hidden()  # with JavaScript a choice applies at once

    box = facet(page, "Topic", "business")
    assert count_shown(box) == business
    box.check()
    expect(page).to_have_url(re.compile(r"topic=business"))
    expect(summary(page)).to_contain_text(f"{business} articles")
    expect(chips(page)).to_have_text(["Topic: business ×"])

    box = facet(page, "Source", "Courier")
    assert count_shown(box) == both  # counted with the topic already chosen
    box.check()
    expect(page).to_have_url(re.compile(r"(?=.*topic=business)(?=.*source=Courier)"))
    expect(summary(page)).to_contain_text(f"{both} articles")
    expect(chips(page)).to_have_text(["Topic: business ×", "Source: Courier ×"])
    expect(facet(page, "Topic", "business")).to_be_checked()
    expect(facet(page, "Source", "Courier")).to_be_checked()
    expect(page.locator(".results .hit")).to_have_count(both)
    for meta in page.locator(".results .hit-meta").all_inner_texts():
        assert "business" in meta and "Courier" in meta

    page.get_by_role("link", name="Remove Topic: business").click()
    expect(chips(page)).to_have_text(["Source: Courier ×"])
    expect(summary(page)).to_contain_text(f"{courier} articles")
    assert "topic=" not in page.url
    expect(facet(page, "Topic", "business")).not_to_be_checked()

    page.get_by_role("link", name="Clear all").click()
    expect(chips(page)).to_have_count(0)
    expect(summary(page)).to_contain_text(f"{everything} articles")
    expect(page.get_by_role("combobox", name="Search articles")).to_have_value(WORD)


def test_next_page_shows_other_headlines(page: Page, corpus: Corpus) -> None:
    expected = matching(corpus, WORD)
    page.goto(f"/?q={WORD}")
    first = headlines(page)
    pages = page.get_by_role("navigation", name="Result pages")
    expect(pages.get_by_role("link", name="1", exact=True)).to_have_attribute("aria-current", "page")

    pages.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(summary(page)).to_contain_text(f"{len(expected)} articles, showing 11–{len(expected)}")
    second = headlines(page)
    assert len(second) == len(expected) - 10
    assert not set(first) & set(second)
    assert set(first) | set(second) == {a["title"] for a in expected}
    expect(pages.get_by_role("link", name="2", exact=True)).to_have_attribute("aria-current", "page")
    expect(pages.get_by_role("link", name="1", exact=True)).not_to_have_attribute("aria-current", "page")
    expect(pages.get_by_role("link", name="Next")).to_have_count(0)
    expect(page.locator(".results")).to_have_attribute("start", "11")

    pages.get_by_role("link", name="Previous").click()
    expect(summary(page)).to_contain_text("showing 1–10")
    assert headlines(page) == first


def test_newest_first_lists_dates_in_descending_order(page: Page, corpus: Corpus) -> None:
    newest = max(matching(corpus, WORD), key=lambda a: a["date"])
    page.goto(f"/?q={WORD}")
    sort_link(page, "Newest first").click()

    expect(page).to_have_url(re.compile(r"sort=newest"))
    expect(sort_link(page, "Newest first")).to_have_attribute("aria-current", "true")
    page.wait_for_load_state()
    times = page.locator(".results .hit-meta time")
    expect(times).to_have_count(10)
    dates = [t.get_attribute("datetime") or "" for t in times.all()]
    assert all(dates) and dates == sorted(dates, reverse=True)
    assert headlines(page)[0] == newest["title"]
    expect(times.first).to_have_text(_day(newest["date"]))


def _day(iso: str) -> str:
    """Return a date as the app prints it: 2 October 2020."""
    d = date.fromisoformat(iso[:10])
    return f"{d.day} {d:%B %Y}"


def test_an_article_shows_its_matches_and_related_coverage(page: Page, corpus: Corpus) -> None:
    page.goto(f"/?q={WORD}")
    first = page.locator(".results .hit-headline a").first
    article = next(a for a in corpus if a["title"] == first.inner_text())
    first.click()

    expect(page).to_have_url(re.compile(rf"/articles/{article['id']}\?q={WORD}&n=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(article["title"])
    expect(page).to_have_title(re.compile(re.escape(article["title"])))
    marks = page.locator(".article-body mark")
    expect(marks.first).to_be_visible()
    assert {m.lower() for m in marks.all_inner_texts()} == {WORD}
    expect(page.locator(".article-body")).to_have_text(article["body"].replace("\n\n", ""))

    related = page.get_by_role("complementary", name="Related coverage")
    expect(related.get_by_role("heading", name="Related coverage")).to_be_visible()
    items = related.locator("li")
    assert items.count() >= 2
    for item in items.all():
        expect(item.get_by_role("link")).to_have_count(1)
        expect(item.locator("time")).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$"))
    own = article["date"][:10]
    before = related.locator("h3:text-is('Before') + ul time").all()
    after = related.locator("h3:text-is('After') + ul time").all()
    assert before and after
    assert all((t.get_attribute("datetime") or "") < own for t in before)
    assert all((t.get_attribute("datetime") or "") > own for t in after)

    link = related.get_by_role("link").first
    title = link.inner_text()
    link.click()
    expect(page).to_have_url(re.compile(r"/articles/[\w~-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert title != article["title"]


def test_a_timeline_bar_restricts_the_results_to_its_month(page: Page, corpus: Corpus) -> None:
    in_month = [a for a in matching(corpus, WORD) if a["date"].startswith("2020-09")]
    page.goto(f"/?q={WORD}")
    timeline = page.get_by_role("figure", name=re.compile(r"^Matching articles by month"))
    bars = timeline.locator(".bars li")
    expect(bars).to_have_count(40)  # Jul 2019 to Oct 2022, a bar a month
    bar = timeline.locator(".bars").get_by_role("link", name=re.compile(r"^Sep 2020: "))
    expect(bar).to_have_attribute("aria-label", f"Sep 2020: {len(in_month)} articles")

    bar.click()
    expect(chips(page)).to_have_text(["From 2020-09-01 ×", "To 2020-09-30 ×"])
    expect(summary(page)).to_contain_text(f"{len(in_month)} articles")
    assert sorted(headlines(page)) == sorted(a["title"] for a in in_month)
    expect(page.get_by_label("From", exact=True)).to_have_value("2020-09-01")
    expect(page.get_by_label("To", exact=True)).to_have_value("2020-09-30")


def test_search_and_filters_work_without_javascript(open_page: Callable[..., Page], corpus: Corpus) -> None:
    page = open_page(java_script_enabled=False)
    page.goto("/")
    page.get_by_role("searchbox", name="Search articles").fill(WORD)
    page.keyboard.press("Enter")
    expect(summary(page)).to_contain_text(f"{len(matching(corpus, WORD))} articles")

    page.get_by_text("Filters", exact=True).click()  # closed until opened, without the script to open it
    facet(page, "Topic", "business").check()
    expect(chips(page)).to_have_count(0)  # nothing happens until the form is sent
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"topic=business"))
    expect(chips(page)).to_have_text(["Topic: business ×"])
    expect(summary(page)).to_contain_text(f"{len(matching(corpus, WORD, topic=['business']))} articles")
    page.get_by_text("Filters (1 chosen)").click()
    expect(facet(page, "Topic", "business")).to_be_checked()


def test_the_embed_script_searches_from_another_origin(page: Page, site: Site, corpus: Corpus) -> None:
    expected = {a["title"] for a in matching(corpus, WORD)}
    page.goto(site.host_page())
    widget = page.locator("[data-newsarchive]")
    widget.get_by_role("searchbox", name="Search the archive").fill(WORD)
    widget.get_by_role("button", name="Search").click()

    expect(widget.get_by_role("status")).to_have_text(f"{len(expected)} articles, page 1 of 3")
    hits = widget.locator(".newsarchive-hit")
    expect(hits).to_have_count(5)
    for hit in hits.all():
        link = hit.get_by_role("link")
        assert link.inner_text() in expected
        assert re.fullmatch(re.escape(site.app) + r"/articles/[\w~-]+", link.get_attribute("href") or "")
        expect(link).to_have_attribute("target", "_blank")
        marks = hit.locator(".newsarchive-snippet mark")
        expect(marks.first).to_be_visible()
        assert {m.lower() for m in marks.all_inner_texts()} == {WORD}

    first = hits.first.get_by_role("link")
    title = first.inner_text()
    with page.context.expect_page() as opened:
        first.click()
    tab = opened.value
    expect(tab).to_have_url(re.compile("^" + re.escape(site.app) + "/articles/"))
    expect(tab.get_by_role("heading", level=1)).to_have_text(title)
    assert page.url == site.host_page()  # the host page stays where it was


def test_the_embed_page_works_in_an_iframe_on_another_origin(page: Page, site: Site, corpus: Corpus) -> None:
    page.goto(site.host_page(WORD))
    frame = page.frame_locator('iframe[title="Archive search"]')
    expect(frame.get_by_role("status")).to_have_text(f"{len(matching(corpus, WORD))} articles, page 1 of 3")
    links = frame.locator(".results .hit-headline a")
    expect(links).to_have_count(5)
    for link in links.all():
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("href", re.compile(r"^/articles/"))
    expect(frame.get_by_role("link", name=re.compile(r"^All \d+ results on newsarchive$"))).to_be_visible()

    frame.get_by_role("searchbox", name="Search newsarchive").fill("comet")
    frame.get_by_role("button", name="Search").click()
    expect(frame.locator(".results .hit-headline a")).to_have_text(["Comet visible to the naked eye"])
    assert page.url == site.host_page(WORD)  # the search ran inside the frame


def test_the_keyboard_reaches_the_skip_link_search_box_and_facets(page: Page) -> None:
    page.goto(f"/?q={WORD}")
    search_box = page.get_by_role("combobox", name="Search articles")
    expect(search_box).not_to_be_focused()  # autofocus only on the empty home page: the skip link comes first
    skip = page.get_by_role("link", name="Skip to results")
    assert not _on_screen(skip)

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    assert _on_screen(skip)
    _press_until(page, "Tab", search_box)
    assert not _on_screen(skip)
    box = facet(page, "Topic", "agriculture")
    _press_until(page, "Tab", box)
    page.keyboard.press("Space")
    expect(chips(page)).to_have_text(["Topic: agriculture ×"])

    page.goto("/articles/h05")  # no autofocus here: the first Tab lands on the skip link
    skip = page.get_by_role("link", name="Skip to content")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    assert _on_screen(skip)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def _press_until(page: Page, key: str, target: Locator, limit: int = 40) -> None:
    """Press a key until the target has focus, as a keyboard user would; fail after limit presses."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} did not reach {target} in {limit} presses")


def _on_screen(target: Locator) -> bool:
    """Return whether an element is inside the viewport (visible to a sighted user)."""
    box = target.bounding_box()
    size = target.page.viewport_size
    assert size is not None
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"]

"""Autocomplete in the search box: the WAI-ARIA combobox pattern, driven by keyboard and mouse in a real browser."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, Request, expect

from .test_accessibility import axe_violations, describe

Open = Callable[..., Page]
# Longer than the box's pause before it asks (suggest.js PAUSE_MS): each key press is a pause.
SLOW_MS = 350


def suggest_requests(page: Page) -> list[str]:
    """Start counting the page's requests to /api/suggest; return the list they are added to (their urls)."""
    seen: list[str] = []

    def count(request: Request) -> None:
        if "/api/suggest" in request.url:
            seen.append(request.url)

    page.on("request", count)
    return seen


def test_typing_shows_the_archive_s_words_and_nothing_is_asked_for_one_letter(open_page: Open) -> None:
    page = open_page()
    asked = suggest_requests(page)
    page.goto("/")
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially("h", delay=SLOW_MS)
    page.wait_for_timeout(SLOW_MS)
    assert asked == [] and box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("arv", delay=SLOW_MS)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option").first).to_have_text("harvest13 articles")
    assert [url.split("prefix=")[1] for url in asked] == ["ha", "har", "harv"]
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    assert box.get_attribute("aria-autocomplete") == "list"
    box.press("Backspace")  # typed before: answered from the page's memory, not asked again
    expect(listbox.get_by_role("option").first).to_have_text("harvest13 articles")
    box.press("Backspace")
    box.press("Backspace")  # one letter left: the list closes
    expect(listbox).to_be_hidden()
    assert len(asked) == 3


def test_fast_typing_asks_once_for_the_text_at_the_pause(open_page: Open) -> None:
    page = open_page()
    asked = suggest_requests(page)
    page.clock.install()  # the page's timers on a clock of the test's: the keys come faster than the pause, always
    page.goto("/")
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    page.get_by_role("combobox", name="Search articles").press_sequentially("harvest fes")
    page.clock.run_for(100)  # less than the pause after the last key: nothing asked yet
    page.wait_for_timeout(100)
    assert asked == []
    page.clock.run_for(100)  # the pause has passed
    expect(page.get_by_role("option", name="harvest festival 1 article")).to_be_visible()
    assert [url.split("prefix=")[1] for url in asked] == ["harvest%20fes"]


def test_arrows_move_through_the_options_and_enter_searches_for_one(open_page: Open) -> None:
    page = open_page()
    page.goto("/")
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially("grain m", delay=SLOW_MS)
    options = page.get_by_role("listbox", name="Suggestions").get_by_role("option")
    expect(options.first).to_contain_text("grain merchants")
    assert box.get_attribute("aria-activedescendant") is None
    box.press("ArrowDown")
    first = options.first
    expect(first).to_have_attribute("aria-selected", "true")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    expect(box).to_be_focused()  # focus stays in the box; the option is only highlighted
    box.press("ArrowUp")  # from the first to the last, and back
    expect(options.last).to_have_attribute("aria-selected", "true")
    expect(first).to_have_attribute("aria-selected", "false")
    box.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url("/?q=grain+merchants")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “grain merchants”")


def test_escape_closes_the_list_and_keeps_the_text(open_page: Open) -> None:
    page = open_page()
    page.goto("/")
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially("harv", delay=SLOW_MS)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    box.press("ArrowDown")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("harv")
    assert box.get_attribute("aria-expanded") == "false" and box.get_attribute("aria-activedescendant") is None
    box.press("Alt+ArrowDown")  # opens it again
    expect(listbox).to_be_visible()
    box.press("Enter")  # nothing highlighted: the search runs as typed
    expect(page).to_have_url("/?q=harv")


def test_a_headline_goes_to_its_article_and_a_story_shows_once(open_page: Open) -> None:
    page = open_page()
    page.goto("/articles/h05")  # the header's box on every other page
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially("glassw", delay=SLOW_MS)
    articles = page.get_by_role("group", name="Go to article").get_by_role("option")
    expect(articles).to_have_count(1)  # three outlets ran the story: it is offered once
    expect(articles.first).to_contain_text("Canal glassworks will be a museum")  # its newest copy
    articles.first.click()
    expect(page).to_have_url("/articles/g03")


def test_article_text_shows_as_text(open_page: Open) -> None:
    page = open_page()
    page.goto("/")
    page.get_by_role("combobox", name="Search articles").press_sequentially("quag", delay=SLOW_MS)
    headline = page.get_by_role("group", name="Go to article").get_by_role("option").first
    expect(headline).to_contain_text('Quagga report <script>window.__pwned = "script"</script>')
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None


def test_the_open_list_has_no_accessibility_violations(open_page: Open) -> None:
    page = open_page(bypass_csp=True)  # for axe-core, injected
    page.goto("/")
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially("gra", delay=SLOW_MS)
    expect(page.get_by_role("group", name="Go to article")).to_be_visible()
    box.press("ArrowDown")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_without_javascript_the_box_is_a_plain_search_box(open_page: Open) -> None:
    page = open_page(java_script_enabled=False)
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search articles")
    box.fill("harvest")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “harvest”")
    expect(page.get_by_role("listbox")).to_have_count(0)

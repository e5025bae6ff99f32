"""Citing in a real browser: ticked results download as BibTeX with JavaScript off, and /cite links its permalink."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from ..test_citations import parse_bibtex


def test_ticked_results_download_as_one_bibtex_file_without_javascript(open_page: Callable[..., Page]) -> None:
    page = open_page(java_script_enabled=False, accept_downloads=True)
    page.goto("/?q=harvest&sort=oldest")
    boxes = page.locator("input[form=cite-selected]")
    expect(boxes).to_have_count(10)
    ids = [boxes.nth(n).get_attribute("value") for n in (0, 2)]
    page.get_by_label("Cite “Wheat harvest begins early in the valley”").check()
    boxes.nth(2).check()
    with page.expect_download() as info:
        page.get_by_role("button", name="BibTeX").click()
    download = info.value
    assert download.suggested_filename.startswith("newsarchive-selection-") and download.suggested_filename.endswith(
        ".bib")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert [key for _, key, _ in parse_bibtex(text)] == ids


def test_the_cite_page_is_reached_from_the_results_and_links_its_permalink(page: Page) -> None:
    page.goto("/?q=harvest&topic=agriculture")
    page.get_by_role("link", name="Cite this search").click()
    expect(page.get_by_role("heading", name="Cite this search")).to_be_visible()
    permalink = page.locator(".cite-permalink")
    permalink.click()
    expect(page.get_by_role("status")).to_contain_text("Same index.")
    expect(page.locator(".cite-canonical")).to_have_text("q=harvest&topic=agriculture")

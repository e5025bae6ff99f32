"""Synonyms and languages as a reader meets them: "Also searched" and its switch, the language facet narrowing a
search to the French articles, stemmed as French. An app of its own, served with a synonyms file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from .conftest import serving_archive
from .test_search_flow import chips, facet

ARTICLES = [
    {"id": "m1", "title": "Army seizes power in Myanmar", "body": "Soldiers detained the elected leaders.",
     "date": "2021-02-01", "source": "Wire"},
    {"id": "b1", "title": "Burma's generals take over", "body": "A state of emergency was declared.",
     "date": "2021-02-02", "source": "Courier"},
    {"id": "fr1", "title": "Les agriculteurs manifestent à Paris",
     "body": "Des centaines d'agriculteurs ont manifesté mardi contre la baisse des prix du lait.",
     "date": "2021-03-02", "source": "Le Courrier", "language": "fr"},
    {"id": "fr2", "title": "Un agriculteur breton témoigne",
     "body": "Cet agriculteur élève des vaches laitières depuis trente ans et craint pour son exploitation.",
     "date": "2021-03-03", "source": "Le Courrier", "language": "fr"},
    {"id": "en1", "title": "Dairy farmers protest in Paris",
     "body": "Hundreds of farmers, agriculteurs as the French say, marched against falling milk prices.",
     "date": "2021-03-02", "source": "Wire"},
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The articles above indexed and served with a synonyms file naming Myanmar and Burma as one."""
    folder = tmp_path_factory.mktemp("synonyms-languages")
    synonyms = folder / "synonyms.txt"
    synonyms.write_text("Myanmar, Burma\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSARCHIVE_SYNONYMS", str(synonyms))
        with serving_archive(folder, ARTICLES) as url:
            yield url


def headlines(page: Page) -> list[str]:
    page.wait_for_load_state()
    return sorted(page.locator(".results .hit-headline a").all_inner_texts())


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_synonyms_are_said_and_switched_off_and_on(open_page: Callable[..., Page], served: str,
                                                    javascript: bool) -> None:
    page = open_page(java_script_enabled=javascript)
    page.goto(f"{served}/")
    page.get_by_role("combobox", name="Search articles").or_(page.get_by_role("searchbox", name="Search articles")) \
        .fill("burma")
    page.keyboard.press("Enter")
    expect(page.locator(".also-searched")).to_have_text(re.compile(r"^Also searched: Myanmar\s+\(synonyms\)"))
    assert headlines(page) == ["Army seizes power in Myanmar", "Burma's generals take over"]

    page.get_by_role("link", name="Search only for the words as typed").click()
    expect(page).to_have_url(re.compile(r"synonyms=off"))
    expect(page.locator(".also-searched")).to_have_text(re.compile("Synonyms are off for this search"))
    assert headlines(page) == ["Burma's generals take over"]

    page.get_by_role("link", name="Search their synonyms too").click()
    expect(page.locator(".also-searched")).to_contain_text("Also searched: Myanmar")
    assert "synonyms=" not in page.url and len(headlines(page)) == 2


def test_the_language_facet_keeps_the_french_articles_stemmed_as_french(page: Page, served: str) -> None:
    # "manifestaient" is stemmed "manifest" only by the French stemmer (the English one leaves "manifestai"), as is
    # the article's "manifesté": found only because the article is analysed as French.
    page.goto(f"{served}/?q=manifestaient")
    assert headlines(page) == ["Les agriculteurs manifestent à Paris"]
    page.goto(f"{served}/?q=agriculteur")
    expect(page.get_by_role("status")).to_contain_text("3")
    expect(facet(page, "Language", "English")).to_be_visible()
    facet(page, "Language", "French").check()  # applied at once by app.js
    expect(chips(page)).to_have_text(["Language: French ×"])
    expect(page).to_have_url(re.compile(r"language=fr"))
    assert headlines(page) == ["Les agriculteurs manifestent à Paris", "Un agriculteur breton témoigne"]
    expect(page.locator(".results mark").first).to_have_text(re.compile(r"^agriculteurs?$", re.I))

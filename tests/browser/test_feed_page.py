"""The Atom feed of a search, opened in Chromium: a readable page (static/feed.xsl), not raw XML.

Chromium 156 puts its own banner on every page made by XSLT ("This site uses XSLT; that functionality is being
removed from this browser very soon"), an <xslt-warning-banner> whose inline styles and close button the app's
Content-Security-Policy blocks, as it should. Those console errors are the browser's, and allowed here; the test
checks that nothing of the page itself needs an inline style or handler, and leaves the banner out of the axe run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from playwright.sync_api import Page, expect

from .conftest import PAYLOAD_SCRIPT, Allowance, Report
from .test_accessibility import axe_violations, describe
from .test_search_flow import WORD, Corpus, matching, summary

BANNER = "xslt-warning-banner"
BANNER_CSP_ERRORS = (
    "Applying inline style violates the following Content Security Policy directive 'style-src 'self''",
    "Executing inline event handler violates the following Content Security Policy directive 'script-src 'self''",
)
INLINE_OUTSIDE_BANNER = f"""[...document.querySelectorAll('*')].filter(e => e.localName !== '{BANNER}'
    && [...e.attributes].some(a => a.name === 'style' || a.name.startsWith('on'))).map(e => e.outerHTML)"""


def _banner_error(report: Report) -> bool:
    return report.text.startswith(BANNER_CSP_ERRORS)


def test_the_feed_of_a_search_opens_as_a_readable_page(open_page: Callable[..., Page], corpus: Corpus,
                                                       allowed_errors: list[Allowance]) -> None:
    allowed_errors.append(_banner_error)
    page = open_page()  # the app's Content-Security-Policy enforced: it must let the stylesheet and style.css load
    response = page.goto(f"/search.atom?q={WORD}")
    # Served to a browser as XML: Chromium shows an application/atom+xml document as plain text, stylesheet unused.
    assert response is not None and response.headers["content-type"] == "application/xml; charset=utf-8"
    expect(page).to_have_title(f"newsarchive: {WORD} (Atom feed)")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"newsarchive: {WORD}")
    expect(page.get_by_role("main")).to_contain_text("This is an Atom feed of a search; paste its address into a "
                                                     "feed reader")
    newest = sorted(matching(corpus, WORD), key=lambda a: a["date"], reverse=True)
    entries = page.get_by_role("listitem")
    expect(entries.get_by_role("heading", level=3).get_by_role("link")).to_have_text([a["title"] for a in newest])
    day = date.fromisoformat(newest[0]["date"])
    expect(entries.first.locator("time")).to_have_text(f"{day.day} {day:%B %Y}")  # 14 October 2022
    expect(entries.first).to_contain_text(newest[0]["author"])
    expect(entries.first).to_contain_text(newest[0]["body"][:40])

    # An HTML page styled by the site's style.css, not the XML tree Chromium shows for a feed without a stylesheet.
    assert page.evaluate("document.documentElement.outerHTML").startswith('<html lang="en">')
    text = page.locator("body").inner_text()
    assert "<feed" not in text and "xmlns" not in text and "T00:00:00" not in text
    panel = page.evaluate("getComputedStyle(document.querySelector('.feed-about')).backgroundColor")
    assert panel == "rgb(244, 245, 247)"  # --panel in style.css
    assert page.evaluate(INLINE_OUTSIDE_BANNER) == []  # the CSP errors are the banner's, none is the page's

    page.get_by_role("link", name="Open this search in the archive").click()
    expect(summary(page)).to_contain_text(f"{len(newest)} articles")

    # Article text is shown as text: the hostile article's markup does not run and is not lost.
    page.goto("/search.atom?q=quagga")
    expect(page.get_by_role("heading", level=3)).to_contain_text(PAYLOAD_SCRIPT)
    assert page.evaluate("window.__pwned") is None

    checked = open_page(bypass_csp=True)  # so that axe-core can be injected
    checked.goto(f"/search.atom?q={WORD}")
    expect(checked.get_by_role("heading", level=1)).to_be_visible()
    checked.evaluate(f"document.querySelector('{BANNER}')?.remove()")  # the browser's notice, not the page
    violations = axe_violations(checked)
    assert not violations, describe(violations)

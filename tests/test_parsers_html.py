"""HTML article pages: metadata from JSON-LD, Open Graph and meta tags, bodies without boilerplate, encodings."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from indexer.parsers import html
from indexer.records import Article, ParseItem, Skipped

from .webarchives import WEB, page


def _parse(name: str, source: str = "") -> list[ParseItem]:
    return list(html.parse(WEB / name, source))


def _article(name: str, source: str = "") -> Article:
    items = _parse(name, source)
    assert isinstance(items[0], Article), items
    return items[0]


def _problems(items: list[ParseItem]) -> list[tuple[str, str, str]]:
    return [(type(item).__name__, item.where, item.reason) for item in items if not isinstance(item, Article)]


def test_json_ld_in_a_graph_with_references() -> None:
    article = _article("jsonld-graph.html")
    assert article.headline == "Amateur collector finds ichthyosaur jaw at Scarrow Point"
    assert article.author == ("Agnieszka Novák", "Dele Okonkwo-Hart")  # one by @id reference, one inline
    assert article.date == datetime(2022, 9, 6, 16, 20)  # the stated wall-clock time, offset dropped
    assert article.topic == ("Science", "fossils", "Scarrow Point", "Jurassic coast")
    assert article.source == "Northfield Evening Post"  # the publisher, by @id reference
    assert article.url == article.id == "https://northfieldpost.example/science/ichthyosaur-jaw/"
    assert article.body.startswith("A retired postman from Northfield has found the jaw of an ichthyosaur")
    assert article.body.endswith("once it had been studied.")
    assert len(article.body.split("\n\n")) == 4


def test_open_graph_and_article_tags_only() -> None:
    article = _article("opengraph.html")
    assert article.headline == "Harbour seals return to Gullstone sandbar"
    assert article.author == ("Zoë Marchetti", "Callum Reyes-Whitby")  # a profile URL is not a name
    assert article.date == datetime(2021, 11, 2, 18, 5)
    assert article.topic == ("Environment", "wildlife", "Gullstone Island")
    assert article.source == "Kestrel Bay Tribune"
    assert article.url == "https://tribune.example/environment/2021/11/seals-return"
    assert "43 pups this autumn" in article.body


def test_plain_meta_time_and_canonical_link() -> None:
    article = _article("plain-meta.html", source="My Archive")
    assert article.headline == "Lowmoor library reopens after flood repairs"  # from the page title
    assert article.author == ("Hollis Grant", "Mina Sato")  # "By A and B" in <meta name="author">
    assert article.date == datetime(2020, 5, 12, 10, 30)  # <time datetime>
    assert article.url == "https://www.lowmoor-gazette.example/2020/05/12/library-reopens"
    assert article.source == "lowmoor-gazette.example"  # no publisher named: the domain, before --source
    assert article.topic == ()


def test_json_ld_wins_over_open_graph_where_they_disagree() -> None:
    article = _article("boilerplate.html")
    assert article.headline == "Ferry fares to rise 12% from April, operator confirms"  # og:title is shorter
    assert article.date == datetime(2023, 3, 14, 7, 45)  # article:published_time says 09:00
    assert article.source == "Alder Vale Chronicle"  # og:site_name says "Chronicle Online"
    assert article.topic == ("Transport", "ferries", "Kestrel Bay", "cost of living")  # not og's "News"
    assert article.author == ("Priya Castellanos",)  # "By " dropped


def test_navigation_ads_comments_and_promotions_stay_out_of_the_body() -> None:
    body = _article("boilerplate.html").body
    for sentence in (
        "Island Link will raise fares on its Kestrel Bay crossings by 12% from the first of April",
        "“Fuel is now the largest single cost we carry, ahead of wages,” said Moira Halloran",
        "He has asked the regional transport board to review the operator’s subsidy",
        "Island Link carried 412,000 passengers last year",
    ):
        assert sentence in body
    for boilerplate in (
        "Accept all cookies",  # cookie banner
        "Subscribe from 99p a week",  # navigation
        "Win a luxury fjord cruise",  # ad
        "Coastline Dental",  # sidebar ad
        "Share on Facebook",  # share tools
        "Winter ferry timetable cut",  # related links inside the story
        "Sign up to our free newsletter",  # promotion inside the story
        "Absolute disgrace",  # a comment
        "harbourwatcher",  # a commenter
        "Lighthouse cafe wins national scone award",  # most read
        "All rights reserved",  # footer
        "Ferry fares to rise 12% from April, operator confirms",  # the headline is not repeated
    ):
        assert boilerplate not in body
    assert len(body.split("\n\n")) == 5


def test_page_without_a_date_has_none_unless_one_is_given() -> None:
    article = _article("no-date.html")
    assert (article.date, article.source, article.topic) == (None, "Marrowby Courier", ("Community",))
    captured = datetime(2023, 3, 20, 10, 15)  # a web archive's capture time, say
    undated = html.read_page(page("no-date.html"), date=captured).article
    assert undated is not None and undated.date == captured
    dated = html.read_page(page("opengraph.html"), date=captured).article
    assert dated is not None and dated.date == datetime(2021, 11, 2, 18, 5)  # the page's own date comes first


def test_windows_1252_page_without_a_charset() -> None:
    items = _parse("cp1252-undeclared.html")
    article = items[0]
    assert isinstance(article, Article)
    assert article.headline == "Café Müller puts up the price of breakfast"
    assert "its “fisherman’s breakfast” to £4.50" in article.body
    assert "“We held out as long as we could — the regulars understand,”" in article.body
    assert _problems(items) == []  # nothing wrong: the page declares no charset, so one was detected


def test_latin1_page_with_a_charset_reads_windows_1252_quotes_as_browsers_do() -> None:
    article = _article("latin1-declared.html")
    assert article.headline == "Grünwald bakery wins £2,000 prize"
    assert article.body.split("\n\n")[:2] == [
        "The Grünwald family bakery in Fenwick has won the regional small business prize of £2,000 for its rye "
        "bread and its apprenticeship scheme.",
        "Renée Grünwald, who runs the bakery with her brother, said the money would pay for a second oven. "
        "“It’s the first prize we have ever won,” she said. “Father would have been proud.”",
    ]  # a layout table: its paragraphs one by one, and the headline not repeated
    assert article.date == datetime(2004, 6, 18)


def test_page_in_another_encoding_than_it_declares() -> None:
    items = _parse("wrong-charset.html")
    assert isinstance(items[0], Article)
    assert "to £4.50, its first rise" in items[0].body
    assert _problems(items) == [
        ("Notice", "", "encoding: declared charset 'utf-8' does not fit the bytes; read as cp1252")
    ]


def test_page_declaring_latin1_in_utf8_is_read_as_utf8(tmp_path: Path) -> None:
    text = page("opengraph.html").decode("utf-8").replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    path = tmp_path / "seals.html"
    path.write_bytes(text.encode("utf-8"))
    items = list(html.parse(path, ""))
    assert isinstance(items[0], Article) and items[0].author[0] == "Zoë Marchetti"
    assert _problems(items) == [("Notice", "", "encoding: declared charset 'iso-8859-1', but the bytes are UTF-8")]


def test_charset_of_the_http_header_comes_before_the_page() -> None:
    data = page("cp1252-undeclared.html")
    article = html.read_page(data, charset="windows-1252").article
    assert article is not None and "£4.50" in article.body
    assert html.read_page(data, charset="utf-8").notes == (
        "encoding: declared charset 'utf-8' does not fit the bytes; read as cp1252",
    )


def test_truncated_page_is_indexed_with_a_notice() -> None:
    items = _parse("truncated.html")
    article = items[0]
    assert isinstance(article, Article)
    assert article.headline == "Amateur collector finds ichthyosaur jaw at Scarrow Point"
    assert "but never anything like this,” he said." in article.body  # up to where the file ends
    assert "Curator" not in article.body
    assert _problems(items) == [("Notice", "", "the page ends before </html>: it may be cut short")]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not-found.html", "no article body: 21 words of text and no article markup (an index or error page?)"),
        ("section-index.html", "not an article: the page is marked as 'website'"),
    ],
)
def test_pages_that_are_not_articles_are_skipped(name: str, reason: str) -> None:
    assert _parse(name) == [Skipped(str(WEB / name), "", reason)]


def test_listing_page_in_json_ld_is_skipped(tmp_path: Path) -> None:
    listing = '{"@context": "https://schema.org", "@type": "CollectionPage", "name": "Transport"}'
    text = (
        page("plain-meta.html")
        .decode()
        .replace("</head>", f'<script type="application/ld+json">{listing}</script></head>')
    )
    path = tmp_path / "transport.html"
    path.write_text(text, encoding="utf-8")
    assert list(html.parse(path, "")) == [
        Skipped(str(path), "", "not an article: the page is marked as 'CollectionPage'")
    ]


def test_broken_json_ld_block_leaves_the_other_markup(tmp_path: Path) -> None:
    text = (
        page("opengraph.html")
        .decode()
        .replace(
            "</head>", '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Half</script></head>'
        )
    )
    path = tmp_path / "seals.html"
    path.write_text(text, encoding="utf-8")
    (article,) = list(html.parse(path, ""))
    assert isinstance(article, Article) and article.headline == "Harbour seals return to Gullstone sandbar"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\n ", "empty file"),
        (bytes(range(256)) * 16, "binary file, not text"),
        (b"\x89PNG\r\n\x1a\n" + bytes(2000), "binary file, not text"),
        (b"Just a note, no markup.\n", "no HTML document in the file"),
    ],
    ids=["empty", "blank", "junk", "png", "not html"],
)
def test_files_that_are_not_pages(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "story.html"
    path.write_bytes(content)
    assert list(html.parse(path, "")) == [Skipped(str(path), "", reason)]


@pytest.mark.parametrize(
    ("fallback", "expected"),
    [
        ("https://www.chronicle.example/news/2023/03/ferry-fares-rise?utm_source=feed", "canonical"),
        ("https://chronicle.example/amp/ferry-fares-rise", "canonical"),  # "www." aside, the same site
        ("https://mirror.example/ferry-fares-rise", "fetched"),  # the canonical is another site's
    ],
)
def test_canonical_url_replaces_the_fetched_one_on_the_same_site(fallback: str, expected: str) -> None:
    article = html.read_page(page("boilerplate.html"), url=fallback).article
    canonical = "https://www.chronicle.example/news/2023/03/ferry-fares-rise"
    assert article is not None and article.url == (canonical if expected == "canonical" else fallback)


def test_canonical_link_to_the_home_page_is_not_used() -> None:
    text = (
        page("no-date.html")
        .decode()
        .replace("</head>", '<link rel="canonical" href="https://www.courier.example/"></head>')
    )
    fetched = "https://www.courier.example/community/lido-volunteers"
    article = html.read_page(text, url=fetched).article
    assert article is not None and article.url == article.id == fetched


def test_source_argument_when_the_page_names_no_site(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    shutil.copy(WEB / "plain-meta.html", path)
    text = path.read_text(encoding="utf-8").replace('<link rel="canonical"', '<link rel="alternate"')
    path.write_text(text, encoding="utf-8")
    (article,) = list(html.parse(path, "Lowmoor Gazette"))
    assert isinstance(article, Article) and (article.source, article.url) == ("Lowmoor Gazette", "")


def test_impossible_date_is_left_out_with_a_notice(tmp_path: Path) -> None:
    text = page("opengraph.html").decode().replace("2021-11-02T18:05:00-04:00", "2021-02-30T18:05:00")
    path = tmp_path / "seals.html"
    path.write_text(text, encoding="utf-8")
    items = list(html.parse(path, ""))
    assert isinstance(items[0], Article) and items[0].date is None
    assert _problems(items) == [("Notice", "", "date left out: not a date: '2021-02-30T18:05:00'")]


def test_sniffing() -> None:
    for head in (
        b"<!DOCTYPE html>\n<html>",
        b"\xef\xbb\xbf<!doctype HTML><html>",
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">',
        b"<!-- saved from url=(0042)https://tribune.example/ -->\n<html lang='en'>",
        b"  <html><head><title>x</title>",
    ):
        assert html.sniff(head), head
    for head in (
        b'<?xml version="1.0"?><rss version="2.0">',
        b'{"title": "x"}',
        b"Headline\n\nBy Jane\n",
        b"\x00\x01" * 50,
    ):
        assert not html.sniff(head), head

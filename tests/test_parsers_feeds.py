"""RSS and Atom feeds: full content or summary, authors, categories, dates, and broken feeds."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from indexer.parsers import detect_format, feeds
from indexer.records import Article, ParseItem, Skipped

from .webarchives import WEB

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://wire.example/"><title>Alder Vale Wire</title></channel>
  <item rdf:about="https://wire.example/2019/07/otters">
    <title>Otters return to the Lowmoor</title>
    <link>https://wire.example/2019/07/otters</link>
    <description>Two otters were filmed on the Lowmoor brook for the first time since 1975.</description>
    <dc:date>2019-07-23T06:00:00+01:00</dc:date>
    <dc:creator>Siobhán Kearney</dc:creator>
    <dc:subject>Environment</dc:subject>
  </item>
</rdf:RDF>
"""


def _parse(path: Path, source: str = "") -> list[ParseItem]:
    return list(feeds.parse(path, source))


def _articles(items: list[ParseItem]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def _problems(items: list[ParseItem]) -> list[tuple[str, str, str]]:
    return [(type(item).__name__, item.where, item.reason) for item in items if not isinstance(item, Article)]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rss_with_full_content() -> None:
    items = _parse(WEB / "chronicle.rss", source="My Archive")
    first, second = _articles(items)
    assert first.headline == "Marrowby bypass plan voted down"
    assert first.body == (  # content:encoded, not the one-line description; paragraphs, lines and list items kept
        "Councillors have voted down the £40m Marrowby bypass by 23 votes to 19, ending a plan first drawn up in "
        "2008.\n\nOpponents said the road would have cut through the Lowmoor water meadows.\nSupporters said the "
        "town centre would stay gridlocked.\n\nCost: £40m\n\nLength: 4.2 miles\n\n"
        "The county will now look at a one-way system instead."
    )
    assert first.author == ("Priya Castellanos", "Tomasz Wierzbicki")  # two dc:creator
    assert first.date == datetime(2023, 3, 16, 21, 40)
    assert first.topic == ("Politics", "Marrowby")
    assert (first.id, first.url) == ("chronicle-48213", "https://www.chronicle.example/news/2023/03/bypass-vote")
    assert first.source == "Alder Vale Chronicle"  # the channel title, before the source argument
    # Summary only (an escaped-HTML description), and an RSS <author> with its e-mail address.
    assert second.body == (
        "The Lighthouse Cafe at Scarrow Point has been named the maker of the best scones in the country.\n\n"
        "Owner Bryony Tullis credits clotted cream from a farm two miles away."
    )
    assert second.author == ("Hannah Oyelaran",)
    assert (second.id, second.topic) == ("https://www.chronicle.example/?p=48190", ("Food & Drink",))
    assert _problems(items) == []


def test_atom_with_summaries_only() -> None:
    first, second = _articles(_parse(WEB / "tribune.atom"))
    assert first.headline == "Harbour seals return to Gullstone sandbar"
    assert first.body == "Wardens count 43 pups, the most since records began in 1998."
    assert first.author == ("Zoë Marchetti", "Callum Reyes-Whitby")
    assert first.date == datetime(2021, 11, 2, 18, 5)  # published, not updated; the offset dropped
    assert first.topic == ("Environment", "wildlife")
    assert first.id == "tag:tribune.example,2021:seals-return"
    assert first.url == "https://tribune.example/environment/2021/11/seals-return"
    assert first.source == "Kestrel Bay Tribune"
    assert second.headline == "Ferry timetable: winter sailings cut to four a day"  # an HTML title made text
    assert second.date == datetime(2021, 10, 28, 7, 30)  # no published: updated
    assert second.topic == ("Transport",)


def test_atom_content_comes_before_its_summary(tmp_path: Path) -> None:
    text = (WEB / "tribune.atom").read_text(encoding="utf-8")
    full = (
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Wardens counted 43 pups.</p>'
        "<p>Dogs on leads, please.</p></div></content>\n    <summary"
    )
    path = _write(tmp_path, "tribune.atom", text.replace("<summary", full, 1))
    first = _articles(_parse(path))[0]
    assert first.body == "Wardens counted 43 pups.\n\nDogs on leads, please."


def test_rss_1_0_found_by_content_in_an_xml_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "wire.xml", RDF)
    assert detect_format(path) == "feed"
    (article,) = _articles(_parse(path))
    assert (article.headline, article.author, article.topic) == (
        "Otters return to the Lowmoor",
        ("Siobhán Kearney",),
        ("Environment",),
    )
    assert article.date == datetime(2019, 7, 23, 6, 0)  # dc:date
    assert (article.id, article.source) == ("https://wire.example/2019/07/otters", "Alder Vale Wire")


def test_feed_without_a_title_takes_the_source_argument(tmp_path: Path) -> None:
    text = (
        (WEB / "tribune.atom").read_text(encoding="utf-8").replace('<title type="text">Kestrel Bay Tribune</title>', "")
    )
    sources = {article.source for article in _articles(_parse(_write(tmp_path, "t.atom", text), "Tribune"))}
    assert sources == {"Tribune"}


def test_feed_in_windows_1252(tmp_path: Path) -> None:
    text = RDF.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="windows-1252"?>')
    text = text.replace("Two otters", "“Two otters”, said Zoë,")
    path = tmp_path / "wire.rdf.xml"
    path.write_bytes(text.encode("cp1252"))
    (article,) = _articles(_parse(path))
    assert article.body.startswith("“Two otters”, said Zoë, were filmed")
    assert article.author == ("Siobhán Kearney",)


def test_malformed_feed_keeps_what_it_could_read() -> None:
    path = WEB / "invalid.rss"
    items = _parse(path)
    assert [a.headline for a in _articles(items)] == ["Ferry cancelled: high winds", "Harbour office closed on Monday"]
    assert _problems(items) == [
        ("Notice", "", "malformed feed (mismatched tag at line 7, column 48); 2 items could still be read")
    ]


def test_truncated_feed_keeps_the_entries_before_the_cut() -> None:
    items = _parse(WEB / "truncated.atom")
    first, second = _articles(items)
    assert first.body == "Wardens count 43 pups, the most since records began in 1998."
    assert (second.headline, second.body) == ("Ferry timetable: winter sailings cut to four a day", "")
    assert _problems(items) == [
        ("Notice", "", "malformed feed (no element found at line 28, column 24); 2 entries could still be read")
    ]


def test_entry_without_title_or_text_is_skipped(tmp_path: Path) -> None:
    text = RDF.replace("<title>Otters return to the Lowmoor</title>", "").replace(
        "<description>Two otters were filmed on the Lowmoor brook for the first time since 1975.</description>", ""
    )
    path = _write(tmp_path, "wire.rss", text)
    assert _parse(path) == [Skipped(str(path), "item 1", "no title or text")]


def test_impossible_date_is_left_out_with_a_notice(tmp_path: Path) -> None:
    path = _write(tmp_path, "wire.rss", RDF.replace("2019-07-23T06:00:00+01:00", "sometime soon"))
    items = _parse(path)
    assert [article.date for article in _articles(items)] == [None]
    assert _problems(items) == [("Notice", "item 1", "date left out: not a date: 'sometime soon'")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\n  \n", "empty file"),
        (bytes(range(256)) * 8, "binary file, not text"),
        (b"Service temporarily unavailable\n", "not an RSS or Atom feed: syntax error at line 1, column 0"),
        (
            b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>",
            "not an RSS or Atom feed",
        ),
        (
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
            b"<loc>https://tribune.example/</loc></url></urlset>",
            "not an RSS or Atom feed",
        ),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>',
            "no items in the feed",
        ),
    ],
    ids=["empty", "blank", "binary", "text", "html error page", "sitemap", "no items"],
)
def test_files_that_give_no_items(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "news.rss"
    path.write_bytes(content)
    assert _parse(path) == [Skipped(str(path), "", reason)]


def test_sniffing() -> None:
    for name in ("chronicle.rss", "tribune.atom"):
        assert feeds.sniff((WEB / name).read_bytes()[:4096]), name
    assert feeds.sniff(RDF.encode())
    for head in (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        b"<!DOCTYPE html><html><body>RSS feeds: <a href=feed.rss>subscribe</a></body></html>",
        b'<feed><entry id="1"/></feed>',  # not Atom's namespace
        b'{"title": "x"}',
    ):
        assert not feeds.sniff(head), head

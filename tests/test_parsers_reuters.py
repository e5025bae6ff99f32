"""Reuters-21578 SGML: stories from code-written files, damaged files, and the real 22-file collection."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from indexer.parsers import reuters
from indexer.records import Article, Notice, ParseItem, Skipped

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SGM_DATA = SHARED / "data" / "reuters21578" / "sgm-data"

HEADER = '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
NORMAL = """<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5545" NEWID="2">
<DATE>26-FEB-1987 15:02:20.00</DATE>
<TOPICS><D>earn</D><D>acq</D></TOPICS>
<PLACES><D>usa</D></PLACES>
<PEOPLE></PEOPLE>
<ORGS></ORGS>
<EXCHANGES></EXCHANGES>
<COMPANIES></COMPANIES>
<UNKNOWN> &#5;&#5;&#5;F
&#22;&#22;&#1;f0708&#31;reute
d f BC-STANDARD-OIL   02-26 0101</UNKNOWN>
<TEXT>&#2;
<TITLE>STANDARD OIL &lt;SRD> TO FORM FINANCIAL UNIT</TITLE>
<AUTHOR>    By STEPHEN JUKES AND PHILIP SHEHADI, REUTERS</AUTHOR>
<DATELINE>    CLEVELAND, Feb 26 - </DATELINE><BODY>Standard Oil Co and BP North America
Inc said they plan to form a venture.
    The venture, said a spokesman who told
Reuters.
    It will be called BP/Standard Financial Trading &amp; co.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
"""
BRIEF = """<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5546" NEWID="3">
<DATE> 26-FEB-1987 15:03:27.51</DATE>
<TOPICS></TOPICS>
<TEXT TYPE="BRIEF">&#2;
******<TITLE>ASSETS OF MONEY MARKET MUTUAL FUNDS ROSE 720.4 MLN DLRS
</TITLE>Blah blah blah.
&#3;

</TEXT>
</REUTERS>
"""
UNPROC = """<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5547" NEWID="4">
<DATE>26-FEB-1987  605:12:33.12&#5;&#5;&#5;RM</DATE>
<TOPICS><D>money-supply</D></TOPICS>
<TEXT TYPE="UNPROC">&#2;
FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26
    Two weeks ended Feb 25      daily avgs-mlns
 Net free reserves.............644 vs.....1,337
 REUTER
&#3;
</TEXT>
</REUTERS>
"""
EMPTY_STORY = """<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="1762" NEWID="5">
<DATE> 3-APR-1987 07:09:06.48</DATE>
<TOPICS></TOPICS>
<TEXT TYPE="UNPROC">&#2;
&#3;

</TEXT>
</REUTERS>
"""


def _parse(tmp_path: Path, text: str, name: str = "reut2-test.sgm") -> list[ParseItem]:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    return list(reuters.parse(path, "Ignored Source"))


def _articles(items: list[ParseItem]) -> dict[str, Article]:
    return {item.id: item for item in items if isinstance(item, Article)}


def test_normal_story_fields(tmp_path: Path) -> None:
    article = _articles(_parse(tmp_path, HEADER + NORMAL))["reuters21578:2"]
    assert article.headline == "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT"
    assert article.date == datetime(1987, 2, 26, 15, 2, 20)
    assert article.topic == ("earn", "acq")
    assert article.author == ("Stephen Jukes", "Philip Shehadi")
    assert article.source == "Reuters"
    assert article.url == ""
    assert article.body.startswith("Standard Oil Co and BP North America\nInc said")
    assert article.body.endswith("BP/Standard Financial Trading & co.")
    assert "told\nReuters." in article.body  # prose that ends a line in "Reuters." is not the sign-off
    assert "\x03" not in article.body and "Reuter\n" not in article.body


def test_brief_story_is_title_only(tmp_path: Path) -> None:
    article = _articles(_parse(tmp_path, HEADER + BRIEF))["reuters21578:3"]
    assert article.headline == "ASSETS OF MONEY MARKET MUTUAL FUNDS ROSE 720.4 MLN DLRS"
    assert article.body == ""
    assert article.topic == ()


def test_unprocessed_story_takes_first_line_as_headline(tmp_path: Path) -> None:
    article = _articles(_parse(tmp_path, HEADER + UNPROC))["reuters21578:4"]
    assert article.headline == "FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26"
    assert article.body == (
        "    Two weeks ended Feb 25      daily avgs-mlns\n Net free reserves.............644 vs.....1,337"
    )
    assert article.date == datetime(1987, 2, 26, 5, 12, 33)  # hour "605" and trailing junk
    assert article.topic == ("money-supply",)


def test_story_without_any_text_is_still_indexed(tmp_path: Path) -> None:
    items = _parse(tmp_path, HEADER + EMPTY_STORY)
    assert [(item.id, item.headline, item.body) for item in items if isinstance(item, Article)] == [
        ("reuters21578:5", "(untitled)", "")
    ]


def test_source_argument_does_not_override_reuters(tmp_path: Path) -> None:
    articles = _articles(_parse(tmp_path, HEADER + NORMAL + BRIEF))
    assert len(articles) == 2 and {article.source for article in articles.values()} == {"Reuters"}


def test_byline_variants(tmp_path: Path) -> None:
    bylines = {
        "By Cal Mankowski, Reutersd": ("Cal Mankowski",),
        "By Brad Schade Reuters": ("Brad Schade",),
        "by TED D'AFFLISIO, REUTERS": ("Ted D'Afflisio",),
        "By Colin Brinsden, Reuters.": ("Colin Brinsden",),
        "By Jane Doe, Reuters Correspondent": ("Jane Doe",),
        "By Jonathan Lynn and Anthony Williams": ("Jonathan Lynn", "Anthony Williams"),
        "By Greg McCune": ("Greg McCune",),
    }
    stories = "".join(
        NORMAL.replace('NEWID="2"', f'NEWID="{number}"').replace("By STEPHEN JUKES AND PHILIP SHEHADI, REUTERS", byline)
        for number, byline in enumerate(bylines, start=10)
    )
    articles = _articles(_parse(tmp_path, HEADER + stories))
    assert [articles[f"reuters21578:{number}"].author for number in range(10, 10 + len(bylines))] == list(
        bylines.values()
    )


def test_sign_off_variants_are_cut(tmp_path: Path) -> None:
    endings = ["said.\n REUTER\n", "said.\nREUTER...^M\n", "said. REUTER\n Reuter\n", "said.   reuter\n"]
    stories = "".join(
        NORMAL.replace('NEWID="2"', f'NEWID="{number}"').replace("co.\n Reuter\n", f"co., the company {ending}")
        for number, ending in enumerate(endings, start=20)
    )
    bodies = {article.body[-24:] for article in _articles(_parse(tmp_path, HEADER + stories)).values()}
    assert bodies == {"& co., the company said."}


def test_truncated_file_keeps_earlier_stories_and_skips_the_cut_one(tmp_path: Path) -> None:
    cut = BRIEF[: BRIEF.index("Blah")]
    items = _parse(tmp_path, HEADER + NORMAL + cut)
    assert [item.id for item in items if isinstance(item, Article)] == ["reuters21578:2"]
    skipped = [item for item in items if isinstance(item, Skipped)]
    assert [(s.where, s.reason) for s in skipped] == [("story NEWID=3", "story cut off: no closing </REUTERS> tag")]


def test_file_cut_inside_the_opening_tag_names_the_offset(tmp_path: Path) -> None:
    text = HEADER + NORMAL + '<REUTERS TOPICS="NO" LEWISSPL'
    skipped = [item for item in _parse(tmp_path, text) if isinstance(item, Skipped)]
    assert [(s.where, s.reason) for s in skipped] == [
        (f"offset {len(HEADER + NORMAL)}", "story cut off inside its <REUTERS> tag")
    ]


def test_malformed_story_is_skipped_and_the_rest_goes_on(tmp_path: Path) -> None:
    broken = NORMAL.replace("</TITLE>", "")
    items = _parse(tmp_path, HEADER + broken + BRIEF)
    assert [item.id for item in items if isinstance(item, Article)] == ["reuters21578:3"]
    assert [str(item) for item in items if isinstance(item, Skipped)] == [
        f"{tmp_path / 'reut2-test.sgm'}: story NEWID=2: malformed story: <TITLE> is not closed"
    ]


def test_impossible_date_gives_a_notice(tmp_path: Path) -> None:
    items = _parse(tmp_path, HEADER + BRIEF.replace("26-FEB-1987 15:03:27.51", "31-FEB-1987 15:03:27.51"))
    article = _articles(items)["reuters21578:3"]
    assert article.date is None
    notices = [item for item in items if isinstance(item, Notice)]
    assert [(n.where, n.reason) for n in notices] == [
        ("story NEWID=3", "date left out: not a date: ' 31-FEB-1987 15:03:27.51'")
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"just some text, no stories here\n", "no <REUTERS> stories in the file"),
        (bytes(range(256)) * 20, "binary file, not text"),
    ],
)
def test_file_without_stories_is_one_skipped(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "reut2-bad.sgm"
    path.write_bytes(content)
    assert list(reuters.parse(path, "")) == [Skipped(str(path), "", reason)]


def test_sniff() -> None:
    assert reuters.sniff(HEADER.encode() + NORMAL.encode()[:200])
    assert reuters.sniff(b'<REUTERS TOPICS="NO" NEWID="1">')
    assert not reuters.sniff(b'{"headline": "x"}\n')
    assert not reuters.sniff(b"\x00\x01\x02\x03" * 100)


@pytest.fixture(scope="module")
def collection() -> list[ParseItem]:
    """Every item from the 22 real Reuters-21578 files (parsed once for the module)."""
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent")
    files = sorted(SGM_DATA.glob("reut2-*.sgm"))
    assert len(files) == 22
    return [item for path in files for item in reuters.parse(path, "")]


def test_real_collection_counts(collection: list[ParseItem]) -> None:
    articles = [item for item in collection if isinstance(item, Article)]
    assert len(articles) == 21_578
    assert [item for item in collection if not isinstance(item, Article)] == []
    assert len({article.id for article in articles}) == 21_578
    topics = Counter(topic for article in articles for topic in article.topic)
    assert sum(1 for article in articles if article.topic) == 11_367
    assert (topics["earn"], topics["acq"]) == (3_987, 2_448)
    with_author = [article for article in articles if article.author]
    assert len(with_author) == 875
    names = [name for article in with_author for name in article.author]
    assert not [name for name in names if name.startswith("By ") or "reuter" in name.lower()]


def test_real_collection_dates(collection: list[ParseItem]) -> None:
    articles = [item for item in collection if isinstance(item, Article)]
    dates = [article.date for article in articles if article.date is not None]
    assert len(dates) == 21_578
    assert sum(1 for date in dates if (date.year, date.month) == (1987, 3)) == 11_544
    assert datetime(1987, 2, 26) <= min(dates) and max(dates) < datetime(1987, 10, 21)


def test_real_collection_text(collection: list[ParseItem]) -> None:
    articles = {item.id: item for item in collection if isinstance(item, Article)}
    first = articles["reuters21578:1"]
    assert first.headline == "BAHIA COCOA REVIEW"
    assert first.body.startswith("Showers continued throughout the week in\nthe Bahia cocoa zone")
    assert first.body.endswith("which ends midday on February 27.")
    assert first.topic == ("cocoa",)
    assert all(article.headline for article in articles.values())
    signed = [a.id for a in articles.values() if a.body.rstrip(".").lower().endswith(("reuter", "reuter^m"))]
    assert signed == []
    assert not [a.id for a in articles.values() if any(ord(char) < 9 or char == "\x7f" for char in a.body)]

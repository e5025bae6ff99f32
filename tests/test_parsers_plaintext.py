"""The plain-text article layout: header block, body decisions, files that are not articles, the real sample."""

from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path

import pytest

from indexer.parsers import plaintext
from indexer.parsers.text import tidy_line, tidy_paragraphs
from indexer.records import Article, Notice, ParseItem, Skipped, make_id

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLE = SHARED / "samples" / "connecting-vets-2020-01-22.txt"

ARTICLE = (
    "Harbour ferry returns after winter repairs\n"
    "\n"
    "By Ann Baker and Tom Reed\n"
    "March 3, 2021 - 9:15 am\n"
    "Transport, Local news\n"
    "\n"
    "\n"
    "The harbour ferry\u00a0sailed again on Monday after\u00a0 three months in dry dock.\u00a0\n"
    "\n"
    "Council approves new bus lanes on the coast road\n"
    "\n"
    "Passengers queued before dawn, the operator said. Tickets were free for the day.\n"
    "\n"
    '"It feels like spring," one commuter said.\n'
    "\n"
    "Want more local news? Click here to sign up for our newsletter.\n"
    "\n"
    "Follow us on social media\n"
)


def _parse(tmp_path: Path, text: str, source: str = "", name: str = "story.txt") -> list[ParseItem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(plaintext.parse(path, source))


def _article(items: list[ParseItem]) -> Article:
    articles = [item for item in items if isinstance(item, Article)]
    assert len(articles) == 1, items
    return articles[0]


def test_header_block(tmp_path: Path) -> None:
    article = _article(_parse(tmp_path, ARTICLE, source="Harbour Gazette"))
    assert article.headline == "Harbour ferry returns after winter repairs"
    assert article.author == ("Ann Baker", "Tom Reed")
    assert article.date == datetime(2021, 3, 3, 9, 15)
    assert article.topic == ("Transport", "Local news")
    assert article.source == "Harbour Gazette"
    assert article.url == ""
    assert article.id == make_id(None, "", "Harbour Gazette", article.headline, article.date)


def test_body_paragraphs_related_headlines_and_promotions(tmp_path: Path) -> None:
    article = _article(_parse(tmp_path, ARTICLE))
    assert article.body == (
        "The harbour ferry sailed again on Monday after three months in dry dock.\n\n"
        "Passengers queued before dawn, the operator said. Tickets were free for the day.\n\n"
        '"It feels like spring," one commuter said.'
    )
    assert article.related_headlines == ("Council approves new bus lanes on the coast road",)


def test_lenient_header_without_topic_and_with_two_author_lines(tmp_path: Path) -> None:
    text = "Quiet night in town\n\nAnn Baker\nTom Reed\n2021-03-03 21:00\n\nNothing happened, police said.\n"
    article = _article(_parse(tmp_path, text))
    assert article.author == ("Ann Baker", "Tom Reed")
    assert article.date == datetime(2021, 3, 3, 21, 0)
    assert article.topic == ()
    assert article.body == "Nothing happened, police said."


def test_sentence_after_the_date_starts_the_body(tmp_path: Path) -> None:
    text = "Quiet night in town\n\nMarch 3, 2021\nNothing happened, police said.\n\nThe end came early.\n"
    article = _article(_parse(tmp_path, text))
    assert article.author == ()
    assert article.topic == ()
    assert article.body == "Nothing happened, police said.\n\nThe end came early."


def test_impossible_date_is_left_out_with_a_notice(tmp_path: Path) -> None:
    items = _parse(tmp_path, ARTICLE.replace("March 3, 2021", "February 30, 2021"))
    assert _article(items).date is None
    notices = [item for item in items if isinstance(item, Notice)]
    assert [(n.where, n.reason) for n in notices] == [
        ("line 4", "date left out: not a date: 'February 30, 2021 - 9:15 am'")
    ]


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("# newsarchive\nA search engine.\n\nMore words.\n", "no blank line after the first line of text (line 1)"),
        (
            "# newsarchive\n\nA Python full-text search engine for news archives.\n\n## Install\n",
            "Markdown or other markup (line 1), not an article",
        ),
        (
            "MIT License\n\nCopyright (c) 2020 Jane Doe\n\nPermission is hereby granted, free of charge.\n",
            "a licence, not an article",
        ),
        (
            "Licence\n\n" + "Redistribution and use in source and binary forms is allowed. All rights reserved. " * 3,
            "a licence, not an article",
        ),
        (
            "Results\n\nArsenal | 20 | 3 | 5\nChelsea | 18 | 4 | 6\nEverton | 12 | 8 | 8\nFulham | 10 | 9 | 9\n"
            "Leeds | 9 | 9 | 10\nStoke | 8 | 10 | 10\nWolves | 7 | 11 | 10\n",
            "the text after the headline is not prose (a list, a table or notes)",
        ),
        (
            "Things to do\n\n- buy milk and bread on the way home from the station tonight\n"
            "- call the office about the car insurance renewal and the parking permit\n- book the train\n",
            "the text after the headline is not prose (a list, a table or notes)",
        ),
        ("Note\n\nCall me tomorrow about the car.\n", "too little text after the headline (6 words; an article has "
                                                     "at least 25)"),
        (
            "This is a sentence that starts a file of plain prose and is not a headline at all.\n\n" + "More. " * 30,
            "the first line ends like a sentence, not like a headline",
        ),
        (" ".join(["word"] * 31) + "\n\n" + "A sentence. " * 20, "the first line is too long for a headline (31 "
                                                                 "words; at most 30)"),
        ("A lonely line\n", "nothing after the first line"),
        ("Headline\n\n\n\n", "nothing after the first line"),
        (
            "Headline\n\nJane Doe\nSport\nPolitics\nWeather\nMarch 3, 2021\n\nBody.\n",
            "too little text after the headline (9 words; an article has at least 25)",
        ),
    ],
)
def test_files_not_in_the_layout_are_skipped(tmp_path: Path, text: str, missing: str) -> None:
    items = _parse(tmp_path, text, name="README.txt")
    assert items == [Skipped(str(tmp_path / "README.txt"), "", f"not in the plain-text article layout: {missing}")]
    assert not plaintext.sniff(text.encode())


HEADERLESS = (
    "Ad sales boost Time Warner profit\n"
    "\n"
    "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the three months to "
    "December, from $639m year-earlier.\n"
    "\n"
    "The firm, which is now one of the biggest investors in Google, benefited from sales of high-speed internet "
    "connections and higher advert sales.\n"
    "\n"
    "Time Warner's fourth quarter profits were slightly better than analysts' expectations.\n"
)


def test_headerless_headline_and_body(tmp_path: Path) -> None:
    article = _article(_parse(tmp_path, HEADERLESS, source="BBC"))
    assert article.headline == "Ad sales boost Time Warner profit"
    assert article.body.startswith("Quarterly profits at US media giant TimeWarner jumped 76%")
    assert article.body.endswith("slightly better than analysts' expectations.")
    assert article.body.count("\n\n") == 2  # three paragraphs
    assert (article.author, article.date, article.topic, article.source) == ((), None, (), "BBC")
    assert article.id == make_id(None, "", "BBC", article.headline, None, article.body)


def test_headerless_copies_filed_twice_get_one_id_and_other_stories_their_own(tmp_path: Path) -> None:
    first = _article(_parse(tmp_path, HEADERLESS, name="a.txt"))
    again = _article(_parse(tmp_path, HEADERLESS.replace("\n", "\r\n") + "\n\n", name="b.txt"))
    other = _article(_parse(tmp_path, HEADERLESS.replace("76%", "75%"), name="c.txt"))  # same headline, other text
    assert first.id == again.id != other.id


def test_headerless_body_loses_promotions_and_keeps_related_headlines_apart(tmp_path: Path) -> None:
    text = HEADERLESS + "\nGoogle shares hit a record high\n\nClick here to sign up for our newsletter.\n"
    article = _article(_parse(tmp_path, text))
    assert article.related_headlines == ("Google shares hit a record high",)
    assert "newsletter" not in article.body and "record high" not in article.body


def test_a_first_paragraph_with_a_month_is_not_taken_for_a_date_line(tmp_path: Path) -> None:
    text = "Shares rise\n\nShares rose 5% in December.\n\n" + "Traders bought banks and miners all week. " * 4
    article = _article(_parse(tmp_path, text))
    assert article.date is None and article.body.startswith("Shares rose 5% in December.")


def test_sniff_recognises_only_the_layout_with_a_header_block() -> None:
    # By content (a file without a .txt name) only the header block is distinctive enough to claim a file.
    assert not plaintext.sniff(HEADERLESS.encode())


def test_sniff_accepts_the_layout() -> None:
    assert plaintext.sniff(ARTICLE.encode("utf-8"))
    assert plaintext.sniff(ARTICLE.encode("utf-8")[:120])  # the header block is all sniffing needs


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"  \n\n ", "empty file"), (b"\x00\x01\x02\x03\xff" * 400, "binary file, not text")],
)
def test_empty_and_binary_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(content)
    assert list(plaintext.parse(path, "")) == [Skipped(str(path), "", reason)]
    assert not plaintext.sniff(content)


def test_utf8_bom_and_windows_newlines(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    article = _article(list(plaintext.parse(path, "")))
    assert article.headline == "Harbour ferry returns after winter repairs"
    assert article.date == datetime(2021, 3, 3, 9, 15)


def test_cp1252_curly_quotes(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    text = ARTICLE.replace('"It feels like spring,"', "\u201cIt feels like spring,\u201d").replace("\u00a0", " ")
    path.write_bytes(text.encode("cp1252"))
    article = _article(list(plaintext.parse(path, "")))
    assert "\u201cIt feels like spring,\u201d one commuter said." in article.body


def test_real_sample() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent")
    items = list(plaintext.parse(SAMPLE, ""))
    article = _article(items)
    assert [item for item in items if not isinstance(item, Article)] == []
    assert article.headline == "Did the U.S. take their eye off ISIS for too long?"
    assert article.author == ("Elizabeth Howe",)
    assert article.date == datetime(2020, 1, 22, 16, 7)
    assert article.topic == ("Operation Inherent Resolve",)
    assert article.body.startswith("After the U.S. killed Iranian general Qasem Soleimani")
    assert "That retaliatory Iranian missile strike came days later" in article.body  # NBSPs became spaces
    assert article.related_headlines == (
        "Iraqi bases housing US troops struck with Iranian ballistic missiles",
        "Additional troops flown out of Iraq for injuries from the Iran missile strike",
    )
    assert "Iraqi bases housing" not in article.body
    assert "newsletter" not in article.body
    assert article.body.endswith('were not "serious injuries."')
    assert article.body.count("\n\n") == 6  # seven paragraphs
    assert "\u00a0" not in article.body and "  " not in article.body


WHITESPACE = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]


def test_paragraphs_are_tidied_line_by_line_whatever_the_whitespace() -> None:
    """tidy_paragraphs takes a faster path when a text has only spaces and newlines: the same as tidying each line
    and keeping one blank line between paragraphs, for every kind of Unicode whitespace."""
    rnd = random.Random(29)
    pieces = [*WHITESPACE, "a", "bc", "é", "\u200b", "\n\n\n"]
    texts = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40))) for _ in range(20_000)]
    texts += [f"{space}Oil{space}{space}prices\n{space}\n\n rose{space}" for space in WHITESPACE]
    for text in texts:
        expected = _blank_runs_as_one("\n".join(tidy_line(line) for line in text.split("\n"))).strip()
        assert tidy_paragraphs(text) == expected, repr(text)
    assert tidy_paragraphs(" Oil  prices\u00a0 rose \n\n\n\n\tin March\r\n") == "Oil prices rose\n\nin March"


def _blank_runs_as_one(text: str) -> str:
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text

"""Records of named fields to articles: field-name variants, value shapes, bylines, dates, skips and notices."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import MappingProxyType

import pytest

from indexer.parsers import parse_path
from indexer.parsers.mapping import article_from_mapping
from indexer.records import Article, Notice, Skipped, make_id

from .conftest import write_jsonl


def _article(record: object, source: str = "") -> Article:
    item, notices = article_from_mapping(record, "f.json", "record 1", source)
    assert isinstance(item, Article), item
    assert notices == []
    return item


@pytest.mark.parametrize("key", ["title", "headline", "Name", "TITLE"])
def test_headline_names(key: str) -> None:
    assert _article({key: "  Dam   opens "}).headline == "Dam opens"


@pytest.mark.parametrize(
    "key", ["body", "text", "content", "article", "article_body", "articleBody", "description", "summary"]
)
def test_body_names(key: str) -> None:
    assert _article({"title": "T", key: "The dam opened."}).body == "The dam opened."


def test_blank_values_do_not_hide_later_names() -> None:
    assert _article({"title": "  ", "headline": "Dam opens", "date": "", "published": "2021-06-04"}).headline == (
        "Dam opens"
    )


def test_body_wins_over_summary_and_a_list_of_paragraphs_is_joined() -> None:
    assert _article({"title": "T", "summary": "Short.", "body": ["One.", "Two."]}).body == "One.\n\nTwo."


def test_no_headline_is_invented_but_the_id_stays_stable() -> None:
    from indexer.display import display_headline

    record = {"body": "One two three four five six seven eight nine ten eleven twelve thirteen."}
    article = _article(record)
    assert article.headline == ""  # not indexed as a headline: its words would count twice
    assert display_headline(article).startswith("One two three four five six")
    assert _article(dict(record)).id == article.id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("By Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("Jane Doe; John Roe & Ann Poe", ("Jane Doe", "John Roe", "Ann Poe")),
        ("Jane Doe, John Roe, Ann Poe", ("Jane Doe", "John Roe", "Ann Poe")),
        ("Doe, Jane", ("Doe, Jane",)),
        (["Jane Doe", "john roe", "Jane Doe"], ("Jane Doe", "john roe")),
        ([{"name": "Jane Doe"}, {"name": "John Roe"}], ("Jane Doe", "John Roe")),
        ({"@type": "Person", "name": "Jane Doe"}, ("Jane Doe",)),
    ],
)
def test_authors(value: object, expected: tuple[str, ...]) -> None:
    assert _article({"title": "T", "byline": value}).author == expected


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("date", "2021-06-04", datetime(2021, 6, 4)),
        ("pub_date", "June 4, 2021 - 10:30 am", datetime(2021, 6, 4, 10, 30)),
        ("datePublished", "2021-06-04T10:30:00-04:00", datetime(2021, 6, 4, 10, 30)),
        ("timestamp", 1622802600, datetime(2021, 6, 4, 10, 30)),
        ("timestamp", 1622802600000, datetime(2021, 6, 4, 10, 30)),
        ("created", "1622802600", datetime(2021, 6, 4, 10, 30)),
        ("published", {"$date": "2021-06-04"}, datetime(2021, 6, 4)),
    ],
)
def test_dates(key: str, value: object, expected: datetime) -> None:
    assert _article({"title": "T", key: value}).date == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Politics, City hall; Politics", ("Politics", "City hall")), (["a", "b"], ("a", "b")), ("", ())],
)
def test_topics(value: object, expected: tuple[str, ...]) -> None:
    assert _article({"title": "T", "categories": value}).topic == expected


def test_url_id_and_source_shapes() -> None:
    article = _article({"title": "T", "link": {"href": "https://x.org/a"}, "_id": {"$oid": "abc"}, "site": "X"})
    assert (article.url, article.id, article.source) == ("https://x.org/a", "abc", "X")
    assert _article({"title": "T", "article_id": 42}).id == "42"


def test_id_falls_back_to_a_hash() -> None:
    article = _article({"title": "T", "date": "2021-06-04"}, source="Archive")
    assert article.id == make_id(None, "", "Archive", "T", datetime(2021, 6, 4))


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ([1, 2], "not an object but a list"),
        ("text", "not an object but a string"),
        (None, "not an object but null"),
        ({"date": "2021-06-04", "tags": ["x"]}, "no headline or body (fields found: date, tags)"),
        ({"title": "  ", "body": ""}, "no headline or body (fields found: title, body)"),
    ],
)
def test_skipped_records(record: object, reason: str) -> None:
    assert article_from_mapping(record, "f.json", "record 1", "") == (Skipped("f.json", "record 1", reason), [])


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2021-02-30", "date left out: not a date: '2021-02-30'"),
        ("0001-01-01", "date left out: date out of range: '0001-01-01'"),
    ],
)
def test_impossible_date_gives_a_notice(value: object, reason: str) -> None:
    item, notices = article_from_mapping({"title": "T", "date": value}, "f.json", "record 1", "")
    assert isinstance(item, Article) and item.date is None
    assert notices == [Notice("f.json", "record 1", reason)]


def test_epoch_out_of_range_gives_a_notice() -> None:
    item, notices = article_from_mapping({"title": "T", "date": 10**18}, "f.json", "record 1", "")
    assert isinstance(item, Article) and item.date is None
    assert [notice.reason.startswith("date left out: '1000000000000000000': ") for notice in notices] == [True]


def test_records_of_one_file_map_by_their_own_field_names(tmp_path: Path) -> None:
    # Records repeat their field names, sometimes in another order or spelling: each maps by its own.
    records = [
        {"title": "One", "body": "B1", "tags": "x"},
        {"Title": "Two", "TITLE": "not this spelling", "text": "B2"},
        {"body": "B3", "title": "Three", "tags": "y"},
        {"title": "Four", "body": "B4", "tags": "z"},
        {"TITLE": " ", "Title": "not this spelling either", "text": "B5"},  # the first spelling counts, blank
        {"title": "", "headline": "Six", "summary": "S6", "body": "B6"},
    ]
    path = write_jsonl(tmp_path / "mixed.jsonl", records)
    articles = [item for item in parse_path(path) if isinstance(item, Article)]
    assert [(a.headline, a.body, a.topic) for a in articles] == [
        ("One", "B1", ("x",)),
        ("Two", "B2", ()),
        ("Three", "B3", ("y",)),
        ("Four", "B4", ("z",)),
        ("", "B5", ()),
        ("Six", "B6", ()),
    ]


@pytest.mark.parametrize(
    "record",
    [
        {"Title": "T", "title": "U", "pub_date": "2021-06-04", "tags": "a; b"},
        {"title": " ", "headline": "H", "byline": "By Jane Doe", "people": ["A", "a"]},
    ],
)
def test_any_mapping_gives_the_article_a_dict_gives(record: dict[str, object]) -> None:
    assert _article(MappingProxyType(record)) == _article(dict(record))
    assert _article({1: "one", **record}) == _article(record)  # a key that is not text is read as its text

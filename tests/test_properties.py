"""Property-based tests (hypothesis): the parsers, the query parser and the search service on generated input.

Bounded and deterministic for CI (derandomize=True, a moderate max_examples per property):
- every parser, given arbitrary bytes or random structure in its format, yields only Article, Skipped and Notice;
  articles have a non-empty id, str fields and text without NUL or lone surrogates, within the size limits;
- JSON Lines and CSV round trips: articles written out are read back as they were, up to the normalisation below;
- query text of any kind parses or raises QueryError, and SearchBackend.search raises nothing but QueryError.

The normalisation the mapper applies (indexer/parsers/mapping.py and text.py), which the round trips assume:
- headline, source, url: runs of spaces, tabs and Unicode spaces become one space, the ends are trimmed;
- body: each line so tidied, paragraphs kept apart by exactly one blank line, blank edges dropped;
- author: a list of names, a "; "-separated string or a byline ("By A and B") all give the names in order;
  topic: a list or a "; " or ", " separated string; in both, values equal but for case are kept once (the first);
- date: ISO 8601 text or Unix seconds; a zone offset is dropped and the wall-clock time kept (1600..2200 only);
- id: the explicit id, trimmed. U+FEFF is dropped anywhere in a file, NUL and lone surrogates become U+FFFD: the
  generated text holds none of the three, nor control characters in CSV (a CR there is a line break).
"""

from __future__ import annotations

import csv
import io
import json
import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.backend import SearchBackend, open_backend
from indexer.build import IndexOptions, index_paths
from indexer.errors import QueryError
from indexer.parsers import FORMATS, MAX_BODY_CHARS, MAX_HEADLINE_CHARS, detect_format, parse_path
from indexer.parsers.mapping import (
    AUTHOR_KEYS,
    BODY_KEYS,
    DATE_KEYS,
    HEADLINE_KEYS,
    ID_KEYS,
    SOURCE_KEYS,
    TOPIC_KEYS,
    URL_KEYS,
)
from indexer.records import Article, Notice, ParseItem, Skipped
from indexer.request import FACETS, MATCHES, SORTS, Paging, Search
from indexer.results import SearchPage
from indexer.whoosh.query import make_parser, parse_query
from indexer.whoosh.schema import build_schema

from .conftest import CORPUS, write_jsonl
from .webarchives import Capture, write_warc

BOUNDED = settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW_PARSER = settings(BOUNDED, max_examples=30)  # trafilatura and warcio cost tens of milliseconds a file
_INVALID_TEXT = re.compile("[\x00\ud800-\udfff]")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for generated files, shared by the examples of a module (hypothesis reruns a test many times)."""
    return tmp_path_factory.mktemp("properties")


def _parse(folder: Path, name: str, data: bytes, format: str | None = None) -> list[ParseItem]:
    path = folder / name
    path.write_bytes(data)
    return list(parse_path(path, format))


def _check_items(items: list[ParseItem]) -> None:
    """What every parser promises, whatever it was given."""
    for item in items:
        assert isinstance(item, Article | Skipped | Notice), item
        if isinstance(item, Article):
            texts = [item.id, item.headline, item.body, item.source, item.url]
            assert all(isinstance(text, str) for text in texts)
            lists = [*item.author, *item.topic, *item.related_headlines]
            assert all(isinstance(text, str) for text in lists)
            assert item.id.strip()
            assert item.date is None or isinstance(item.date, datetime)
            assert not any(_INVALID_TEXT.search(text) for text in [*texts, *lists]), item
            assert len(item.headline) <= MAX_HEADLINE_CHARS and len(item.body) <= MAX_BODY_CHARS
        else:
            assert all(isinstance(text, str) for text in (item.path, item.where, item.reason))
            assert item.reason.strip() and not _INVALID_TEXT.search(item.reason)


# --- Arbitrary bytes and random structure, format by format ---------------------------------------------------------

EXTENSIONS = {name: fmt.extensions[0] for name, fmt in FORMATS.items()}
text_bytes = st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass"))
any_bytes = st.one_of(st.binary(max_size=600), text_bytes, st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\n"]))


@BOUNDED
@given(data=any_bytes, format=st.sampled_from(sorted(FORMATS)))
def test_arbitrary_bytes_in_any_format(workdir: Path, data: bytes, format: str) -> None:
    _check_items(_parse(workdir, "input" + EXTENSIONS[format], data))


@BOUNDED
@given(data=any_bytes)
def test_arbitrary_bytes_under_a_name_without_extension_are_sniffed(workdir: Path, data: bytes) -> None:
    path = workdir / "no-extension"
    path.write_bytes(data)
    assert detect_format(path) in (None, *FORMATS)
    _check_items(list(parse_path(path)))


def _spellings(keys: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A field name as files write it: any of the accepted names, in any case."""
    return st.tuples(st.sampled_from(keys), st.sampled_from([str.lower, str.upper, str.title])).map(
        lambda pair: pair[1](pair[0])
    )


KNOWN_KEYS = (HEADLINE_KEYS, BODY_KEYS, AUTHOR_KEYS, DATE_KEYS, TOPIC_KEYS, URL_KEYS, ID_KEYS, SOURCE_KEYS)
any_key = st.one_of(*(_spellings(keys) for keys in KNOWN_KEYS), st.text(max_size=8))
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
    st.sampled_from(["2021-02-31", "yesterday", "0000-01-01", "1e308", "1700000000000", "  ", "By A and B; C"]),
)  # fmt: skip
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_key, inner, max_size=5), max_leaves=12
)
json_records = st.dictionaries(any_key, json_values, max_size=8)


@BOUNDED
@given(records=st.lists(st.one_of(json_records, json_values), max_size=6), ascii_only=st.booleans())
def test_random_json_lines(workdir: Path, records: list[Any], ascii_only: bool) -> None:
    text = "".join(json.dumps(record, ensure_ascii=ascii_only) + "\n" for record in records)
    _check_items(_parse(workdir, "random.jsonl", text.encode("utf-8", "surrogatepass")))


json_documents = st.one_of(
    json_values, st.lists(json_records, max_size=5), st.builds(dict, articles=st.lists(json_records, max_size=4))
)


@BOUNDED
@given(document=json_documents)
def test_random_json_documents(workdir: Path, document: Any) -> None:
    _check_items(_parse(workdir, "random.json", json.dumps(document).encode("utf-8", "surrogatepass")))


csv_cells = st.one_of(st.text(max_size=30), st.sampled_from(['"', '""', '"open', "a,b", "a;b", "\n", "\r\n", "x\x00y"]))


@BOUNDED
@given(
    header=st.lists(st.one_of(*(_spellings(keys) for keys in KNOWN_KEYS), st.text(max_size=6)), min_size=1, max_size=6),
    rows=st.lists(st.lists(csv_cells, max_size=7), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    raw=st.booleans(),
)
def test_random_csv(workdir: Path, header: list[str], rows: list[list[str]], delimiter: str, raw: bool) -> None:
    if raw:  # cells pasted in as they are: unbalanced quotes, ragged rows
        text = "\n".join(delimiter.join(row) for row in [header, *rows])
    else:
        output = io.StringIO()
        csv.writer(output, delimiter=delimiter).writerows([header, *rows])
        text = output.getvalue()
    _check_items(_parse(workdir, "random.csv", text.encode("utf-8", "surrogatepass")))


def _fragments(pieces: list[str]) -> st.SearchStrategy[bytes]:
    """Documents glued from pieces of a format's markup and random text."""
    piece = st.one_of(st.sampled_from(pieces), st.text(max_size=20))
    return st.lists(piece, max_size=25).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass"))


SGML_PIECES = [
    '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n', '<REUTERS TOPICS="YES" NEWID="1">', '<REUTERS NEWID="2">', "<REUTERS",
    "</REUTERS>\n", "<DATE>26-FEB-1987 15:01:01.79</DATE>", "<DATE>31-FEB-1987</DATE>", "<DATE>", "</DATE>",
    '<TEXT TYPE="UNPROC">', '<TEXT TYPE="BRIEF">', "<TEXT>", "</TEXT>", "<TITLE>", "</TITLE>", "<BODY>", "</BODY>",
    "<AUTHOR>By A B, Reuters</AUTHOR>", "<TOPICS><D>earn</D></TOPICS>", "&#3;", "&#127;", "&lt;", "&#xD800;", "\n",
    " Reuter\n", "REUTER^M", "\x00",
]  # fmt: skip
HTML_PIECES = [
    "<!DOCTYPE html>", "<html>", "</html>", "<head>", "</head>", "<body>", "</body>", "<article>", "</article>",
    "<p>", "</p>", "<div>", "<br>", "<title>", "</title>", '<meta charset="utf-8">', '<meta charset="bogus">',
    '<meta property="og:type" content="article">', '<meta property="article:published_time" content="2021-02-31">',
    '<script type="application/ld+json">', "</script>", '{"@type": "NewsArticle", "headline": "H", "author": [[{}]]}',
    '{"@graph": [{"@id": "#a"}, {"@type": "Article", "author": {"@id": "#a"}}]}', "<time datetime='yesterday'>",
    '<link rel="canonical" href="javascript:x">', "&#0;", "&#xD800;", "&nbsp;", "word " * 30, "<![CDATA[", "]]>",
]  # fmt: skip
FEED_PIECES = [
    '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="bogus"?>', '<rss version="2.0">',
    "</rss>", "<channel>", "</channel>", "<item>", "</item>", "<title>", "</title>", "<description>",
    "</description>", "<pubDate>Mon, 01 Jan 99999</pubDate>", "<guid>g</guid>", "<link>http://x/</link>",
    '<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>", "<entry>", "</entry>", '<content type="html">',
    "</content>", "&lt;p&gt;", "&#xD800;", "&#x110000;", "&#0;", "&#99999999999999999999;", "&amp;", "&bogus;",
    "<![CDATA[<p>x</p>", "]]>", '<!DOCTYPE r [<!ENTITY e "&e;&e;">]>', "&e;", "<author>a@b (A B)</author>",
]  # fmt: skip
TEXT_PIECES = [
    "Headline of the story\n", "\n", "\n\n", "By Ann Lee and Bo Li\n", "March 3, 2021 - 9:15 am\n",
    "31 February 2021\n", "Transport, Harbour\n", "Body sentence.\n", "Sign up for our newsletter\n", "\ufeff",
    "\x00", "\r", "\t", "\u00a0",
]  # fmt: skip


@BOUNDED
@given(data=_fragments(SGML_PIECES))
def test_random_reuters_sgml(workdir: Path, data: bytes) -> None:
    _check_items(_parse(workdir, "random.sgm", data))


@SLOW_PARSER
@given(data=_fragments(HTML_PIECES))
def test_random_html(workdir: Path, data: bytes) -> None:
    _check_items(_parse(workdir, "random.html", data))


@BOUNDED
@given(data=_fragments(FEED_PIECES))
def test_random_feeds(workdir: Path, data: bytes) -> None:
    _check_items(_parse(workdir, "random.rss", data))


@BOUNDED
@given(data=_fragments(TEXT_PIECES))
def test_random_plain_text(workdir: Path, data: bytes) -> None:
    _check_items(_parse(workdir, "random.txt", data))


def _sample_warc(folder: Path, compress: bool) -> bytes:
    text = b"word " * 80
    page = b"<html><head><title>Archived</title></head><body><article><p>%s</p></article></body></html>" % text
    captures = [Capture("https://archive.example/story", page), Capture("https://archive.example/x.png", b"\x89PNG")]
    return write_warc(folder / f"sample-{compress}.warc", captures, compress=compress).read_bytes()


@SLOW_PARSER
@given(
    compress=st.booleans(),
    cuts=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.binary(max_size=8)), max_size=4),
    truncate=st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_damaged_warc(workdir: Path, compress: bool, cuts: list[tuple[int, int, bytes]], truncate: int | None) -> None:
    data = _sample_warc(workdir, compress)
    for offset, length, inserted in cuts:  # replace a few stretches of bytes
        offset %= len(data)
        data = data[:offset] + inserted + data[offset + length :]
    if truncate is not None:
        data = data[: truncate % (len(data) + 1)]
    _check_items(_parse(workdir, "damaged.warc.gz" if compress else "damaged.warc", data))


# --- Round trips ----------------------------------------------------------------------------------------------------

# Word characters: letters, marks, numbers, punctuation and symbols of any script, no spaces or controls.
word_chars = st.characters(categories=["L", "M", "N", "P", "S"], exclude_characters="\ufeff")
words = st.text(word_chars, min_size=1, max_size=8)
name_words = st.text(st.characters(categories=["L", "M", "N"]), min_size=1, max_size=8)
value_words = st.text(st.characters(categories=["L", "M", "N", "P", "S"], exclude_characters=",;\ufeff"),
                      min_size=1, max_size=8)  # fmt: skip
SPACES = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u2003", "\u3000", " \t "])


def _line(parts: st.SearchStrategy[str], max_words: int = 8) -> st.SearchStrategy[str]:
    return st.lists(parts, min_size=1, max_size=max_words).map(" ".join)


def _unique(values: list[str]) -> list[str]:
    """The values, each kept once whatever its case (as clean_values keeps them)."""
    kept: dict[str, str] = {}
    for value in values:
        kept.setdefault(value.casefold(), value)
    return list(kept.values())


lines = _line(words)
paragraphs = st.lists(lines, min_size=1, max_size=3).map("\n".join)
bodies = st.lists(paragraphs, max_size=4).map("\n\n".join)
# Names without the words that split a byline ("By A and B"), topics without the separators "," and ";".
names = _line(name_words, 3).filter(lambda n: n.split()[0].casefold() != "by" and "and" not in n.casefold().split())
authors = st.lists(names, max_size=4).map(_unique)
topics = st.lists(_line(value_words, 3), max_size=4).map(_unique)
ids = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00\ufeff"), min_size=1, max_size=30)
dates = st.one_of(st.none(), st.datetimes(min_value=datetime(1600, 1, 1), max_value=datetime(2200, 12, 31)))


@st.composite
def articles(draw: st.DrawFn, csv_safe: bool = False) -> Article:
    """An article as the mapper gives it back: text already in the normal form stated above."""
    article_id = draw(ids.filter(lambda i: i == i.strip() and (not csv_safe or i.isprintable())))
    return Article(
        id=article_id,
        headline=draw(lines),
        body=draw(bodies),
        author=tuple(draw(authors)),
        date=draw(dates),
        topic=tuple(draw(topics)),
        source=draw(st.one_of(st.just(""), _line(words, 3))),
        url=draw(st.one_of(st.just(""), words.map(lambda w: f"https://news.example/{w}"))),
    )


@st.composite
def messy(draw: st.DrawFn, text: str) -> str:
    """The text with its single spaces turned into runs of spaces, tabs and Unicode spaces, and blank lines added."""
    out = [draw(st.sampled_from(["", " ", "\u3000 "]))]
    for char in text:
        if char == " ":
            out.append(draw(SPACES))
        elif char == "\n":
            out.append(draw(st.sampled_from(["\n", " \n", "\n\t"])))
        else:
            out.append(char)
    out.append(draw(st.sampled_from(["", " ", "\t"])))
    return "".join(out)


@st.composite
def written_fields(draw: st.DrawFn, article: Article, as_text: bool) -> dict[str, Any]:
    """The article's fields as a file writes them: field names of any spelling, values in any accepted form."""

    def key(keys: tuple[str, ...]) -> str:
        return draw(_spellings(keys))

    fields: dict[str, Any] = {key(ID_KEYS): article.id, key(HEADLINE_KEYS): draw(messy(article.headline))}
    if article.body:
        body = article.body.replace("\n\n", draw(st.sampled_from(["\n\n", "\n\n\n\n", "\n \n\t\n"])))
        fields[key(BODY_KEYS)] = draw(messy(body))
    if article.author:
        forms: list[object] = ["By " + " and ".join(article.author), "; ".join(article.author)]
        fields[key(AUTHOR_KEYS)] = draw(st.sampled_from(forms if as_text else [*forms, list(article.author)]))
    if article.date is not None:
        offset = draw(st.sampled_from(["", "Z", "+05:30", "-08:00"]))
        stated = article.date.isoformat() + offset
        in_epoch_range = article.date.microsecond == 0 and not offset and datetime(1970, 1, 1) <= article.date
        if not as_text and in_epoch_range and draw(st.booleans()):
            stated = int((article.date - datetime(1970, 1, 1)).total_seconds())  # type: ignore[assignment]
        fields[key(DATE_KEYS)] = stated
    if article.topic:
        forms = ["; ".join(article.topic), ", ".join(article.topic)]
        fields[key(TOPIC_KEYS)] = draw(st.sampled_from(forms if as_text else [*forms, list(article.topic)]))
    if article.source:
        fields[key(SOURCE_KEYS)] = draw(messy(article.source))
    if article.url:
        fields[key(URL_KEYS)] = article.url
    return fields


@BOUNDED
@given(data=st.data(), originals=st.lists(articles(), min_size=1, max_size=3), ascii_only=st.booleans())
def test_json_lines_round_trip(workdir: Path, data: st.DataObject, originals: list[Article], ascii_only: bool) -> None:
    records = [data.draw(written_fields(article, as_text=False)) for article in originals]
    text = "".join(json.dumps(record, ensure_ascii=ascii_only) + "\n" for record in records)
    items = _parse(workdir, "round-trip.jsonl", text.encode())
    assert items == originals


@BOUNDED
@given(data=st.data(), originals=st.lists(articles(csv_safe=True), min_size=1, max_size=3),
       delimiter=st.sampled_from([",", ";", "\t", "|"]))  # fmt: skip
def test_csv_round_trip(workdir: Path, data: st.DataObject, originals: list[Article], delimiter: str) -> None:
    records = [data.draw(written_fields(article, as_text=True)) for article in originals]
    # One spelling per field for the whole file (a header row names each column once).
    columns: dict[str, str] = {}
    for record in records:
        for name in record:
            columns.setdefault(_field_of(name), name)
    output = io.StringIO()
    writer = csv.writer(output, delimiter=delimiter)
    writer.writerow(list(columns.values()))
    for record in records:
        by_field = {_field_of(name): value for name, value in record.items()}
        writer.writerow([by_field.get(field, "") for field in columns])
    items = _parse(workdir, "round-trip.csv", output.getvalue().encode())
    assert items == originals


def _field_of(name: str) -> str:
    folded = name.lower()
    return next(str(i) for i, keys in enumerate(KNOWN_KEYS) if folded in keys)


def test_the_round_trip_dates_keep_wall_clock_time_and_read_epoch_seconds(workdir: Path) -> None:
    """The date normalisation the round trips rely on, shown on two records."""
    zoned = datetime(2021, 3, 4, 18, 30, tzinfo=timezone(timedelta(hours=-5)))
    epoch = int(datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC).timestamp())
    text = json.dumps({"id": "z", "title": "Zoned", "date": zoned.isoformat()}) + "\n"
    text += json.dumps({"id": "e", "title": "Epoch", "published_at": epoch}) + "\n"
    items = _parse(workdir, "dates.jsonl", text.encode())
    assert [(a.id, a.date) for a in items if isinstance(a, Article)] == [
        ("z", datetime(2021, 3, 4, 18, 30)),
        ("e", datetime(2001, 9, 9, 1, 46, 40)),
    ]


# --- The query parser and the search service -------------------------------------------------------------------------

QUERY_PIECES = [
    '"', "'", "(", ")", "[", "]", "{", "}", "*", "?", "~", "~2", "^", "^3", ":", "-", "+", "AND", "OR", "NOT", "TO",
    " ", "date:", "date:[1987 TO", "date:{2020 TO 2021}", "date:1987-13-45", "headline:", "title:", "by:", "year:",
    "month:", "id:", "url:", "body:", "unknown:", "1987", "é", "ǅ", "İ", "ſ", "ﬀ", "\x00", "\ud800", "\udfff", "\\",
    "/", "*e*", "st*", "rat~", "1.5", "-1", '"interest rates"~3', "storm", "the", "\u200b", "\ufeff",
]  # fmt: skip
queries = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=4)), max_size=12).map("".join),
    st.lists(st.sampled_from(QUERY_PIECES), max_size=12).map(" ".join),
    st.text(min_size=990, max_size=1100, alphabet=string.ascii_letters + " *"),
)


@pytest.fixture(scope="module")
def parsers() -> dict[str, Any]:
    """The query parsers of a fresh schema, one per match mode."""
    schema = build_schema()
    return {match: make_parser(schema, match) for match in MATCHES}


@settings(BOUNDED, max_examples=600)
@given(text=queries, match=st.sampled_from(MATCHES))
def test_query_text_parses_or_raises_query_error(parsers: dict[str, Any], text: str, match: str) -> None:
    try:
        parse_query(parsers[match], text)
    except QueryError as err:
        assert str(err)


@pytest.fixture(scope="module")
def search_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchBackend]:
    """A search service over the small corpus of conftest.py, for the whole module."""
    folder = tmp_path_factory.mktemp("search")
    index_paths([write_jsonl(folder / "corpus.jsonl", CORPUS)], open_backend(folder=folder / "index"),
                             IndexOptions(procs=1))
    svc = open_backend(folder=folder / "index")
    yield svc
    svc.close()


facet_values = st.lists(
    st.one_of(st.sampled_from(["economy", "Jane Doe", "Gazette", "2020", "2020-01", "", " ", "\x00", "\ud800"]),
              st.text(max_size=10)),
    max_size=3,
).map(tuple)  # fmt: skip
optional_dates = st.one_of(st.none(), st.dates())
searches = st.builds(
    Search,
    query=queries,
    **{name: facet_values for name in FACETS},
    date_from=optional_dates,
    date_to=optional_dates,
    sort=st.one_of(st.sampled_from(SORTS), st.text(max_size=5)),
    match=st.one_of(st.sampled_from(MATCHES), st.text(max_size=5)),
)
pagings = st.builds(
    Paging,
    page=st.integers(-3, 10**12),
    per_page=st.integers(-3, 10**6),
    facet_limit=st.integers(-3, 10**9),
)


@settings(BOUNDED, max_examples=250)
@given(search=searches, paging=pagings)
def test_search_raises_nothing_but_query_error(search_service: SearchBackend, search: Search, paging: Paging) -> None:
    try:
        page = search_service.search(search, paging)
    except QueryError as err:
        assert str(err)
        return
    assert isinstance(page, SearchPage)
    assert 0 <= len(page.hits) <= paging.per_page and page.total >= 0


# --- Regressions found by these properties --------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_wildcard_query_is_no_crash(search_service: SearchBackend) -> None:
    """A JSON API client can send "\\ud800*"; Whoosh could not encode it when expanding the wildcard."""
    assert search_service.search(Search(query="\ud800*")).total == 0
    storms = search_service.search(Search(query="storm")).total
    assert storms > 0 and search_service.search(Search(query="storm\udfff")).total == storms


def test_a_number_too_long_for_python_is_a_skipped_line_not_a_crash(workdir: Path) -> None:
    items = _parse(workdir, "digits.jsonl", b'{"title": "x", "n": ' + b"1" * 5000 + b"}\n")
    assert [(type(i).__name__, i.where) for i in items if not isinstance(i, Article)] == [("Skipped", "line 1")]
    path = workdir / "digits-no-extension"
    path.write_bytes(b'{"title": 1' + b"1" * 5000 + b"}\n")
    assert detect_format(path) == "jsonl"  # sniffing reads the first line too

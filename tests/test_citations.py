"""Citations (indexer/citations.py) read back as their formats say: RIS line by line, BibTeX with a small parser that
counts braces as BibTeX does, CSL-JSON with json; hostile text stays inside its value; keys are stable and unique."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest

from indexer.citations import Archive, SearchCitation, bibtex, bibtex_key, citations, csl_item, name_parts, ris
from indexer.records import Article
from indexer.request import Search
from indexer.results import IndexFingerprint

ARCHIVE = Archive("Valley Courier", lambda article_id: f"https://archive.example/articles/{article_id}")
FED = Article(id="a1", headline="Fed raises interest rates again", body="The Federal Reserve raised rates.",
              author=("Jane Doe", "Reuters Staff"), date=datetime(2020, 1, 15, 9), source="Daily Planet",
              url="https://planet.example/fed")
# Text that ends a RIS line, a BibTeX value or entry, or a JSON string, if written as it is.
EVIL = 'Rates}, title = {pwned} @misc{x, % 100\\% \\end{document}\r\nER  - \nTY  - JOUR'
HOSTILE = Article(id="evil:1/ä", headline=EVIL, body="", author=("O'Brien, Seán", "Tom and Jerry", "}{"),
                  date=datetime(1987, 3, 9),
                  source='Gazette "&" #1 ~ ^ _ $', url="javascript:alert(1)")
UNDATED = Article(id="a7", headline="", body="A story with no date about the storm.", source="")

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """Return RIS records as {tag: [values]}, failing on any line that is not `TAG  - value` (or blank)."""
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    assert "\n" not in text.replace("\r\n", ""), "every line ends with CR LF"
    for line in text.split("\r\n"):
        if not line:
            continue
        match = _RIS_LINE.match(line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = {"TY": [value]}
            continue
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            records.append(current)
            current = None
            continue
        current.setdefault(tag, []).append(value)
    assert current is None, "a record without ER"
    return records


def parse_bibtex(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """Return (type, key, fields) of each entry, counting braces as BibTeX does (a backslash escapes nothing)."""
    entries = []
    position = 0
    for match in re.finditer(r"@(\w+)\{([^,\s{}]+),", text):
        assert not text[position:match.start()].strip(), f"text between entries: {text[position:match.start()]!r}"
        fields: dict[str, str] = {}
        position = match.end()
        while True:
            field = re.compile(r"\s*(\w+) = ").match(text, position)
            if field is None:
                break
            name, position = field.group(1), field.end()
            if text[position] == "{":
                depth, start = 0, position
                while True:
                    depth += {"{": 1, "}": -1}.get(text[position], 0)
                    position += 1
                    if depth == 0:
                        break
                value = text[start + 1:position - 1]
            else:
                word = re.compile(r"\w+").match(text, position)
                assert word, f"{name}: neither braced nor a macro"
                value, position = word.group(0), word.end()
            assert name not in fields, f"{name} twice"
            fields[name] = value
            assert text[position] == ",", f"{name}: no comma after the value"
            position += 1
        closing = re.compile(r"\s*\}\n").match(text, position)
        assert closing, f"entry {match.group(2)} does not close: {text[position:position + 40]!r}"
        position = closing.end()
        entries.append((match.group(1), match.group(2), fields))
    assert not text[position:].strip()
    return entries


def names(value: str) -> list[str]:
    """Split an author field as BibTeX does: at " and " outside braces."""
    found, depth, start = [], 0, 0
    for position, char in enumerate(value):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and value.startswith(" and ", position):
            found.append(value[start:position])
            start = position + len(" and ")
    return [*found, value[start:]]


def untex(value: str) -> str:
    """Undo the escaping of braced values."""
    for command, char in ((r"\textbackslash{}", "\\"), (r"\textbraceleft{}", "{"), (r"\textbraceright{}", "}"),
                          (r"\textasciitilde{}", "~"), (r"\textasciicircum{}", "^")):
        value = value.replace(command, char)
    return re.sub(r"\\([%&$#_])", r"\1", value)


def test_one_article_as_ris() -> None:
    [record] = parse_ris(ris(FED, ARCHIVE))
    assert record["TY"] == ["NEWS"] and record["ID"] == ["a1"]
    assert record["TI"] == ["Fed raises interest rates again"]
    assert record["AU"] == ["Doe, Jane", "Reuters Staff"]
    assert (record["PY"], record["DA"], record["T2"]) == (["2020"], ["2020/01/15"], ["Daily Planet"])
    assert record["UR"] == ["https://planet.example/fed"]
    assert record["AN"] == ["a1"] and record["DB"] == ["Valley Courier"]
    assert ris(FED).startswith("TY  - NEWS\r\n")


def test_one_article_as_bibtex() -> None:
    [(kind, key, fields)] = parse_bibtex(bibtex(FED, ARCHIVE))
    assert (kind, key) == ("article", "a1")
    assert fields["title"] == "{Fed raises interest rates again}"  # braced twice: styles keep its case
    assert names(fields["author"]) == ["Doe, Jane", "{Reuters Staff}"]  # a desk is one name, never "Staff, Reuters"
    assert (fields["journal"], fields["entrysubtype"]) == ("Daily Planet", "newspaper")
    assert (fields["date"], fields["year"], fields["month"]) == ("2020-01-15", "2020", "jan")
    assert fields["url"] == "https://planet.example/fed"


def test_one_article_as_csl_json() -> None:
    item = json.loads(json.dumps(csl_item(FED, ARCHIVE)))
    assert item["type"] == "article-newspaper" and item["id"] == "a1" and item["citation-key"] == "a1"
    assert item["container-title"] == "Daily Planet" and item["issued"] == {"date-parts": [[2020, 1, 15]]}
    assert item["author"] == [{"family": "Doe", "given": "Jane"}, {"literal": "Reuters Staff"}]
    assert item["URL"] == "https://planet.example/fed" and item["archive"] == "Valley Courier"


def test_hostile_text_stays_inside_its_value_in_every_format() -> None:
    [record] = parse_ris(ris(HOSTILE, ARCHIVE))
    assert record["TI"] == ['Rates}, title = {pwned} @misc{x, % 100\\% \\end{document} ER - TY - JOUR']
    assert record["TY"] == ["NEWS"] and record["AU"][0] == "O'Brien, Seán"
    assert record["UR"] == ["https://archive.example/articles/evil:1/ä"]  # its page: never a javascript: URL
    [(_, key, fields)] = parse_bibtex(bibtex(HOSTILE, ARCHIVE))
    assert set(fields) == {"title", "author", "journal", "entrysubtype", "date", "year", "month", "url", "note"}
    assert untex(fields["title"][1:-1]) == 'Rates}, title = {pwned} @misc{x, % 100\\% \\end{document} ER - TY - JOUR'
    assert untex(fields["journal"]) == 'Gazette "&" #1 ~ ^ _ $'
    assert names(fields["author"]) == ["O'Brien, Seán", "{Tom and Jerry}", r"{\textbraceright{}\textbraceleft{}}"]
    assert fields["url"] == "https://archive.example/articles/evil:1/ä"  # not the javascript: URL
    assert re.fullmatch(r"evil-1-[0-9a-f]{8}", key)  # letters, digits and the id's hash
    item = json.loads("".join(citations([HOSTILE], "csl-json", ARCHIVE)))[0]
    assert item["title"] == HOSTILE.headline and item["container-title"] == HOSTILE.source


def test_an_undated_untitled_article_leaves_out_what_it_does_not_have() -> None:
    [record] = parse_ris(ris(UNDATED, ARCHIVE))
    assert "PY" not in record and "DA" not in record and "T2" not in record and "AU" not in record
    assert record["TI"] == ["A story with no date about the storm."]  # the first words, as pages show it
    [(_, _, fields)] = parse_bibtex(bibtex(UNDATED))
    assert set(fields) == {"title"}  # without an archive: no address, no note
    assert "issued" not in csl_item(UNDATED) and "URL" not in csl_item(UNDATED)
    assert csl_item(Article(id="x", headline=""))["title"] == "(untitled)"


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csl-json"])
def test_a_selection_is_one_file_of_every_article_in_order(fmt: str) -> None:
    text = "".join(citations([FED, HOSTILE, UNDATED], fmt, ARCHIVE))
    if fmt == "ris":
        assert [r["AN"][0] for r in parse_ris(text)] == ["a1", "evil:1/ä", "a7"]
    elif fmt == "bibtex":
        assert [key for _, key, _ in parse_bibtex(text)] == ["a1", bibtex_key("evil:1/ä"), "a7"]
    else:
        assert [item["id"] for item in json.loads(text)] == ["a1", "evil:1/ä", "a7"]
    assert "".join(citations([], fmt)) in ("", "[]\n")


def test_keys_are_stable_and_never_shared() -> None:
    ids = ["a1", "a-1", "a:1", "a 1", "A1", "a1-" + "0" * 8, "x" * 41, "x" * 40, "https://example.org/2020/01/story",
           "東京", "", "--"]
    keys = [bibtex_key(i) for i in ids]
    assert len(set(keys)) == len(ids)
    assert keys[:2] == ["a1", "a-1"] and keys == [bibtex_key(i) for i in ids]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", key) for key in keys)


@pytest.mark.parametrize(("name", "parts"), [
    ("Jane Doe", ("Doe", "Jane")), ("Doe, Jane", ("Doe", "Jane")), ("José Álvarez", ("Álvarez", "José")),
    ("Mary-Jo O'Neil", ("O'Neil", "Mary-Jo")), ("Reuters", None), ("Reuters Staff", None), ("By Jane Doe", None),
    ("Smith, John, Reuters", None), ("Jane Doe 2nd", None), ("", None),
])
def test_names_split_only_when_they_read_as_a_persons(name: str, parts: tuple[str, str] | None) -> None:
    assert name_parts(name) == parts


def test_a_search_citation_names_the_search_the_index_and_where_to_check_it() -> None:
    index = IndexFingerprint.of("whoosh", 21578, datetime(2026, 12, 5, 10, tzinfo=UTC), "3", "news-1", "g7")
    search = Search(query="oil {prices}", topic=("crude",), sort="oldest")
    citation = SearchCitation("Valley Courier", search, "q=oil%20%7Bprices%7D&sort=oldest&topic=crude", 42, index,
                              f"https://archive.example/cite?q=oil&fp={index.digest}", date(2026, 12, 6))
    text = citation.text()
    assert text.startswith("Valley Courier. Search results for “oil {prices}” (topic: crude; oldest first): 42 "
                           "articles [data set]. ")
    assert f"Index fingerprint {index.digest} (whoosh; 21,578 articles; last commit 2026-12-05 10:00:00 UTC)" in text
    assert text.endswith(f"https://archive.example/cite?q=oil&fp={index.digest}. Accessed 6 December 2026.")
    [(kind, key, fields)] = parse_bibtex(citation.bibtex())
    assert kind == "misc" and key == citation.key() and key.endswith(index.digest[:8])
    assert untex(fields["title"][1:-1]) == "Search results for “oil {prices}” (topic: crude; oldest first): 42 articles"
    assert fields["urldate"] == "2026-12-06" and fields["url"] == f"https://archive.example/cite?q=oil&fp={index.digest}"
    assert "q=oil%20%7Bprices%7D&sort=oldest&topic=crude" in untex(fields["note"])

"""The alias file, the gazetteer's rules (indexer/gazetteer.py) and the names an indexing run gives articles."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.aliases import Aliases, load_aliases, read_entries
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.entities import PEOPLE
from indexer.facetpages import fold
from indexer.gazetteer import Gazetteer
from indexer.names import Namer, searched_names
from indexer.namestore import NAMES_NAME, NameStore
from indexer.parsers import parse_path
from indexer.records import Article
from indexer.settings import SettingError
from newsarchive.cli import main

from .conftest import write_jsonl

VALLEY = """# a comment
Harbour: Port  # untyped: maps names of every kind
[person]
Mara Quell: M. Quell, Mara A. Quell, quell
Tom Rennet
[org]
Saltmarsh Harbour Board: Harbour Board, SHB
[place]
Dunhollow: Dunhollow Town
Saint-Ombrelle: St Ombrelle
"""


def aliases(text: str = VALLEY) -> Aliases:
    return Aliases(read_entries(text))


def gazetteer(names: list[tuple[str, str]] | None = None, text: str = VALLEY) -> Gazetteer:
    return Gazetteer.of(names or [], aliases(text))


# -- the alias file


def test_variants_map_to_the_canonical_name_case_and_accents_aside() -> None:
    found = aliases()
    assert found.canonical("person", "m. QUELL") == "Mara Quell"
    assert found.canonical("person", "  Mara   a. Quell ") == "Mara Quell"
    assert found.canonical("place", "dunhollow town") == "Dunhollow"
    assert found.canonical("place", "SAINT-OMBRELLE") == found.canonical("place", "st ombrelle") == "Saint-Ombrelle"
    assert found.canonical("org", "M. Quell") == "M. Quell"  # typed lines map their own kind only
    assert found.canonical("org", "port") == found.canonical("place", "PORT") == "Harbour"  # untyped: every kind
    assert found.canonical("person", "Nobody  Known") == "Nobody Known"
    assert found.names_of("person", "Mara Quell") == ("Mara Quell", "M. Quell", "Mara A. Quell", "quell")
    assert found.known_names("person") == ("Mara Quell", "Tom Rennet")
    assert found.canonical_names("person", ["quell", "Mara Quell", "tom rennet"]) == ("Mara Quell", "Tom Rennet")


def test_the_default_file_merges_common_news_names() -> None:
    default = load_aliases()
    assert {default.canonical("place", name) for name in ("U.S.", "usa", "United States", "American")} == {
        "United States"}
    assert {default.canonical("place", name) for name in ("Britain", "UK", "british")} == {"United Kingdom"}
    assert {default.canonical("place", name) for name in ("USSR", "Ussr", "Soviet")} == {"Soviet Union"}
    assert {default.canonical("org", name) for name in ("EC", "European Community", "ec")} == {"European Community"}
    assert {default.canonical("org", name) for name in ("Fed", "Federal Reserve Board")} == {"Federal Reserve"}
    assert default.canonical("org", "opec") == "OPEC" and default.canonical("org", "IMF") == (
        "International Monetary Fund")
    assert default.canonical("person", "volcker") == "Paul Volcker"


def test_an_archives_file_extends_and_overrides_the_default(tmp_path: Path) -> None:
    path = tmp_path / "aliases.txt"
    path.write_text("[place]\nAmerican\nUnited States: Yankeeland\n[person]\nPaul Volcker: Paul Adolph Volcker\n",
                    encoding="utf-8")
    merged = load_aliases(str(path))
    assert merged.canonical("place", "American") == "American"  # no longer the United States
    assert merged.canonical("place", "Yankeeland") == merged.canonical("place", "U.S.") == "United States"
    assert "American" not in merged.names_of("place", "United States")
    assert merged.canonical("person", "Paul Adolph Volcker") == merged.canonical("person", "Volcker") == (
        "Paul Volcker")


def test_the_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "aliases.txt"
    path.write_text("[person]\nMara Quell: Quell\n", encoding="utf-8")
    assert load_aliases(str(path)).canonical("person", "quell") == "Mara Quell"
    path.write_text("[person]\nMara Q. Quell: Quell\n", encoding="utf-8")
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10**9))
    assert load_aliases(str(path)).canonical("person", "quell") == "Mara Q. Quell"


@pytest.mark.parametrize(("text", "message"), [
    ("[people]\nA: B\n[persons]\n", r"line 3: '\[persons\]' is not a section"),
    ("[place\n", r"line 1: '\[place' is not a section"),
    ("[org]\n: SHB\n", r"line 2: no canonical name before the colon"),
    ("[place]\nDunhollow: Dun\nDunmore: Dunhollow, dun\n", r"line 3: 'Dunhollow' is already a name of 'Dunhollow' "
                                                             r"\(line 2\)"),
])
def test_a_file_that_is_not_an_alias_file_names_the_line(text: str, message: str) -> None:
    with pytest.raises(SettingError, match=message):
        Aliases(read_entries(text))


def test_an_unreadable_alias_file_stops_indexing_with_the_setting_named(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "title": "T", "body": "B"}])
    bad = tmp_path / "aliases.txt"
    bad.write_text("[nonsense]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")],
                                env={"NEWSARCHIVE_ALIASES": str(bad)})
    assert result.exit_code == 1 and "Error: NEWSARCHIVE_ALIASES" in result.output and "line 1" in result.output
    missing = CliRunner().invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")],
                                 env={"NEWSARCHIVE_ALIASES": str(tmp_path / "none.txt")})
    assert missing.exit_code == 1 and "cannot read" in missing.output


# -- the gazetteer's rules


def found(text: str, headline: str = "", names: list[tuple[str, str]] | None = None,
          alias_text: str = VALLEY) -> dict[str, tuple[str, ...]]:
    return gazetteer(names, alias_text).find(headline, text)


def test_rule_1_forms_match_whole_words_as_written() -> None:
    assert found("The Saltmarsh Harbour Board met in Dunhollow.") == {
        "person": (), "org": ("Saltmarsh Harbour Board",), "place": ("Dunhollow",)}
    assert found("the saltmarsh harbour board met in dunhollow.")["org"] == ()  # lower case is not a name
    assert found("Dunhollowers and SHBs")["place"] == found("Dunhollowers and SHBs")["org"] == ()  # whole words
    assert found("Mara A. Quell and the Harbour\nBoard")["org"] == ("Saltmarsh Harbour Board",)  # a line break
    assert found("Harbour, Board")["org"] == ()  # a comma is no part of a name
    assert found("to quell the unrest")["person"] == ()  # a code in lower case ("quell") is never looked for
    assert found("Saint-Ombrelle and Dunhóllow")["place"] == ("Saint-Ombrelle", "Dunhollow")  # accents aside


def test_rule_2_words_in_capitals_name_organisations_and_places_not_people() -> None:
    assert found("", headline="SHB AND HARBOUR BOARD MEET IN DUNHOLLOW TOWN") == {
        "person": (), "org": ("Saltmarsh Harbour Board",), "place": ("Dunhollow",)}
    assert found("", headline="MARA QUELL AND TOM RENNET SPEAK")["person"] == ()


def test_rule_3_a_form_of_two_names_is_ambiguous() -> None:
    names = [("person", "Jordan"), ("place", "Jordan")]
    assert found("Jordan said the talks in Jordan went well.", names=names) == {"person": (), "org": (), "place": ()}
    assert found("Rennet spoke.", names=[("person", "Tom Rennet"), ("person", "Ada Rennet")])["person"] == ()


def test_rule_4_a_surname_alone_needs_the_full_name_or_no_namesake() -> None:
    assert found("The harbour chief, said Rennet, would stay.")["person"] == ("Tom Rennet",)  # no namesake
    namesakes = [("person", "Ada Rennet")]
    assert found("The harbour chief, said Rennet, would stay.", names=namesakes)["person"] == ()
    assert found("Tom Rennet arrived. The chief, said Rennet, would stay.", names=namesakes)["person"] == (
        "Tom Rennet",)


def test_rule_5_a_one_word_name_needs_more_than_a_capital_at_a_sentence_start() -> None:
    names = [("person", "Young")]
    assert found("Young people queued. Older ones stayed home.", names=names)["person"] == ()
    assert found("Young Broadcasting said so.", names=names)["person"] == ()  # part of a name it does not know
    assert found("The minister, Young said, would go.", names=names)["person"] == ("Young",)
    assert found("Young said so. He met the board, Young added.", names=names)["person"] == ("Young",)
    assert found("", headline="Young Farmers Hold Rally In Town", names=names)["person"] == ()  # title case
    assert found("He agreed.", headline="Mayor says Young will stay", names=names)["person"] == ("Young",)


def test_rule_6_places_inside_longer_names_count() -> None:
    names = [("org", "Bank of Dunhollow")]
    assert found("The Bank of Dunhollow lent more.", names=names) == {
        "person": (), "org": ("Bank of Dunhollow",), "place": ("Dunhollow",)}


def test_longest_form_wins_and_uses_its_words() -> None:
    names = [("place", "West Dunhollow")]
    assert found("Floods in West Dunhollow.", names=names)["place"] == ("West Dunhollow",)
    names = [("org", "Bank of Dunhollow"), ("org", "Bank of Dunhollow Trust"), ("org", "Bank Street Traders")]
    text = "The Bank of Dunhollow Trust, the Bank of Dunhollow Trustees and the Bank of Ashgrove."
    assert found(text, names=names) == {
        "person": (), "org": ("Bank of Dunhollow Trust", "Bank of Dunhollow"), "place": ("Dunhollow",)}


def test_names_added_after_a_search_are_found_too() -> None:
    known = gazetteer()
    text = "Tom Rennet, Tom Quarry and Ada Lark met the SHB and Saltmarsh Ferries."
    assert known.find("", text) == {"person": ("Tom Rennet",), "org": ("Saltmarsh Harbour Board",), "place": ()}
    known.add([("person", "Tom Quarry"), ("org", "Saltmarsh Ferries")])  # first words known already
    assert known.find("", text) == {"person": ("Tom Rennet", "Tom Quarry"),
                                    "org": ("Saltmarsh Harbour Board", "Saltmarsh Ferries"), "place": ()}
    known.add([("person", "Ada Lark"), ("org", "Lark Holdings")])  # new first words
    assert known.find("Lark Holdings sells", text) == {
        "person": ("Tom Rennet", "Tom Quarry", "Ada Lark"),
        "org": ("Lark Holdings", "Saltmarsh Harbour Board", "Saltmarsh Ferries"), "place": ()}


WORD = st.from_regex(r"[A-Z][a-z]{3,8}", fullmatch=True)
FILLER = st.lists(st.from_regex(r"[a-z]{2,9}", fullmatch=True), min_size=0, max_size=12).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(first=WORD, last=WORD, kind=st.sampled_from(["person", "org", "place"]), before=FILLER, after=FILLER)
def test_a_known_name_written_in_full_is_found_anywhere(first: str, last: str, kind: str, before: str,
                                                         after: str) -> None:
    name = f"{first} {last}"
    result = Gazetteer.of([(kind, name)], Aliases()).find("", f"{before} {name} {after}.")
    assert result[kind] == (name,)
    assert all(not values for other, values in result.items() if other != kind)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("abcdeiklmnoqrstuw .,'-\n")), max_size=200))
def test_text_in_lower_case_names_no_one(text: str) -> None:
    result = gazetteer([("person", "Jordan"), ("place", "Ashgrove")]).find(text, text)
    assert result == {"person": (), "org": (), "place": ()}


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(["Mara", "Quell", "Tom", "Rennet", "Harbour", "Board", "SHB", "Dunhollow",
                                       "Town", "said", "the", "met", ".", ",", "A.", "QUELL", "DUNHOLLOW"]),
                      max_size=30))
def test_every_name_found_is_known_and_written_in_the_text(words: list[str]) -> None:
    text = " ".join(words)
    known = gazetteer([("person", "Tom Rennet")])
    for kind, names in known.find("", text).items():
        for name in names:
            assert (kind, name) in known.entries
            forms = known.aliases.names_of(kind, name)
            surnames = [form.split()[-1] for form in forms] if kind == PEOPLE.facet else []
            assert any(re.search(rf"\b{re.escape(fold(f))}\b", fold(text)) for f in [*forms, *surnames])


# -- indexing runs


def test_names_stated_canonical_found_ones_fill_the_kinds_left_empty(tmp_path: Path) -> None:
    namer = Namer(tmp_path, aliases=aliases())
    stated = Article(id="a", headline="Quell in Dunhollow", body="Mara Quell met the SHB in Dunhollow.",
                     people=("M. QUELL",), places=("Saint Ombrelle",))
    bare = Article(id="b", headline="Ferry", body="The Harbour Board met Tom Rennet in St Ombrelle.")
    first, second = namer.give([stated, bare])
    assert (first.people, first.orgs, first.places) == (("Mara Quell",), ("Saltmarsh Harbour Board",),
                                                        ("Saint Ombrelle",))  # places stated: not Dunhollow
    assert (second.people, second.orgs, second.places) == (("Tom Rennet",), ("Saltmarsh Harbour Board",),
                                                           ("Saint-Ombrelle",))
    namer.commit()
    namer.close()
    assert sorted(NameStore(tmp_path).names()) == [("person", "Mara Quell"), ("place", "Saint Ombrelle")]


def test_a_failed_commit_forgets_the_batchs_names(tmp_path: Path) -> None:
    namer = Namer(tmp_path, aliases=Aliases())
    namer.give([Article(id="a", headline="h", people=("Ada Lark",))])
    namer.rollback()
    assert namer.give([Article(id="b", headline="h", body="The mayor, said Ada Lark, left.")])[0].people == ()
    namer.close()


def test_names_stated_again_are_canonical_and_counted_every_time(tmp_path: Path) -> None:
    namer = Namer(tmp_path, aliases=aliases())
    quell = Article(id="a", headline="h", body="Quell met the Harbour Board in Dunhollow.", people=("M. QUELL",))
    there = Article(id="b", headline="h", body=quell.body, people=quell.people, places=("st ombrelle",))
    names = [(a.people, a.orgs, a.places) for a in namer.give([quell, there, quell])]
    assert names == [(("Mara Quell",), ("Saltmarsh Harbour Board",), ("Dunhollow",)),
                     (("Mara Quell",), ("Saltmarsh Harbour Board",), ("Saint-Ombrelle",)),  # its places stated
                     (("Mara Quell",), ("Saltmarsh Harbour Board",), ("Dunhollow",))]
    namer.commit()
    namer.give([quell, Article(id="c", headline="h", people=("Tom Quarry",))])
    namer.rollback()
    assert namer.give([quell])[0].people == ("Mara Quell",)
    later = Article(id="d", headline="h", body="The mayor, said Tom Quarry, left. Mara Quell stayed.")
    assert namer.give([later])[0].people == ("Mara Quell",)  # Tom Quarry's batch was rolled back
    namer.commit()
    assert namer.store.counts("person") == {"Mara Quell": 4}
    assert namer.store.counts("place") == {"Saint-Ombrelle": 1}
    namer.close()


def test_the_names_file_is_kept_and_rebuilt_with_the_index(tmp_path: Path) -> None:
    index = tmp_path / "index"
    backend = open_backend("whoosh", index)
    try:
        index_paths([write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "title": "T", "people": ["Ada Lark"]}])],
                    backend, IndexOptions(procs=1))
        assert NameStore(index).counts("person") == {"Ada Lark": 1}
        index_paths([write_jsonl(tmp_path / "b.jsonl", [{"id": "b", "title": "Lark", "body": "Ada Lark spoke."}])],
                    backend, IndexOptions(procs=1, rebuild=True))
    finally:
        backend.close()
    assert (index / NAMES_NAME).exists() and NameStore(index).counts("person") == {}


def test_the_query_field_holds_variants_of_the_canonical_names() -> None:
    assert searched_names(PEOPLE, ["Mara Quell", "Tom Rennet"], aliases()) == [
        "Mara Quell", "M. Quell", "Mara A. Quell", "quell", "Tom Rennet"]


def test_the_engine_keeps_the_fingerprint_of_the_article_as_read(tmp_path: Path) -> None:
    # Names (canonical, found), a language and a story are given at indexing; the fingerprint stays the record's, as
    # the manifest has it, so a re-run of the file changes nothing.
    record = {"id": "a", "title": "Quell in Ashgrove", "body": "Mara Quell spoke in Ashgrove.", "people": ["M. Quell"]}
    source = write_jsonl(tmp_path / "a.jsonl", [record])
    aliases = tmp_path / "aliases.txt"
    aliases.write_text(VALLEY + "Ashgrove\n", encoding="utf-8")
    environ = {"NEWSARCHIVE_ALIASES": str(aliases)}
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(source), "--index", str(tmp_path / "ix")], env=environ).exit_code == 0
    (read,) = [a for a in parse_path(source) if isinstance(a, Article)]
    backend = open_backend("whoosh", tmp_path / "ix")
    try:
        stored = backend.article("a")
        assert (stored.people, stored.places, stored.language) == (("Mara Quell",), ("Ashgrove",), "en")
        assert stored.fingerprint == read.fingerprint
    finally:
        backend.close()
    with sqlite3.connect(tmp_path / "ix" / "newsarchive.sqlite3") as manifest:
        assert manifest.execute("SELECT fingerprint FROM articles WHERE id = 'a'").fetchone() == (read.fingerprint,)
    os.utime(source, ns=(os.stat(source).st_atime_ns, os.stat(source).st_mtime_ns + 10**9))  # read again
    again = runner.invoke(main, ["index", str(source), "--index", str(tmp_path / "ix")], env=environ)
    assert "0 added, 0 updated, 1 unchanged" in again.stdout and "1 files read" in again.stdout

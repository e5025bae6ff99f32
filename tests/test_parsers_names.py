"""People, organisations and places as the formats state them: Reuters <PEOPLE>/<ORGS>/<PLACES> codes, JSON-LD
about/mentions/contentLocation, JSON, JSON Lines and CSV fields."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from indexer.parsers import csvfile, html, parse_path, reuters
from indexer.parsers.mapping import article_from_mapping
from indexer.parsers.reuters import readable_code
from indexer.records import Article

from .test_parsers_reuters import HEADER, NORMAL
from .webarchives import page

TAGGED = NORMAL.replace('NEWID="2"', 'NEWID="7"').replace(
    "<PLACES><D>usa</D></PLACES>\n<PEOPLE></PEOPLE>\n<ORGS></ORGS>",
    "<PLACES><D>usa</D><D>west-germany</D><D>uk</D></PLACES>\n<PEOPLE><D>james-baker</D><D>volcker</D>"
    "<D>de-la-madrid</D></PEOPLE>\n<ORGS><D>opec</D><D>ico-coffee</D><D>worldbank</D></ORGS>")


def test_reuters_codes_become_readable_names(tmp_path: Path) -> None:
    path = tmp_path / "reut2-names.sgm"
    path.write_bytes((HEADER + TAGGED + NORMAL).encode("latin-1"))
    articles = {a.id: a for a in reuters.parse(path, "") if isinstance(a, Article)}
    tagged, plain = articles["reuters21578:7"], articles["reuters21578:2"]
    assert tagged.people == ("James Baker", "Volcker", "De La Madrid")
    assert tagged.orgs == ("OPEC", "ICO Coffee", "Worldbank")
    assert tagged.places == ("USA", "West Germany", "UK")
    assert (plain.people, plain.orgs, plain.places) == ((), (), ("USA",))


@pytest.mark.parametrize(("code", "kind", "name"), [
    ("james-baker", "person", "James Baker"),
    ("perez-de-cuellar", "person", "Perez De Cuellar"),
    ("opec", "org", "OPEC"),
    ("oapec", "org", "OAPEC"),
    ("comecon", "org", "Comecon"),  # six letters or more: a word, not an acronym
    ("adb-africa", "org", "ADB Africa"),
    ("usa", "place", "USA"),
    ("ussr", "place", "Ussr"),  # four letters: the alias file knows it ("USSR", "Soviet Union")
    ("iran", "place", "Iran"),
    ("hong-kong", "place", "Hong Kong"),
    ("", "place", ""),
])
def test_readable_code_rule(code: str, kind: str, name: str) -> None:
    assert readable_code(code, kind) == name


def test_fingerprints_of_articles_without_names_are_unchanged() -> None:
    # Articles without names hash as they did before names existed: a re-run after upgrading rewrites nothing.
    before = hashlib.sha1(json.dumps(["x", "h", "", [], None, [], "", "", []]).encode()).hexdigest()
    assert Article(id="x", headline="h").fingerprint == before
    named = Article(id="x", headline="h", places=("Japan",))
    assert named.fingerprint != Article(id="x", headline="h").fingerprint
    assert named.fingerprint != Article(id="x", headline="h", orgs=("Japan",)).fingerprint


@pytest.mark.parametrize(("record", "people", "orgs", "places"), [
    ({"people": ["Mara Quell", "Tom Rennet"], "organizations": ["Harbour Board"], "places": ["Dunhollow"]},
     ("Mara Quell", "Tom Rennet"), ("Harbour Board",), ("Dunhollow",)),
    ({"persons": "Quell, Mara; Tom Rennet", "orgs": "SHB;  Valley Transit ", "locations": "Ashgrove; Dunhollow"},
     ("Quell, Mara", "Tom Rennet"), ("SHB", "Valley Transit"), ("Ashgrove", "Dunhollow")),
    ({"People": [{"name": "Mara Quell"}, {"@type": "Person", "name": "Tom Rennet"}], "Organisation": "SHB",
      "location": {"name": "Ashgrove"}}, ("Mara Quell", "Tom Rennet"), ("SHB",), ("Ashgrove",)),
    ({"people": ["Mara Quell", "mara quell", " "], "places": []}, ("Mara Quell",), (), ()),
    ({"people": None, "organizations": 3}, (), ("3",), ()),
])
def test_json_fields_name_people_orgs_and_places(record: dict[str, object], people: tuple[str, ...],
                                                 orgs: tuple[str, ...], places: tuple[str, ...]) -> None:
    article, _ = article_from_mapping({"id": "r", "title": "T", **record}, "f.json", "record 1", "")
    assert isinstance(article, Article)
    assert (article.people, article.orgs, article.places) == (people, orgs, places)


def test_csv_and_json_lines_columns(tmp_path: Path) -> None:
    table = tmp_path / "news.csv"
    table.write_text("id,title,body,people,organizations,places\n"
                     'c1,Ferry news,The ferry runs.,"Mara Quell; Tom Rennet",SHB,Dunhollow\n', encoding="utf-8")
    (row,) = [a for a in csvfile.parse(table, "") if isinstance(a, Article)]
    assert (row.people, row.orgs, row.places) == (("Mara Quell", "Tom Rennet"), ("SHB",), ("Dunhollow",))
    lines = tmp_path / "news.jsonl"
    lines.write_text(json.dumps({"id": "j1", "title": "T", "people": ["Mara Quell"]}) + "\n", encoding="utf-8")
    (item,) = parse_path(lines)
    assert isinstance(item, Article) and item.people == ("Mara Quell",)


def _page_with(tmp_path: Path, fields: dict[str, object]) -> Article:
    text = page("jsonld-graph.html").decode()
    extra = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in fields.items())
    text = text.replace('"inLanguage": "en-GB"}', f'"inLanguage": "en-GB", {extra}}}')
    text = text.replace('"url": "https://northfieldpost.example/author/agnieszka-novak/"}',
                        '"url": "https://northfieldpost.example/author/agnieszka-novak/"},\n'
                        '  {"@type": "Museum", "@id": "#museum", "name": "Marrowby Museum"},\n'
                        '  {"@type": "Person", "@id": "#curator", "name": "Imogen Ashdown"}')
    path = tmp_path / "page.html"
    path.write_text(text, encoding="utf-8")
    (article,) = html.parse(path, "")
    assert isinstance(article, Article)
    return article


def test_json_ld_about_mentions_and_content_location(tmp_path: Path) -> None:
    article = _page_with(tmp_path, {
        "about": [{"@type": "Person", "name": "Ray Fenwick-Lowe"}, {"@type": "Thing", "name": "Ichthyosaur"}],
        "mentions": [{"@id": "#curator"}, {"@type": "schema:Organization", "name": "County Museum Service"},
                     {"@type": ["Place", "TouristAttraction"], "name": "Scarrow Point"}, "an untyped string",
                     {"name": "An untyped thing"}, {"@type": "Person", "name": "https://social.example/rfl"}],
        "contentLocation": {"@type": "City", "name": "Northfield"},
    })
    assert article.people == ("Ray Fenwick-Lowe", "Imogen Ashdown")
    assert article.orgs == ("County Museum Service",)
    assert article.places == ("Scarrow Point", "Northfield")


def test_json_ld_content_location_as_text_and_without_names(tmp_path: Path) -> None:
    assert _page_with(tmp_path, {"contentLocation": ["Marrowby", {"@type": "Place", "address": "Quay Road"}]}
                      ).places == ("Marrowby", "Quay Road")
    bare = _page_with(tmp_path, {})
    assert (bare.people, bare.orgs, bare.places) == ((), (), ())

"""Languages: stated ones normalised, detection (confident only), per-language terms, English unchanged."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from whoosh.analysis import RegexTokenizer

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.languages import (
    DETECT_BATCH,
    DETECT_CHARS,
    DETECTOR,
    Detector,
    default_language,
    detect_language,
    detect_languages,
    language_name,
    normalise_language,
)
from indexer.parsers import parse_path
from indexer.records import Article
from indexer.request import Search
from indexer.settings import SettingError
from indexer.whoosh.analysis import NewsFilter, language_analyzer, marked, news_analyzer
from indexer.words import TOKEN_PATTERN

from .conftest import CORPUS, REUTERS, SHARED

TIME = SHARED / "data" / "time-collection" / "TIME.ALL"
CRANFIELD = SHARED / "data" / "cranfield" / "cran.all.1400"

DEMO = Path(__file__).resolve().parents[1] / "demo"
FRENCH = ("Les élections municipales ont eu lieu dimanche dans toute la région, et le taux de participation a "
          "atteint un niveau record selon la préfecture, qui publiera les résultats définitifs lundi.")


@pytest.mark.parametrize(("stated", "code"), [
    ("fr", "fr"), ("fr-FR", "fr"), ("FR", "fr"), ("pt_BR", "pt"), ("en-GB-oxendict", "en"), ("fre", "fr"),
    ("deu", "de"), ("French", "fr"), ("nb", "no"), (" es ", "es"), ("", ""), ("klingon!", ""), ("x", ""), (5, ""),
])
def test_stated_languages_are_normalised_to_iso_639_1(stated: object, code: str) -> None:
    assert normalise_language(stated) == code


def test_languages_are_named_from_one_table() -> None:
    assert (language_name("fr"), language_name("de"), language_name("xx")) == ("French", "German", "xx")


def test_detection_is_confident_or_says_nothing() -> None:
    assert detect_language("Élections", FRENCH) == "fr"
    assert detect_language("Frost hits coffee", "") == ""  # a title-only brief: too short to tell
    table = "NY COMEX GOLD\n APR7 4205 4185\n MAY7 4222B 4227A 4202\n JUN7 4250 4226\n AUG7 4293B 4298A 4270"
    assert detect_language("", table * 3) == ""  # figures are no language


def test_the_default_language_is_a_setting() -> None:
    assert default_language({}) == "en"
    assert default_language({"NEWSARCHIVE_LANGUAGE": "fr-CA"}) == "fr"
    with pytest.raises(SettingError, match="NEWSARCHIVE_LANGUAGE"):
        default_language({"NEWSARCHIVE_LANGUAGE": "elvish!"})


def test_a_stated_language_wins_and_a_short_text_gets_the_default(tmp_path: Path) -> None:
    records = [
        {"id": "stated", "lang": "de", "title": "Les élections", "body": FRENCH},  # stated wins over detection
        {"id": "detected", "title": "Les élections", "body": FRENCH},
        {"id": "brief", "title": "Grève des dockers"},  # too short: the default
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    report = index_paths([corpus], open_backend("whoosh", tmp_path / "ix"), IndexOptions(procs=1, language="es"))
    assert report.language_seconds > 0
    backend = open_backend("whoosh", tmp_path / "ix")
    try:
        assert {i: backend.article(i).language for i in ("stated", "detected", "brief")} == {
            "stated": "de", "detected": "fr", "brief": "es"}
    finally:
        backend.close()


def test_the_fingerprint_counts_a_language_only_when_set() -> None:
    plain = Article("a", "Headline", "Body")
    assert Article("a", "Headline", "Body", language="").fingerprint == plain.fingerprint
    assert Article("a", "Headline", "Body", language="fr").fingerprint != plain.fingerprint


# --- terms ------------------------------------------------------------------------------------------------------


def terms(language: str, text: str) -> list[str]:
    return [token.text for token in language_analyzer(language)(text)]


def test_french_inflections_share_a_french_stem_and_elisions_go() -> None:
    assert terms("fr", "élections élection l’élection d'élections") == ["elect"] * 4
    assert terms("fr", "municipales municipal électorale électoral") == ["municipal", "municipal", "electoral",
                                                                          "electoral"]
    assert terms("fr", "le maire et les maires") == ["le", "mair", "et", "le", "mair"]  # no English stop list
    assert terms("en", "the elections") == ["elect"]


def test_german_and_spanish_inflections_share_their_stems() -> None:
    assert terms("de", "Häuser Haus Hauses Häusern") == ["haus"] * 4
    assert terms("es", "elecciones elección") == ["eleccion", "eleccion"]


def test_a_language_without_a_stemmer_is_folded_not_stemmed() -> None:
    assert terms("pl", "Wyborów Wybory") == ["wyborow", "wybory"]


def test_the_marker_sets_the_language_and_offsets_count_from_the_text() -> None:
    text = "Les élections"
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in news_analyzer()(marked("fr", text), positions=True, chars=True)]
    assert tokens == [("le", 0, 0, 3), ("elect", 1, 4, 13)]
    assert [t.text for t in news_analyzer()(text)] == ["les", "elect"]  # unmarked: English (Porter2 keeps "les")


def english_texts() -> list[str]:
    texts = [f"{a.headline}\n{a.body}" for a in (Article("x", r["title"], r["body"]) for r in CORPUS)]
    for path in sorted(DEMO.rglob("*")):
        if path.is_file() and path.name != "partners.jsonl" and path.suffix != ".md":
            texts += [f"{a.headline}\n{a.body}" for a in parse_path(path) if isinstance(a, Article)]
    return texts


def test_english_text_has_the_same_terms_and_positions_as_before_languages() -> None:
    # What indexes built before languages pickled (RegexTokenizer | NewsFilter), against English marked text.
    before = RegexTokenizer(TOKEN_PATTERN) | NewsFilter()
    texts = english_texts()
    assert len(texts) >= 80
    for text in texts:
        old = [(t.text, t.pos, t.startchar, t.endchar) for t in before(text, positions=True, chars=True)]
        new = [(t.text, t.pos, t.startchar, t.endchar)
               for t in news_analyzer()(marked("en", text), positions=True, chars=True)]
        assert new == old


@pytest.mark.slow
@pytest.mark.skipif(not REUTERS.is_dir(), reason=f"Reuters-21578 not found at {REUTERS}")
def test_reuters_keeps_its_english_terms_and_positions() -> None:
    before = RegexTokenizer(TOKEN_PATTERN) | NewsFilter()
    checked = 0
    for path in sorted((REUTERS / "sgm-data").glob("*.sgm")):
        for article in parse_path(path):
            if isinstance(article, Article):
                for text in (article.headline, article.body):
                    old = [(t.text, t.pos, t.startchar) for t in before(text, positions=True, chars=True)]
                    new = [(t.text, t.pos, t.startchar)
                           for t in news_analyzer()(marked("en", text), positions=True, chars=True)]
                    assert new == old
                checked += 1
    assert checked == 21_578


# --- the parallel writer and the language filter on a larger batch ----------------------------------------------


@pytest.mark.slow
def test_the_parallel_writer_keeps_each_article_in_its_language(tmp_path: Path) -> None:
    # Over PARALLEL_MIN_DOCS articles, procs=2 writes in worker processes: the marker travels in the value.
    records = [{"id": f"a{i}", "language": "fr" if i % 2 else "en", "title": f"Élections {i}",
                "body": "Les élections municipales." if i % 2 else "The elections were held."} for i in range(2400)]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    index_paths([corpus], open_backend("whoosh", tmp_path / "ix"), IndexOptions(procs=2))
    backend = open_backend("whoosh", tmp_path / "ix")
    try:
        assert backend.search(Search(query="municipal", language=("fr",))).total == 1200
        assert backend.search(Search(query="municipal", language=("en",))).total == 0
        assert backend.search(Search(query="élection", language=("en",))).total == 1200
    finally:
        backend.close()


# --- stated languages in each format ----------------------------------------------------------------------------

PAGE = """<!doctype html><html lang="{lang}"><head><title>Grève au port</title>{ld}
<meta property="og:type" content="article"></head><body><article><h1>Grève au port</h1>
<p>{text}</p></article></body></html>"""
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Le Courrier</title><language>fr-FR</language>
<item><title>Grève au port</title><description>Les dockers sont en grève.</description><guid>r1</guid></item>
</channel></rss>"""
ATOM = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>Bote</title>
<entry><id>a1</id><title>Neue Häuser</title><content type="text">Zwölf neue Häuser.</content></entry>
<entry xml:lang="es"><id>a2</id><title>Elecciones</title><content type="text">Las elecciones.</content></entry>
</feed>"""


@pytest.mark.parametrize(("name", "content", "languages"), [
    ("a.jsonl", '{"title": "Grève", "body": "Les dockers.", "lang": "fr-FR"}\n{"title": "Strike", "body": "x"}\n',
     ["fr", ""]),
    ("a.csv", "title,body,Language\nGrève,Les dockers.,French\nHuelga,Los estibadores.,es_ES\n", ["fr", "es"]),
    ("a.html", PAGE.format(lang="fr-FR", ld="", text=FRENCH), ["fr"]),
    ("b.html", PAGE.format(lang="en", text=FRENCH, ld='<script type="application/ld+json">{"@type": "NewsArticle", '
                                                     '"headline": "Grève", "inLanguage": "fr"}</script>'), ["fr"]),
    ("a.rss", RSS, ["fr"]),
    ("a.atom", ATOM, ["de", "es"]),
])
def test_each_format_gives_its_stated_language(tmp_path: Path, name: str, content: str,
                                               languages: list[str]) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert [a.language for a in parse_path(path) if isinstance(a, Article)] == languages


# --- the page ----------------------------------------------------------------------------------------------------


def test_the_page_names_languages_and_filters_by_them(tmp_path: Path) -> None:
    from webapp import create_app

    records = [{"id": "fr", "title": "Les élections", "body": FRENCH},
               {"id": "en", "title": "The elections", "body": "The elections were held on Sunday in the county, "
                                                               "with a record turnout, officials said on Monday."}]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    index_paths([corpus], open_backend("whoosh", tmp_path / "ix"), IndexOptions(procs=1))
    client = create_app({"INDEX": str(tmp_path / "ix"), "TESTING": True, "RATE_LIMIT": 0}).test_client()
    page = client.get("/?q=élection").get_data(as_text=True)
    assert "Language" in page and "French <span" in page and "English <span" in page
    chosen = client.get("/?q=élection&language=fr").get_data(as_text=True)
    assert "Language: French" in chosen and "<mark>élections</mark>" in chosen and "The elections" not in chosen
    answer = client.get("/api/search?q=élection&language=fr").get_json()
    assert [(hit["id"], hit["language"]) for hit in answer["hits"]] == [("fr", "fr")]


def _demo_texts() -> list[tuple[str, str]]:
    return [(str(r.get("title", "")), str(r.get("body", ""))) for path in sorted(DEMO.glob("*.jsonl"))
            for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


def _scripts_texts(count: int) -> list[str]:
    """Made-up texts: runs of characters from a dozen scripts (Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari,
    Thai, kana, CJK, Hangul, emoji), mixed, with and without spaces, upper-case ones, empty ones."""
    rnd = random.Random(16)
    blocks = [(0x20, 0x7E), (0xC0, 0x17F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x5FF), (0x600, 0x6FF),
              (0x900, 0x97F), (0xE00, 0xE7F), (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0x1F300, 0x1F6FF)]
    texts = []
    for _ in range(count):
        runs = []
        for _ in range(rnd.randint(0, 4)):
            low, high = rnd.choice(blocks)
            spaces = rnd.random()
            runs.append("".join(" " if rnd.random() < spaces * 0.3 else chr(rnd.randint(low, high))
                                for _ in range(rnd.randint(0, 300))))
        text = "".join(runs)
        texts.append(text.upper() if rnd.random() < 0.1 else text)
    return texts


def test_detection_of_a_batch_gives_py3langids_languages_and_confidences() -> None:
    """The batch's automaton walk and scoring give what py3langid's own classify gives, text by text: real articles
    in four languages, Reuters, TIME and Cranfield, made-up texts in many scripts, batches of mixed lengths."""
    texts = [f"{headline}\n{body}"[:DETECT_CHARS] for headline, body in _demo_texts()]
    for path in [*sorted((REUTERS / "sgm-data").glob("*.sgm"))[:2], TIME, CRANFIELD]:
        text = path.read_text(encoding="latin-1")
        texts.extend(text[start:start + DETECT_CHARS] for start in range(0, min(len(text), 600_000), 1500))
    texts.extend(_scripts_texts(1500))
    assert len(texts) > 2 * DETECT_BATCH
    identifier = DETECTOR._loaded().identifier
    assert DETECTOR._loaded().classify(texts) == [identifier.classify(text) for text in texts]
    assert DETECTOR._loaded().classify(["", "x"]) == [identifier.classify(""), identifier.classify("x")]


def test_detection_of_a_batch_gives_what_one_at_a_time_gives() -> None:
    texts = _demo_texts()
    texts = texts + [("", text) for text in _scripts_texts(700)]
    found = detect_languages(texts)
    assert found == [detect_language(headline, body) for headline, body in texts]
    assert {"en", "fr", "de", "es", "ja", "ko", "th"} <= set(found)
    assert detect_languages([]) == []


def test_a_model_loaded_in_the_background_detects_as_one_loaded_when_asked() -> None:
    texts = [f"{headline}\n{body}"[:DETECT_CHARS] for headline, body in _demo_texts()]
    preloaded = Detector()
    preloaded.preload()
    preloaded.preload()  # asked for each article of a run: one loading
    assert preloaded.detect_many(texts) == Detector().detect_many(texts)
    assert {"en", "fr", "de", "es"} <= set(preloaded.detect_many(texts))


def test_a_background_loading_that_fails_is_raised_to_whoever_detects(monkeypatch: pytest.MonkeyPatch) -> None:
    from py3langid import langid

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("model file unreadable")

    monkeypatch.setattr(langid.LanguageIdentifier, "from_model_file", broken)
    detector = Detector()
    detector.preload()
    with pytest.raises(OSError, match="model file unreadable"):
        detector.detect("A long enough English sentence about the price of crude oil and the markets today.")


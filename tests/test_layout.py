"""layout.spans finds the token pattern's words with arrays: the same words, starts and ends as the pattern's own
finditer, on real articles of three collections and on texts made to catch each rule (joiners, acronyms, digits,
scripts, characters past the Basic Multilingual Plane, lone surrogates)."""

from __future__ import annotations

import random
import re

import pytest

from bench.judged import COLLECTIONS
from indexer.parsers import parse_path
from indexer.records import Article
from indexer.whoosh import layout
from indexer.words import TOKEN_PATTERN

from .conftest import REUTERS

EXPRESSION = re.compile(TOKEN_PATTERN)
MADE = [
    "", "a", "ab", "a.", ".a", "a.b", "U.S.", "U.S", "U.S.A.", "U.S.-based", "the U.S. and U.K. said",
    "a.b.c.d", "a.b.cd", "a.b.c.d.", "e.g., i.e. etc.", "x.U.S.", "xU.S.", "3.5 pct", "1.2.3", "A.1.B.",
    "rock'n'roll", "don't", "l'élection d’État", "’quoted’", "'a'", "a..b", "a.'b", "a'.b", "__init__.py",
    "snake_case_words", "naïve café Zürich", "ΑΘΗΝΑ Αθήνα", "日本の経済", "١٢٣ arabic digits ٤.٥", "²³ ½",
    "emoji 😀 after", "𝒜𝒷𝒸.𝒹 script letters", "a\ud800b lone surrogate", "tab\tand\nnewline\u00a0nbsp",
    "end with dot.", "...", "a.b.", "É.U.", "Z.", " U.S. ", "B.A.T. Industries", "J.P. Morgan & Co.",
]


def finditer(text: str) -> tuple[list[int], list[int], list[str]]:
    matches = list(EXPRESSION.finditer(text))
    return [m.start() for m in matches], [m.end() for m in matches], [m.group() for m in matches]


@pytest.mark.parametrize("text", MADE)
def test_made_up_texts(text: str) -> None:
    assert layout.spans(EXPRESSION, text) == finditer(text)


def test_random_texts_of_the_tricky_characters() -> None:
    rng = random.Random(3)
    alphabet = "aZé9_.'’ -\u00a0U.S.日😀\ud800"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert layout.spans(EXPRESSION, text) == finditer(text), repr(text)


def test_another_pattern_is_its_own() -> None:
    other = re.compile(r"\w+")
    assert layout.spans(other, "U.S. dollar's") == ([0, 2, 5, 12], [1, 3, 11, 13], ["U", "S", "dollar", "s"])


def check_texts(texts: list[str]) -> None:
    assert len(texts) > 400
    for text in texts:
        assert layout.spans(EXPRESSION, text) == finditer(text), text[:80]


@pytest.mark.skipif(not REUTERS.is_dir(), reason=f"Reuters-21578 not found at {REUTERS}")
def test_reuters() -> None:
    articles = [a for a in parse_path(REUTERS / "sgm-data" / "reut2-007.sgm") if isinstance(a, Article)]
    check_texts([t for a in articles for t in (a.headline, a.body or "")])


@pytest.mark.parametrize("name", sorted(COLLECTIONS))
def test_judged_collections(name: str) -> None:
    known = COLLECTIONS[name]
    if not known.folder.is_dir():
        pytest.skip(f"{name} not found at {known.folder}")
    check_texts([str(r[field]) for r in known.load().records for field in ("headline", "body") if r.get(field)])

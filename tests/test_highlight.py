"""Snippets: the news analyzer's fast token stream gives exactly the passages Whoosh's highlighter gives."""

from __future__ import annotations

import html
import random

import pytest
from whoosh import highlight

from indexer.display import lead
from indexer.parsers import parse_path
from indexer.records import Article
from indexer.whoosh.analysis import language_analyzer, name_analyzer, news_analyzer
from indexer.whoosh.highlight import SNIPPET_CHARS, MarkFormatter, matched_tokens, snippet

from .conftest import REUTERS
from .test_analysis import FAST_PATH_TEXTS


def whoosh_snippet(text: str, terms: frozenset[str], analyzer: object) -> str:
    """The snippet as Whoosh's highlight() makes it, from the analyzer's token stream (the reference)."""
    if terms and text:
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        found = highlight.highlight(text, terms, analyzer, fragmenter, MarkFormatter(), top=2)
        if found:
            return str(found)
    return html.escape(lead(text))


def some_terms(text: str, analyzer: object, rng: random.Random) -> list[frozenset[str]]:
    """Term sets a search might bring: one, two and four of the text's own terms (stop words among them), one
    term it lacks, none."""
    own = sorted({t.text for t in analyzer(text, removestops=False)}) or ["oil"]  # type: ignore[operator]
    return [frozenset(rng.sample(own, min(len(own), n))) for n in (1, 2, 4)] + [frozenset({"zzzz"}), frozenset()]


def tokens(stream: object) -> list[tuple[int, int, str, bool]]:
    return [(t.startchar, t.endchar, t.text, t.matched) for t in stream]  # type: ignore[attr-defined]


TEXTS = [*FAST_PATH_TEXTS, "The oil price. " * 40, "a " * 5000 + "oil at the very end, past the highlighter's limit",
         "Oil... prices... U.S. oil! Oil? " * 30]


@pytest.mark.parametrize("text", TEXTS)
def test_the_fast_stream_gives_whoosh_s_tokens_and_snippets(text: str) -> None:
    rng = random.Random(text)
    for analyzer in (news_analyzer(), language_analyzer("fr"), language_analyzer("de")):
        for terms in some_terms(text, analyzer, rng):
            reference = highlight.set_matched_filter(analyzer(text, chars=True, mode="query", removestops=False),
                                                     terms)
            assert tokens(matched_tokens(text, terms, analyzer)) == tokens(reference)
            assert snippet(text, terms, analyzer) == whoosh_snippet(text, terms, analyzer)


def test_other_analyzers_keep_whoosh_s_stream() -> None:
    text = "Paul Volcker and the Federal Reserve"
    terms = frozenset({"volcker"})
    assert snippet(text, terms, name_analyzer()) == whoosh_snippet(text, terms, name_analyzer())
    assert "<mark>Volcker</mark>" in snippet(text, terms, name_analyzer())


@pytest.mark.skipif(not REUTERS.is_dir(), reason=f"Reuters-21578 not found at {REUTERS}")
def test_reuters_snippets_are_whoosh_s() -> None:
    rng = random.Random(16)
    articles = [a for a in parse_path(REUTERS / "sgm-data" / "reut2-003.sgm") if isinstance(a, Article)]
    assert len(articles) > 900
    analyzer = news_analyzer()
    for article in articles:
        text = article.body or article.headline
        for terms in some_terms(text, analyzer, rng)[:3]:
            assert snippet(text, terms, analyzer) == whoosh_snippet(text, terms, analyzer), (article.id, terms)

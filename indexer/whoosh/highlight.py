"""Highlighted snippets: article text HTML-escaped, the words that matched in <mark>, nothing else.

`query_spans` finds where a parsed query matches an article's headline and body, for every engine: what an article
page marks (`mark_all`) and what a keyword-in-context export lists (indexer/kwic.py) are its spans.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress, count
from typing import Any

from whoosh import highlight
from whoosh import query as wq
from whoosh.analysis import Token
from whoosh.query import spans as wspans

from ..display import ELLIPSIS, lead
from ..records import Article
from ..spans import TEXT_FIELDS, Span
from .analysis import news_parts
from .spelling import edit_distance

SNIPPET_CHARS = 220
SURROUND = 60  # characters of context around a snippet's matches
_SPACES = re.compile(r"\s+")
MAX_JOINED_GAP = 40


class MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    """Format fragments as escaped text on one line, each match in a bare <mark>, gaps shown as an ellipsis."""

    def _text(self, text: str) -> str:
        return html.escape(_SPACES.sub(" ", text))

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"

    def format(self, fragments: list[Any], replace: bool = False) -> str:
        if not fragments:
            return ""
        fragments = sorted(fragments, key=lambda f: f.startchar)
        text = fragments[0].text
        out = [ELLIPSIS if fragments[0].startchar > 0 else ""]
        for previous, fragment in zip([None, *fragments], fragments, strict=False):
            if previous is not None:
                gap = text[previous.endchar : fragment.startchar]
                # Two passages a few words apart read better joined than cut by an ellipsis.
                out.append(self._text(gap) if len(gap) <= MAX_JOINED_GAP else f" {ELLIPSIS} ")
            out.append(self.format_fragment(fragment, replace=replace).strip())
        out.append(ELLIPSIS if any(c.isalnum() for c in text[fragments[-1].endchar :]) else "")
        return "".join(out)


# A text's words for its snippets (NewsFilter.word_terms): where each starts and ends, and its term.
TextWords = tuple[Sequence[int], Sequence[int], Sequence[str]]


def snippet(text: str, terms: frozenset[str], analyzer: Any, words: TextWords | None = None) -> str:
    """Return the best passages of a text around the matched terms, or its escaped lead when none matched.

    What Whoosh's highlight() makes with a ContextFragmenter and MarkFormatter, the two best passages; for the news
    analyzer, the fragments are made from its words' spans (`words`, when `text_words` made them before), not a
    Token per word (`context_fragments`)."""
    if terms and text:
        parts = news_parts(analyzer)
        if parts is None:
            fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SURROUND)
            fragments = fragmenter.fragment_tokens(text, matched_tokens(text, terms, analyzer))
        else:
            starts, ends, found = words or parts[1].word_terms(parts[0], text)
            matched = {i: found[i] for i in compress(count(), map(terms.__contains__, found))}
            fragments = context_fragments(text, starts, ends, matched)
        best = highlight.top_fragments(fragments, 2, highlight.BasicFragmentScorer(), highlight.FIRST)
        found_text = MarkFormatter()(text, best)
        if found_text:
            return str(found_text)
    return html.escape(lead(text))


def context_fragments(text: str, starts: Sequence[int], ends: Sequence[int], matched: dict[int, str]) -> Iterator[Any]:
    """Yield the fragments Whoosh's ContextFragmenter (maxchars SNIPPET_CHARS, surround SURROUND) makes of a text's
    words (their starts and ends, and the terms of the matched ones by word number): the same passages
    (tests/test_highlight.py compares the snippets on Reuters), its state machine stepped word by word only inside
    fragments. Between them it only keeps the starts of the words within `surround` characters before the next
    match; that run is skipped at once, and the first of those words found by bisection."""
    maxchars, surround = SNIPPET_CHARS, SURROUND
    count = bisect_right(ends, highlight.DEFAULT_CHARLIMIT)  # Whoosh stops at the first word ending past it
    hits = sorted(matched)
    first: int | None = None
    skipped: tuple[int, int] | None = None  # the words Whoosh kept the starts of since the last fragment
    countdown, currentlen = -1, 0
    endchar: int | None = None
    tokens: list[Any] = []
    i = 0
    while i < count:
        term = matched.get(i)
        if countdown < 0 and term is None:
            at = bisect_left(hits, i)
            following = hits[at] if at < len(hits) and hits[at] < count else count
            skipped = (i if skipped is None else skipped[0], following - 1)
            endchar, i = ends[following - 1], following
            continue
        startchar, endchar = starts[i], ends[i]
        length = endchar - startchar
        if currentlen + length > maxchars:
            countdown = 0
        elif term is not None:
            countdown = surround
            if first is None:
                kept = None
                if skipped is not None:  # the first of the skipped words within `surround` of the last one's end
                    low, high = skipped
                    at = bisect_left(starts, ends[high] - surround, low, high + 1)
                    kept = starts[at] if at <= high else None
                if kept is not None:
                    first = kept
                else:
                    first = startchar
                    countdown += surround
            tokens.append(Token(text=term, startchar=startchar, endchar=endchar, matched=True, chars=True,
                                removestops=False, mode="query"))
        if countdown >= 0:
            currentlen += length
            countdown -= length
            if countdown <= 0:
                yield highlight.mkfrag(text, tokens, startchar=first, endchar=endchar)
                tokens, skipped, first, currentlen = [], None, None, 0
        i += 1
    if count < len(ends):
        endchar = ends[count]  # the word past the limit, as Whoosh's loop leaves it
    if tokens:
        yield highlight.mkfrag(text, tokens, startchar=first, endchar=endchar)


def matched_tokens(text: str, terms: frozenset[str], analyzer: Any) -> Iterator[Any]:
    """Yield the highlighter's tokens of a text (character offsets, stop words kept), each marked matched when its
    term is one of terms: Whoosh's token stream through set_matched_filter, or, for the news analyzer, one Token
    object set from NewsFilter.char_terms (the highlighter copies the matched ones, as it does Whoosh's)."""
    parts = news_parts(analyzer)
    if parts is None:
        yield from highlight.set_matched_filter(analyzer(text, chars=True, mode="query", removestops=False), terms)
        return
    token = Token(chars=True, removestops=False, mode="query")
    for start, end, term in parts[1].char_terms(parts[0], text):
        token.text, token.startchar, token.endchar, token.matched = term, start, end, term in terms
        yield token


# A run of whitespace holding a blank line: where the article page splits paragraphs (webapp/views.py).
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def mark_all(article: Article, spans: Iterable[Span], field: str = "body") -> str:
    """Return one of an article's texts escaped, with each of its spans in <mark> (for an article page)."""
    text = str(getattr(article, field))
    out, index = [], 0
    for span in spans:
        if span.field != field:
            continue
        marked = html.escape(text[span.start:span.end])
        # A phrase across paragraphs is marked in each: no <mark> may be cut in two by the page's paragraphs.
        marked = _PARAGRAPH_BREAK.sub(lambda gap: f"</mark>{gap.group(0)}<mark>", marked)
        out += [html.escape(text[index:span.start]), f"<mark>{marked}</mark>"]
        index = span.end
    out.append(html.escape(text[index:]))
    return "".join(out)


@dataclass(frozen=True)
class _Found:
    """One match of a query node in one text: the word positions it covers, and the characters it marks."""

    first: int
    last: int
    marks: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class _Token:
    pos: int
    start: int
    end: int
    text: str


def query_spans(query: Any, article: Article, analyzer: Any) -> tuple[Span, ...]:
    """Return every occurrence of a parsed query's words and phrases in an article, headline first, in text order.

    Exactly what the index matches: the text is analysed as it was indexed (stems, acronyms, folded accents), a
    phrase is one occurrence where its words stand in sequence, NEAR marks the words that stand within its distance,
    excluded (NOT, -) words are never marked, and a field scope marks only in that field. Occurrences that overlap
    are one.
    """
    named = set() if query is None else {leaf.field() for leaf in query.leaves()}
    found: list[Span] = []
    for field in TEXT_FIELDS:
        text = str(getattr(article, field))
        if field not in named or not text:
            continue
        tokens = [_Token(t.pos, t.startchar, t.endchar, t.text)
                  for t in analyzer(text, positions=True, chars=True)]
        marks = sorted({mark for match in _matches(query, field, tokens) for mark in match.marks})
        found += [Span(field, start, end) for start, end in _merged(marks)]
    return tuple(found)


def _matches(query: Any, field: str, tokens: list[_Token]) -> list[_Found]:
    """Return the matches of a query node in one field's tokens."""
    if isinstance(query, wq.Not):
        return []
    if isinstance(query, wq.AndNot):
        return _matches(query.a, field, tokens)
    if isinstance(query, wspans.SpanNear2):
        sides = [_matches(q, field, tokens) for q in query.qs]
        return _near(sides, query.slop, query.ordered, query.mindist)
    if isinstance(query, wq.Phrase):
        if query.fieldname != field:
            return []
        # As Whoosh runs a phrase: its words in order, each at most slop positions after the one before.
        return _near([_words(tokens, _equal_to(word)) for word in query.words], query.slop, True, 1)
    if not query.is_leaf():
        return [match for child in query.children() for match in _matches(child, field, tokens)]
    test = _word_test(query)
    return _words(tokens, test) if test is not None and query.field() == field else []


def _word_test(leaf: Any) -> Callable[[str], bool] | None:
    """Return which analysed words a leaf matches, as the engine expands it (None: no word of a text field)."""
    if isinstance(leaf, wq.FuzzyTerm):
        word, most, prefix = str(leaf.text), int(leaf.maxdist), int(leaf.prefixlength)
        return lambda text: (text[:prefix] == word[:prefix] and abs(len(text) - len(word)) <= most
                             and edit_distance(text, word) <= most)
    if isinstance(leaf, wq.Prefix):
        return lambda text: text.startswith(str(leaf.text))
    if isinstance(leaf, wq.Wildcard):
        pattern = re.compile(leaf._get_pattern())  # Whoosh's own pattern of the wildcard (fnmatch's)
        return lambda text: pattern.match(text) is not None
    if isinstance(leaf, wq.TermRange):
        return lambda text: _in_range(text, leaf)
    if isinstance(leaf, wq.Term):
        return _equal_to(str(leaf.text))
    return None


def _equal_to(word: str) -> Callable[[str], bool]:
    return lambda text: text == word


def _in_range(text: str, leaf: Any) -> bool:
    above = leaf.start is None or text > leaf.start or (text == leaf.start and not leaf.startexcl)
    below = leaf.end is None or text < leaf.end or (text == leaf.end and not leaf.endexcl)
    return bool(above and below)


def _words(tokens: list[_Token], test: Callable[[str], bool]) -> list[_Found]:
    return [_Found(t.pos, t.pos, ((t.start, t.end),)) for t in tokens if test(t.text)]


def _near(sides: list[list[_Found]], slop: int, ordered: bool, mindist: int) -> list[_Found]:
    """Return the matches of sides within slop positions of each other, as Whoosh's SpanNear2 finds them.

    Ordered (a phrase): each match is one occurrence, from its first word to its last. Unordered (NEAR): each
    match marks the words or phrases that stand near each other, not what lies between them.
    """
    found = sorted(sides[0], key=lambda m: m.first)
    for side in sides[1:]:
        others = sorted(side, key=lambda m: m.first)
        starts = [m.first for m in others]
        joined: set[_Found] = set()
        for a in found:
            for b in others[bisect_left(starts, a.first if ordered else max(0, a.first - slop)):]:
                if b.last < a.first - slop or (ordered and a.first > b.first):
                    continue
                if b.first > a.last + slop:
                    break
                if mindist <= _distance(a, b) <= slop:
                    joined.add(_joined(a, b, ordered))
        found = sorted(joined, key=lambda m: m.first)
        if not found:
            return []
    return found


def _distance(a: _Found, b: _Found) -> int:
    if a.first <= b.last and b.first <= a.last:  # they overlap
        return 0
    return b.first - a.last if a.last < b.first else a.first - b.last


def _joined(a: _Found, b: _Found, whole: bool) -> _Found:
    marks = a.marks + b.marks
    if whole:
        marks = ((min(m[0] for m in marks), max(m[1] for m in marks)),)
    return _Found(min(a.first, b.first), max(a.last, b.last), marks)


def _merged(marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return sorted character ranges with the overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in marks:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged

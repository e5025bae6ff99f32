"""Plain-text articles, in two layouts: headline, blank line, then either a header block and the body, or the body.

With a header block (`headline / blank / author / date / topic / blank / body`): the header block is the run of
lines after the headline's blank line up to the next blank line. The line in it that reads as a date is the date
(one that looks like a date but is impossible is left out, with a notice); the lines before it are the authors
("By " dropped, "A and B" split); the line after it is the topic ("a, b" gives two) when it is short and not a
sentence, else it starts the body.

Headerless (`headline / blank / paragraphs`, the most common layout of plain-text news datasets, often one folder
per section): no date line in the header block, so the first line is the headline and the paragraphs after it
the body, with no author or date. That is an article only when the first line reads as a headline (at most
MAX_HEADLINE_WORDS words, not ending like a sentence) and the body as prose: at least MIN_BODY_WORDS words, a
sentence, and MIN_PROSE_SHARE of its words in paragraphs of prose (words, not figures; not a bulleted list or
table cells; ending like a sentence or running on in long lines). Licences and Markdown documents are recognised
and skipped. Its id is a hash of source, headline and body, so the same story filed twice gets one id. By content
alone (a file whose name does not end in .txt) only the layout with a header block is recognised: prose is too
common a shape to claim a file by.

A file in neither layout (a README, a licence, a data table, a file of one paragraph) is skipped as a whole,
saying why, because people index folders that also hold those.

Decisions about the body, which web pages pasted into text files fill with links and promotions:
- A paragraph other than the first that is a single line of at most 20 words and does not end like a sentence
  (. ! ? : ; or a closing quote or bracket) is a related-story headline: it leaves the body and goes to
  Article.related_headlines. Cross-heads inside a long story are taken the same way; that is the price.
- Trailing paragraphs of at most 40 words that mention a newsletter, signing up, subscribing, following us,
  clicking here or downloading our app are promotions and are dropped. Longer ones are kept: they are prose.
The source comes only from the `source` argument: the layout has no line for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..dates import parse_date
from ..records import Article, Notice, ParseItem, Skipped, clean_values, make_id
from .decoding import read_source, sniff_text
from .text import split_names, tidy_line

LAYOUT_REASON = "not in the plain-text article layout"
_NO_DATE_LINE = "no date line in the header block"
RELATED_MAX_WORDS = 20
PROMOTION_MAX_WORDS = 40
_MAX_AUTHOR_LINES = 3
_MAX_DATE_CHARS = 60
_MAX_TOPIC_WORDS = 8
_SENTENCE_END = (".", "!", "?", ":", ";", '"', "'", "”", "’", ")", "]", "»")
_PROMOTION = re.compile(
    r"newsletter|\bsign up\b|\bsubscribe\b|\bfollow us\b|\bclick here\b|\bdownload our app\b", re.IGNORECASE
)
_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\.?(?=[\s,\d])"
    r"|\b(?:january|february|march|april|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
# Headerless articles: what a headline and a body of prose are.
MAX_HEADLINE_WORDS = 30
MIN_BODY_WORDS = 25
MIN_PROSE_SHARE = 0.75
MIN_PROSE_LINE_WORDS = 8  # words a line of prose has, on average, when a paragraph does not end like a sentence
_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*(?=\s|$)")
_ACRONYM_END = re.compile(r"(?:\b[^\W\d_]\.){2,}$")  # "U.S.": a headline may end so
_BULLET = re.compile(r"^(?:[-*•·>]|\d{1,2}[.)])\s")
_TOKENS = re.compile(r"[\s,;|]+")
_MARKDOWN = re.compile(r"^(?:#{1,6}\s|```|~~~)")  # a heading or a code fence
_LICENCE_HEADLINE = re.compile(r"\b(?:licen[cs]e|copyright|terms of (?:use|service)|eula)\b", re.IGNORECASE)
_LICENCE_TERMS = re.compile(
    r"permission is hereby granted|without warrant(?:y|ies)|licensed under|general public licen[cs]e|"
    r"redistribution and use in source and binary forms|all rights reserved|the software is provided|"
    r"licen[cs]e agreement|terms and conditions",
    re.IGNORECASE,
)


@dataclass
class _Layout:
    """Where the parts of an article stand in its tidied lines."""

    headline: str
    author_lines: list[str]
    date_line: str
    date_number: int  # 1-based line number, for notices
    topic_line: str = ""
    body_lines: list[str] = field(default_factory=list)


def parse(path: Path, source: str) -> Iterator[ParseItem]:
    """Parse one article in the plain-text layout, or skip the file saying which part of the layout is missing."""
    text = read_source(path)
    if isinstance(text, Skipped):
        yield text
        return
    lines = [tidy_line(line) for line in text.split("\n")]
    layout = _split_layout(lines)
    if isinstance(layout, str):
        # No header block: a headline and prose, or say why not (the reason for a file in neither layout).
        found = _headerless(lines) if layout.startswith(_NO_DATE_LINE) else layout
        if isinstance(found, Article):
            yield replace(found, id=make_id(None, "", source, found.headline, None, found.body), source=source)
        else:
            yield Skipped(str(path), "", f"{LAYOUT_REASON}: {found}")
        return
    notices: list[Notice] = []
    try:
        date = parse_date(layout.date_line)
    except ValueError as err:
        date = None
        notices.append(Notice(str(path), f"line {layout.date_number}", f"date left out: {err}"))
    body, related = _split_body(_paragraphs(layout.body_lines))
    yield Article(
        id=make_id(None, "", source, layout.headline, date),
        headline=layout.headline,
        body=body,
        author=clean_values(name for line in layout.author_lines for name in split_names(line)),
        date=date,
        topic=clean_values(re.split(r"[,;]", layout.topic_line)),
        source=source,
        related_headlines=related,
    )
    yield from notices


def _split_layout(lines: list[str]) -> _Layout | str:
    """Find headline, header block and body in tidied lines; a string says what is missing instead."""
    start = next((i for i, line in enumerate(lines) if line), len(lines))
    first = next((i for i in range(start + 1, len(lines)) if lines[i]), len(lines))
    if first == len(lines):
        return "nothing after the first line"
    if first == start + 1:
        return f"no blank line after the first line of text (line {start + 1})"
    end = next((i for i in range(first, len(lines)) if not lines[i]), len(lines))
    header = lines[first:end]
    position = next((i for i, line in enumerate(header[: _MAX_AUTHOR_LINES + 1]) if _is_date_line(line)), None)
    if position is None:
        lines_named = f"line {end}" if end == first + 1 else f"lines {first + 1}-{end}"
        return f"{_NO_DATE_LINE} ({lines_named})"
    layout = _Layout(lines[start], header[:position], header[position], first + position + 1)
    rest = header[position + 1 :]
    if rest and _is_topic_line(rest[0]):
        layout.topic_line = rest.pop(0)
    layout.body_lines = [*rest, *lines[end:]]
    return layout


def _is_date_line(line: str) -> bool:
    """A short line with a digit that parses as a date, or looks like one (an impossible date is still one).

    Not the cells of a table ("Monday | 06:12 | 18:40"), and a sentence ("Shares rose 5% in December.", the
    first paragraph of a headerless article) only if it parses: its month alone does not make it a date.
    """
    if len(line) > _MAX_DATE_CHARS or not any(char.isdigit() for char in line) or line.count("|") >= 2:
        return False
    sentence = line.endswith((".", "!", "?")) and len(line.split()) > 4
    if not sentence and (_MONTH.search(line) or _NUMERIC_DATE.search(line)):
        return True
    try:
        return parse_date(line) is not None
    except ValueError:
        return False


def _is_topic_line(line: str) -> bool:
    return len(line.split()) <= _MAX_TOPIC_WORDS and not line.endswith(_SENTENCE_END)


def _paragraphs(lines: list[str]) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [paragraph for paragraph in paragraphs if paragraph]


def _split_body(paragraphs: list[list[str]]) -> tuple[str, tuple[str, ...]]:
    """Drop trailing promotions and pull related-story headlines out; return the body and those headlines."""
    while len(paragraphs) > 1 and _is_promotion(paragraphs[-1]):
        paragraphs.pop()
    kept: list[str] = []
    related: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if index > 0 and _is_related_headline(paragraph):
            related.append(paragraph[0])
        else:
            kept.append("\n".join(paragraph))
    return "\n\n".join(kept), clean_values(related)


def _is_promotion(paragraph: list[str]) -> bool:
    text = " ".join(paragraph)
    return len(text.split()) <= PROMOTION_MAX_WORDS and bool(_PROMOTION.search(text))


def _is_related_headline(paragraph: list[str]) -> bool:
    line = paragraph[0]
    return len(paragraph) == 1 and len(line.split()) <= RELATED_MAX_WORDS and not line.endswith(_SENTENCE_END)


def _headerless(lines: list[str]) -> Article | str:
    """Read a headline and a body of prose paragraphs (id and source left to the caller), or say what is not."""
    start = next(i for i, line in enumerate(lines) if line)  # the layout check found text and a blank after it
    headline, rest = lines[start], lines[start + 1 :]
    terms = {found.group(0).lower() for found in _LICENCE_TERMS.finditer(" ".join(rest))}
    if len(terms) >= 2 or (terms and _LICENCE_HEADLINE.search(headline)):
        return "a licence, not an article"
    marked = next((i for i, line in enumerate(lines, start=1) if _MARKDOWN.match(line)), None)
    if marked is not None:
        return f"Markdown or other markup (line {marked}), not an article"
    words = len(headline.split())
    if words > MAX_HEADLINE_WORDS:
        return f"the first line is too long for a headline ({words} words; at most {MAX_HEADLINE_WORDS})"
    if headline.endswith(".") and not _ACRONYM_END.search(headline):
        return "the first line ends like a sentence, not like a headline"
    body, related = _split_body(_paragraphs(rest))
    paragraphs = [p.split("\n") for p in body.split("\n\n") if p.strip()]
    total = sum(len(_tokens(p)) for p in paragraphs)
    if total < MIN_BODY_WORDS:
        return f"too little text after the headline ({total} words; an article has at least {MIN_BODY_WORDS})"
    if not _SENTENCE.search(body) or sum(_prose_words(p) for p in paragraphs) < MIN_PROSE_SHARE * total:
        return "the text after the headline is not prose (a list, a table or notes)"
    return Article(id="", headline=headline, body=body, related_headlines=related)


def _prose_words(paragraph: list[str]) -> int:
    """Return the words of a paragraph that reads as prose, else 0.

    Prose is words (not figures), not a bulleted list or table cells, and ends like a sentence or runs on in
    long lines (a sentence wrapped, its full stop missing): a column of short lines is a list or notes.
    """
    tokens = _tokens(paragraph)
    if not tokens or any(_BULLET.match(line) or line.count("|") >= 2 for line in paragraph):
        return 0  # (tabs between cells are spaces by now)
    if sum(1 for t in tokens if any(c.isalpha() for c in t)) < 0.7 * len(tokens):
        return 0
    runs_on = len(tokens) >= MIN_PROSE_LINE_WORDS * 2 and len(tokens) / len(paragraph) >= MIN_PROSE_LINE_WORDS
    return len(tokens) if paragraph[-1].endswith(_SENTENCE_END) or runs_on else 0


def _tokens(paragraph: list[str]) -> list[str]:
    """The words of a paragraph, split at spaces and at the separators of lists and tables."""
    return [token for token in _TOKENS.split(" ".join(paragraph)) if token]


def sniff(head: bytes) -> bool:
    """Recognise the plain-text article layout from the first bytes of a file."""
    text = sniff_text(head)
    if text is None:
        return False
    return isinstance(_split_layout([tidy_line(line) for line in text.split("\n")]), _Layout)

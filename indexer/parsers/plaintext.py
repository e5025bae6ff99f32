"""The plain-text article layout: headline, blank line, a header block (author, date, topic), blank, body.

The header block is the run of lines after the headline's blank line up to the next blank line. The line in it
that reads as a date is the date (one that looks like a date but is impossible is left out, with a notice); the
lines before it are the authors ("By " dropped, "A and B" split); the line after it is the topic ("a, b" gives
two) when it is short and not a sentence, else it starts the body. A file without this shape (a README, a
licence) is skipped as a whole, saying what was missing, because people index folders that also hold those.

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
from dataclasses import dataclass, field
from pathlib import Path

from ..dates import parse_date
from ..records import Article, Notice, ParseItem, Skipped, clean_values, make_id
from .decoding import read_source, sniff_text
from .text import split_names, tidy_line

LAYOUT_REASON = "not in the plain-text article layout"
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
    layout = _split_layout([tidy_line(line) for line in text.split("\n")])
    if isinstance(layout, str):
        yield Skipped(str(path), "", f"{LAYOUT_REASON}: {layout}")
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
        return f"no date line in the header block ({lines_named})"
    layout = _Layout(lines[start], header[:position], header[position], first + position + 1)
    rest = header[position + 1 :]
    if rest and _is_topic_line(rest[0]):
        layout.topic_line = rest.pop(0)
    layout.body_lines = [*rest, *lines[end:]]
    return layout


def _is_date_line(line: str) -> bool:
    """A short line with a digit that parses as a date, or looks like one (an impossible date is still one)."""
    if len(line) > _MAX_DATE_CHARS or not any(char.isdigit() for char in line):
        return False
    if _MONTH.search(line) or _NUMERIC_DATE.search(line):
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


def sniff(head: bytes) -> bool:
    """Recognise the plain-text article layout from the first bytes of a file."""
    text = sniff_text(head)
    if text is None:
        return False
    return isinstance(_split_layout([tidy_line(line) for line in text.split("\n")]), _Layout)

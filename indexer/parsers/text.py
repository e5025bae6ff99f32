"""Text clean-up shared by the parsers: spaces and paragraphs, bylines into names, fallback headlines, dates."""

from __future__ import annotations

import re
from datetime import datetime

from ..dates import parse_date
from ..records import clean_values

UNTITLED = "(untitled)"
FALLBACK_HEADLINE_WORDS = 12
# The longest date text read ("Wednesday, January 22, 2020 - 4:07 pm Eastern Standard Time" is 60 characters).
# dateutil slows down badly on long texts: a 10 MB "date" field took minutes.
MAX_DATE_CHARS = 200

# Non-breaking and other Unicode spaces come from web pages pasted into text files; they are plain spaces here.
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")
# The whitespace (str.isspace) that is neither _SPACES nor the newline: kept inside a line, taken from its ends.
# Looked for one character at a time: str's own search is many times faster than a regular expression's class.
_OTHER_WHITESPACE = "\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_BYLINE = re.compile(r"^\s*by\s+", re.IGNORECASE)
# "A and B", "A & B", "A; B": several people in one byline.
_NAME_SEPARATORS = re.compile(r"\s+and\s+|\s*[;&]\s*", re.IGNORECASE)


def tidy_line(line: str) -> str:
    """Collapse runs of spaces (non-breaking ones included) to one space and trim the line."""
    # Most lines have no run to collapse: these tests take a tenth of the time of _SPACES' search and replace.
    if line.isascii() and "  " not in line and "\t" not in line:
        return line.strip()
    return _SPACES.sub(" ", line).strip()


def tidy_paragraphs(text: str) -> str:
    """Tidy every line of a text (tidy_line) and keep paragraphs apart by exactly one blank line."""
    if any(char in text for char in _OTHER_WHITESPACE):
        text = "\n".join(map(tidy_line, text.split("\n")))
    else:  # then str.split() splits at _SPACES alone: the same lines, twice as fast
        text = "\n".join(map(" ".join, map(str.split, text.split("\n"))))
    # The substring test is many times faster than the expression's search, which finds nothing in most texts.
    return (_BLANK_RUNS.sub("\n\n", text) if "\n\n\n" in text else text).strip()


def split_names(byline: str) -> tuple[str, ...]:
    """Turn a byline ("By Jane Doe and John Roe") into names; "Doe, Jane" stays one name."""
    names: list[str] = []
    for part in _NAME_SEPARATORS.split(_BYLINE.sub("", tidy_line(byline))):
        pieces = [tidy_line(piece) for piece in part.split(",")]
        # A comma separates people only when every piece is a full name; "Doe, Jane" is one person.
        if len(pieces) > 1 and all(len(piece.split()) >= 2 for piece in pieces):
            names.extend(pieces)
        else:
            names.append(part)
    return clean_values(_BYLINE.sub("", name).strip(" ,") for name in names)


def first_words(text: str, count: int = FALLBACK_HEADLINE_WORDS) -> str:
    """Return the first words of a text as a stand-in headline, or "(untitled)" for a text without words."""
    words = text.split()
    if not words:
        return UNTITLED
    if len(words) <= count:
        return " ".join(words)
    return " ".join(words[:count]) + " …"


def read_date(text: str | None) -> datetime | None:
    """Parse a date stated in a file, as parse_date does, refusing a text too long to be a date (ValueError)."""
    if text is not None and len(text) > MAX_DATE_CHARS:
        text = " ".join(text.split())
        if len(text) > MAX_DATE_CHARS:
            raise ValueError(f"not a date: {text[:40]!r}... ({len(text):,} characters)")
    return parse_date(text)

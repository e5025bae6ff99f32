"""Keyword in context: every occurrence of a query's words or phrases in an article, with the words either side.

A concordance is made of the spans a backend finds (SearchBackend.match_spans: what the index matches, the same
as an article page marks), one row per occurrence: the article's id, date, source and headline, the text it is in
(headline or body), `width` words of context either side, the keyword as the text writes it, and its character
offset in that text. The web export (/export.kwic.csv) and `newsarchive kwic` both write these rows.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from .backend import SearchBackend
from .errors import QueryError
from .records import Article
from .request import EVERYTHING, Search, whole_number
from .spans import Span

# Words of context either side of a keyword: the default, and the limits of what may be asked.
DEFAULT_WIDTH = 10
MIN_WIDTH = 1
MAX_WIDTH = 50
WIDTH_HELP = f"Words of context either side of each keyword ({MIN_WIDTH}-{MAX_WIDTH})."
KWIC_COLUMNS = ("id", "date", "source", "headline", "field", "left", "keyword", "right", "offset")
# The aligned text view gives each side of a keyword this many characters a word of width (cut with an ellipsis).
CHARS_PER_WORD = 7
ELLIPSIS = "…"
_WORD = re.compile(r"\S+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class KwicRow:
    """One occurrence of a keyword: where it is, and its context (whitespace runs as one space)."""

    id: str
    date: datetime | None
    source: str
    headline: str
    field: str  # the text it is in: "headline" or "body"
    left: str
    keyword: str  # as the text writes it
    right: str
    offset: int  # of the keyword's first character in its text

    def cells(self) -> list[str]:
        """Return the row's values as text, in the order of KWIC_COLUMNS."""
        when = self.date.isoformat() if self.date else ""
        return [self.id, when, self.source, self.headline, self.field, self.left, self.keyword, self.right,
                str(self.offset)]


def check_width(width: int) -> int:
    """Return a context width, or raise QueryError naming it when it is out of range."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise QueryError(f"width must be a whole number of words from {MIN_WIDTH} to {MAX_WIDTH}, not {width}")
    return width


def parse_width(text: str | None) -> int:
    """Return the width a query-string value asks for (blank or missing: DEFAULT_WIDTH), or raise QueryError."""
    if text is None or not text.strip():
        return DEFAULT_WIDTH
    return check_width(whole_number("width", text.strip()))


def check_kwic_search(search: Search) -> Search:
    """Return a search a concordance can be made of, or raise QueryError: it needs words to find."""
    if search.query.strip() in EVERYTHING:
        raise QueryError('keyword in context needs a query: the words or phrases to find, such as "interest rates"')
    return search


def concordance(backend: SearchBackend, search: Search, width: int,
                limit: int) -> Iterator[tuple[Article, list[KwicRow]]]:
    """Return each article a search matches (in its order, up to limit) with its rows, read as they are consumed.

    A bad request (no query, a bad width, a query that cannot run) raises QueryError here, before any article.
    """
    check_kwic_search(search)
    check_width(width)
    articles = backend.iter_matches(search, limit)
    synonyms = search.synonyms == "on"
    return ((article, list(kwic_rows(article, backend.match_spans(article, search.query, synonyms), width)))
            for article in articles)


def kwic_rows(article: Article, spans: Iterable[Span], width: int = DEFAULT_WIDTH) -> Iterator[KwicRow]:
    """Return a row for each span of an article, with `width` words of context either side (fewer at the ends).

    A word of context is a run of characters between spaces, as a reader counts them ("co-operative", "ferry,”");
    what the keyword's own run holds beyond it (a quotation mark, a comma) comes with it, uncounted.
    """
    check_width(width)
    words: dict[str, tuple[list[int], list[int]]] = {}
    for span in spans:
        text = str(getattr(article, span.field))
        if span.field not in words:
            found = [(m.start(), m.end()) for m in _WORD.finditer(text)]
            words[span.field] = ([start for start, _ in found], [end for _, end in found])
        starts, ends = words[span.field]
        before = bisect_left(starts, span.start)  # the words that begin before the keyword
        take = width + (before > 0 and ends[before - 1] > span.start)  # and the keyword's own, when it begins there
        left = text[starts[before - take] if before >= take else 0:span.start]
        after = bisect_right(ends, span.end)  # the first word that ends after the keyword
        take = width + (after < len(starts) and starts[after] < span.end)  # the keyword's own, when it goes on
        right = text[span.end:ends[after + take - 1] if after + take <= len(ends) else len(text)]
        yield KwicRow(article.id, article.date, article.source, article.headline, span.field,
                      _one_line(left), span.text_of(article), _one_line(right), span.start)


def concordance_heading(article: Article) -> str:
    """Return the line a concordance shows above an article's rows: its id, date, source and headline."""
    when = article.date.strftime("%Y-%m-%d") if article.date else "undated"
    return "  ".join(filter(None, (article.id, when, _one_line(article.source), _one_line(article.headline))))


def concordance_line(row: KwicRow, width: int) -> str:
    """Return a row as a concordancer shows it: the left context right-aligned, the keyword, the right context."""
    column = width * CHARS_PER_WORD
    left = row.left if len(row.left) <= column else ELLIPSIS + row.left[len(row.left) - column + 1:]
    right = row.right if len(row.right) <= column else row.right[:column - 1] + ELLIPSIS
    return f"{left:>{column}}  {_one_line(row.keyword)}  {right}".rstrip()


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()

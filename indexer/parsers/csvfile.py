"""CSV and TSV files with a header row: one article per row, columns named as mapping.py understands.

The delimiter is the one of , ; tab | that the header line uses most (tab first for a .tsv file). A row is
named by the file line it starts on ("row 7"), so a spreadsheet user can find it.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from ..records import ParseItem, Skipped
from .decoding import TextLines, read_lines, sniff_text
from .mapping import BODY_KEYS, HEADLINE_KEYS, article_from_mapping, normalise_key

DELIMITERS = (",", ";", "\t", "|")
_USABLE_KEYS = frozenset(HEADLINE_KEYS + BODY_KEYS)
# Article bodies easily pass csv's default 128 KB field limit; the C long bounds what the module accepts.
_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)
_LISTED_COLUMNS = 12


def parse(path: Path, source: str) -> Iterator[ParseItem]:
    """Parse a CSV/TSV file: one article per row; bad rows are skipped and named, the rest goes on.

    A large file is streamed (read_lines): memory does not grow with it.
    """
    lines = read_lines(path)
    if isinstance(lines, Skipped):
        yield lines
        return
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    first = next((line for line in lines if line), "")
    delimiter = choose_delimiter(first, prefer_tab=path.suffix.lower() == ".tsv")
    rows = _rows(lines, delimiter, str(path))
    header = next(rows, None)
    if not isinstance(header, tuple):
        yield header or Skipped(str(path), "", "no header row")
        return
    columns = [column.strip() for column in header[2]]
    if not _USABLE_KEYS & {normalise_key(column) for column in columns}:
        yield Skipped(str(path), "", f"no headline or body column in the header row (columns found: {_list(columns)})")
        return
    yield from _articles(rows, columns, path, source)


def _articles(
    rows: Iterator[tuple[int, int, list[str]] | Skipped], columns: list[str], path: Path, source: str
) -> Iterator[ParseItem]:
    count = 0
    for row in rows:
        count += 1
        if isinstance(row, Skipped):
            yield row
            continue
        line, last_line, cells = row
        if len(cells) != len(columns):
            reason = f"{len(cells)} columns where the header has {len(columns)}"
            if last_line > line:  # a quote left open swallows the lines after it into one field
                reason += f"; the row runs on to line {last_line}: is a quote left open?"
            yield Skipped(str(path), f"row {line}", reason)
            continue
        record: dict[str, str] = {}
        for column, cell in zip(columns, cells, strict=True):
            record.setdefault(column, cell.strip())  # a repeated column name: the first one counts
        item, notices = article_from_mapping(record, str(path), f"row {line}", source)
        yield item
        yield from notices
    if count == 0:
        yield Skipped(str(path), "", "no rows after the header")


def _rows(lines: TextLines, delimiter: str, path: str) -> Iterator[tuple[int, int, list[str]] | Skipped]:
    """Non-blank rows with the file lines each starts and ends on; a row csv cannot read ends the file."""
    reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter)
    # csv silently ends a quote left open at the end of the file: the last row would swallow every line after it.
    last_line = lines.count if lines.quotes % 2 else -1
    line_num = 0
    while True:
        start = line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield Skipped(path, f"row {start}", f"unreadable CSV, rest of the file left out: {err}")
            return
        line_num = reader.line_num
        if start < line_num == last_line:
            yield Skipped(path, f"row {start}", f"a quote is left open: the row runs on to the end (line {line_num})")
        elif any(cell.strip() for cell in cells):
            yield start, line_num, cells


def choose_delimiter(header_line: str, prefer_tab: bool = False) -> str:
    """Pick the delimiter the header line uses most, counting outside quotes; "," when it uses none."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    if prefer_tab and counts["\t"]:
        return "\t"
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])  # max keeps the first of equal counts
    return best if counts[best] else ","


def _list(columns: list[str]) -> str:
    shown = [column[:40] or '""' for column in columns[:_LISTED_COLUMNS]]
    more = f", and {len(columns) - _LISTED_COLUMNS} more" if len(columns) > _LISTED_COLUMNS else ""
    return (", ".join(shown) or "none") + more


def sniff(head: bytes) -> bool:
    """Recognise a CSV/TSV file: a delimited header naming a headline or body column, then a data line."""
    text = sniff_text(head)
    if text is None:
        return False
    lines = text.lstrip("\n").split("\n")
    if len(lines) < 2 or not lines[1].strip():
        return False  # a header alone, or a header followed by a blank line (a plain-text headline)
    delimiter = choose_delimiter(lines[0])
    header = next(csv.reader([lines[0]], delimiter=delimiter), [])
    return len(header) >= 2 and bool(_USABLE_KEYS & {normalise_key(column) for column in header})

"""CSV that spreadsheets open safely: cells that would be formulas kept as text, UTF-8 marked for Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

# A cell starting with one of these is a formula to a spreadsheet: prefixed with ' so it stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV file as UTF-8 only when it starts with a byte order mark; without one "Siobhán" shows as
# "SiobhÃ¡n". JSON Lines has none: JSON forbids it (RFC 8259), and line readers would take it into the first key.
CSV_BOM = "\ufeff"


def safe_cell(value: str) -> str:
    """Return a cell's text as a spreadsheet shows it literally: a would-be formula prefixed with '."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[str]], bom: bool = True) -> Iterator[str]:
    """Return CSV text a row at a time (for streaming): the header at once, then each row, every cell made safe (the
    header's too: it may name what a user typed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(CSV_BOM if bom else "")
    writer.writerow([safe_cell(name) for name in header])
    yield _taken(buffer)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        yield _taken(buffer)


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text

"""The Cranfield collection: 1,400 aeronautics abstracts with titles, 225 queries, graded judgements.

Read from ../shared/data/cranfield/ (SMART format). cran.all.1400: records start ".I n", then ".T" title, ".A"
authors, ".B" bibliographic line, ".W" abstract, each field over several lines. Document id `cran:<n>`, headline
the title, body the abstract (which often repeats the title: that is the collection, left as it is), no date,
source "Cranfield".

The trap: the numbers after ".I" in cran.qry (001, 002, 004, 008, ...) are not the query numbers of cranqrel,
which numbers the queries 1..225 by their position in cran.qry. Queries are keyed by position here.

cranqrel lines are "<query> <document> <code>": codes 1 (a complete answer) to 4 (minimum interest) are
relevant, with gains 4 down to 1 (gain = 5 - code) for nDCG; -1 marks a judged document of no interest and is
dropped, as are empty lines. Every one of the 225 queries has relevant documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import JudgedCollection, corpus_record, read_text

_FIELD = re.compile(r"^\.([A-Z])(?:\s+(\S+))?\s*$")
RELEVANT_CODES = (1, 2, 3, 4)


@dataclass(frozen=True)
class Record:
    """One SMART record: its ".I" number and its fields by letter (text joined into one line each)."""

    number: int
    fields: dict[str, str]


def parse_records(text: str) -> list[Record]:
    """Parse a SMART file: ".I n" starts a record, ".X" starts field X; the lines after it are its text."""
    records: list[Record] = []
    fields: dict[str, list[str]] = {}
    current: str | None = None
    number: int | None = None

    def finish() -> None:
        if number is not None:
            records.append(Record(number, {k: " ".join(" ".join(v).split()) for k, v in fields.items()}))

    for line in text.splitlines():
        marker = _FIELD.match(line)
        if marker and marker.group(1) == "I":
            finish()
            number, fields, current = int(marker.group(2)), {}, None
        elif marker and marker.group(2) is None:
            current = marker.group(1)
            fields.setdefault(current, [])
        elif current is not None:
            fields[current].append(line)
    finish()
    return records


def parse_judgements(text: str) -> dict[int, dict[int, int]]:
    """Parse cranqrel: query position -> document number -> gain (5 - code), relevant codes only."""
    judgements: dict[int, dict[int, int]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue  # the two empty lines
        query, doc, code = (int(p) for p in parts)
        if code in RELEVANT_CODES:
            gains = judgements.setdefault(query, {})
            gains[doc] = max(gains.get(doc, 0), 5 - code)
    return judgements


def load(folder: Path) -> JudgedCollection:
    """Read the Cranfield collection from its folder."""
    documents = parse_records(read_text(folder, "cran.all.1400"))
    queries = parse_records(read_text(folder, "cran.qry"))
    judgements = parse_judgements(read_text(folder, "cranqrel"))
    judged = [position for position in range(1, len(queries) + 1) if judgements.get(position)]
    return JudgedCollection(
        name="Cranfield",
        records=[corpus_record(f"cran:{d.number}", d.fields.get("T", ""), d.fields.get("W", ""), None, "Cranfield")
                 for d in documents],
        queries={str(p): queries[p - 1].fields.get("W", "") for p in judged},
        gains={str(p): {f"cran:{doc}": gain for doc, gain in judgements[p].items()} for p in judged},
        notes="queries keyed by their position in cran.qry, as cranqrel numbers them; graded gains 5 - code",
    )

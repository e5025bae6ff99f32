"""The TIME test collection: 423 TIME magazine articles of 1963, 83 queries, binary judgements.

Read from ../shared/data/time-collection/: TIME.ALL (a "*TEXT <no> <MM/DD/YY> PAGE <ppp>" header, spacing
irregular, before each text), TIME.QUE ("*FIND <n>" then the query) and TIME.REL ("<query> <position> ..."). The
judgements name documents by their 1-based position in TIME.ALL, not by their *TEXT number. Document id
`time:<position>`; no headline (the collection marks none, and one made of the first words would count them
twice); body the whole text; the issue date; source "TIME". Query 23 has no relevant documents and is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import JudgedCollection, corpus_record, read_text

EXCLUDED = 23  # the one query without relevant documents
_HEADER = re.compile(r"^\*TEXT\s+(\d+)\s+(\d{1,2})\s*/\s*(\d{1,2})\s*[/\s]\s*(\d{2,4})\s+PAGE\s+(\d+)")
_FIND = re.compile(r"^\*FIND\s+(\d+)")


@dataclass(frozen=True)
class TimeDocument:
    """One article of TIME.ALL: its 1-based position in the file, its *TEXT number, issue date, page and text."""

    position: int
    number: int
    date: date
    page: int
    text: str

    @property
    def id(self) -> str:
        """Return the corpus id, by position (the judgements name documents by position)."""
        return f"time:{self.position}"


def parse_documents(text: str) -> list[TimeDocument]:
    """Parse TIME.ALL: a "*TEXT <no> <MM/DD/YY> PAGE <ppp>" header (spacing irregular) before each text."""
    documents: list[TimeDocument] = []
    header: re.Match[str] | None = None
    lines: list[str] = []
    for line in [*text.splitlines(), "*STOP"]:
        if not line.startswith("*"):
            lines.append(line)
            continue
        if header is not None:
            number, month, day, year, page = (int(g) for g in header.groups())
            when = date(year if year > 99 else 1900 + year, month, day)
            body = " ".join(" ".join(lines).split())
            documents.append(TimeDocument(len(documents) + 1, number, when, page, body))
        header, lines = _HEADER.match(line), []
        if header is None and line.strip() != "*STOP":
            raise ValueError(f"not a TIME.ALL header: {line!r}")
    return documents


def parse_queries(text: str) -> dict[int, str]:
    """Parse TIME.QUE: "*FIND <n>" then the query text, up to the next *FIND or *STOP."""
    queries: dict[int, str] = {}
    number: int | None = None
    for line in [*text.splitlines(), "*STOP"]:
        found = _FIND.match(line)
        if found or line.startswith("*STOP"):
            number = int(found.group(1)) if found else None
            if number is not None:
                queries[number] = ""
        elif number is not None:
            queries[number] = " ".join(f"{queries[number]} {line}".split())
    return queries


def parse_judgements(text: str) -> dict[int, frozenset[int]]:
    """Parse TIME.REL: "<query> <position> <position> ..." per line (positions are 1-based, in TIME.ALL)."""
    judgements: dict[int, frozenset[int]] = {}
    for line in text.splitlines():
        numbers = [int(n) for n in line.split()]
        if numbers:
            judgements[numbers[0]] = frozenset(numbers[1:])
    return judgements


def load(folder: Path) -> JudgedCollection:
    """Read the TIME collection from its folder."""
    documents = parse_documents(read_text(folder, "TIME.ALL"))
    queries = parse_queries(read_text(folder, "TIME.QUE"))
    relevant = parse_judgements(read_text(folder, "TIME.REL"))
    judged = sorted(n for n in queries if relevant.get(n))
    return JudgedCollection(
        name="TIME",
        records=[corpus_record(d.id, "", d.text, d.date.isoformat(), "TIME") for d in documents],
        queries={str(n): queries[n] for n in judged},
        gains={str(n): {f"time:{p}": 1 for p in relevant[n]} for n in judged},
        notes=f"query {EXCLUDED} has no relevant documents and is left out",
    )

"""Test collections with relevance judgements, each read from ../shared/data/ into one shape.

A collection is its documents (as records of the peers' JSON Lines corpus), its judged queries by key, and for
each query the gain of every relevant document (1 for binary judgements; graded ones give more to better
documents). The collections' licences allow research use only: they are read from ../shared/data/, never
copied into this repository.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@dataclass(frozen=True)
class JudgedCollection:
    """Documents, judged queries (key -> text) and judgements (key -> document id -> gain, every gain > 0)."""

    name: str
    records: list[dict[str, Any]]
    queries: dict[str, str]
    gains: dict[str, dict[str, int]]
    notes: str = ""  # what was left out of the means, and why

    def write_corpus(self, path: Path) -> Path:
        """Write the documents as a JSON Lines corpus in the peers' format."""
        with path.open("w", encoding="utf-8") as out:
            for record in self.records:
                out.write(json.dumps(record) + "\n")
        return path


@dataclass(frozen=True)
class Known:
    """A collection this harness reads: its module (with a load(folder) function) and its usual folder."""

    module: str
    folder: Path

    def load(self, folder: Path | None = None) -> JudgedCollection:
        """Read the collection from its folder (default: its place in ../shared/data/)."""
        loaded: JudgedCollection = importlib.import_module(self.module).load(folder or self.folder)
        return loaded


COLLECTIONS = {
    "time": Known("bench.judged.time_collection", SHARED_DATA / "time-collection"),
    "cranfield": Known("bench.judged.cranfield", SHARED_DATA / "cranfield"),
}


def read_text(folder: Path, name: str) -> str:
    """Read one file of a collection (ASCII; a stray byte becomes U+FFFD rather than stopping the run)."""
    return (folder / name).read_text(encoding="ascii", errors="replace")


def corpus_record(doc_id: str, headline: str, body: str, date: str | None, source: str) -> dict[str, Any]:
    """Return one document as a record of the peers' corpus (no authors, topics or url)."""
    return {"id": doc_id, "headline": headline, "body": body, "author": [], "date": date, "topic": [],
            "source": source, "url": ""}

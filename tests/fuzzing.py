"""What the fuzz tests share: their corpus, and how many examples they run (bounded for CI, longer on request).

    FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -q -n 2 tests/test_fuzz_api.py tests/test_fuzz_web.py

FUZZ_EXAMPLES is the number of generated requests per API operation and per web fuzz test (default 60). Runs are
deterministic; FUZZ_SEED=<n> picks another run (another seed for the API, a seeded random run for the web).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, seed, settings

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths

from .conftest import CORPUS, write_jsonl

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ_SEED = os.environ.get("FUZZ_SEED", "")
# Beyond the shared corpus: an id that must be written as a ~base64 key, and text hostile to HTML, XML and CSV.
FUZZ_CORPUS = [
    *CORPUS,
    {"title": "Slashed id", "body": "An article whose id is its URL.", "url": "https://example.org/2021/03/s?x=1",
     "date": "2021-03-02"},
    {"id": "ünïcode id with spaces", "title": "Control \x0b characters \x01 in a headline \uffff", "author": "Ø <b>",
     "body": "Body with \x00 NUL, </mark> markup <mark>inside</mark> and =cmd|' /C calc'!A0.",
     "topic": ["<i>t</i>", "ctl\x01topic\uffff"], "date": "1987"},
]

F = TypeVar("F", bound=Callable[..., Any])


def build_fuzz_index(folder: Path) -> Path:
    """Index the fuzz corpus into folder/index and return that path."""
    index_paths([write_jsonl(folder / "corpus.jsonl", FUZZ_CORPUS)], open_backend(folder=folder / "index"),
                             IndexOptions(procs=1))
    return folder / "index"


def fuzz_settings(test: F) -> F:
    """Hypothesis settings of a fuzz test: FUZZ_EXAMPLES examples, deterministic unless FUZZ_SEED is given."""
    chosen = settings(
        max_examples=FUZZ_EXAMPLES,
        derandomize=not FUZZ_SEED,
        database=None,  # a fixed run needs no example database (and leaves no files behind)
        deadline=None,  # the first search of a fresh index reads its arrays: slow once, not a failure
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(test)
    return seed(int(FUZZ_SEED))(chosen) if FUZZ_SEED else chosen

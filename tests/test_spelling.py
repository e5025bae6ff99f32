""""Did you mean": our corrector suggests exactly what Whoosh's ReaderCorrector suggests, faster over many segments."""

from __future__ import annotations

import random
from pathlib import Path

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.whoosh.spelling import NewsCorrector, suggest_query
from indexer.whoosh.storage import open_index

DEMO = Path(__file__).resolve().parents[1] / "demo"


def misspellings(words: list[str], rng: random.Random, count: int) -> list[str]:
    """Words with a letter dropped, added, changed or two swapped (the first letter kept, as the corrector asks)."""
    made = []
    for word in rng.sample(words, count):
        at = rng.randrange(1, len(word))
        kind = rng.randrange(4)
        if kind == 0:
            made.append(word[:at] + word[at + 1:])
        elif kind == 1:
            made.append(word[:at] + rng.choice("aeiourst") + word[at:])
        elif kind == 2:
            made.append(word[:at] + rng.choice("aeiourst") + word[at + 1:])
        else:
            made.append(word[:at - 1] + word[at] + word[at - 1] + word[at + 1:] if at > 1 else word + "e")
    return made


def test_suggestions_over_many_segments_are_whoosh_s(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    # Commits of 8 articles: several segments, so the reader is Whoosh's MultiReader.
    index_paths([DEMO], open_backend("whoosh", folder), IndexOptions(procs=1, batch_size=8))
    with open_index(folder).reader() as reader:
        assert len(reader.readers) > 1
        words = sorted(w.decode() for w in reader.lexicon("body") if len(w) > 4 and w.isalpha())
        compared = 0
        for word in misspellings(words, random.Random(27), 150):
            for maxdist in (1, 2):
                ours = NewsCorrector(reader, "body").suggest(word, limit=10, maxdist=maxdist, prefix=1)
                assert ours == reader.corrector("body").suggest(word, limit=10, maxdist=maxdist, prefix=1), word
                compared += bool(ours)
        assert compared > 100
        assert suggest_query(reader, "councl budgett") == "council budget"


def test_one_segment_is_corrected_by_whoosh_s_own(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    index_paths([DEMO], open_backend("whoosh", folder), IndexOptions(procs=1))
    with open_index(folder).reader() as reader:
        assert not hasattr(reader, "readers")
        for word in ("councl", "fery", "harbuor"):
            assert NewsCorrector(reader, "body").suggest(word, maxdist=2, prefix=1) == \
                reader.corrector("body").suggest(word, maxdist=2, prefix=1)

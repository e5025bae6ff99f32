"""A segment's arrays (facets.py: facet values, dates, field lengths, story numbers) read whole from our codec's
tables and columns equal what Whoosh's reader API gives document by document, in every kind of segment: written in
bulk, merged as arrays (with deleted articles dropped), and of Whoosh's own codec (an index of an older release)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Search
from indexer.whoosh.codec import NewsTermsReader
from indexer.whoosh.facets import NO_DATE, _read_segment, story_number, story_numbers
from indexer.whoosh.schema import FACET_DEFAULTS, FACET_FIELDS, SEARCH_FIELDS
from indexer.whoosh.tables import read_tables, tables_bytes

from .conftest import whoosh_own_codec

DEMO = Path(__file__).resolve().parents[1] / "demo"
MISSING_DATE = 2**64 - 1


def expected_arrays(reader: object) -> dict[str, object]:
    """A segment's arrays as Whoosh's reader API gives them, a document and a term at a time."""
    n = reader.doc_count_all()  # type: ignore[attr-defined]
    dates = [reader.column_reader("date", translate=False)[d] for d in range(n)]  # type: ignore[attr-defined]
    facets = {}
    for name, field in FACET_FIELDS.items():
        pairs = set()
        if field in reader.indexed_field_names():  # type: ignore[attr-defined]
            for term in reader.lexicon(field):  # type: ignore[attr-defined]
                pairs |= {(term.decode(), d) for d in reader.postings(field, term).all_ids()}  # type: ignore
        if name in FACET_DEFAULTS:
            having = {d for _, d in pairs}
            pairs |= {(FACET_DEFAULTS[name], d) for d in range(n) if d not in having}
        facets[name] = pairs
    lengths = {f: [reader.doc_field_length(d, f, 1) or 1 for d in range(n)] for f in SEARCH_FIELDS}  # type: ignore
    stories = list(reader.column_reader("story"))  # type: ignore[attr-defined]
    return {"dates": [NO_DATE if d == MISSING_DATE else d for d in dates], "facets": facets, "lengths": lengths,
            "stories": [story_number(s) if s else 0 for s in stories]}


def read_arrays(reader: object) -> dict[str, object]:
    found = _read_segment(reader)
    facets = {name: {(column.values[o], int(d)) for d, o in zip(column.docs, column.ords, strict=True)}
              for name, column in found.facets.items()}
    return {"dates": found.dates.tolist(), "facets": facets,
            "lengths": {f: found.lengths[f].tolist() for f in SEARCH_FIELDS}, "stories": found.stories.tolist()}


def segments(folder: Path) -> list[tuple[str, bool, dict[str, object], dict[str, object]]]:
    """Each segment: its codec's name, whether it has tables, its arrays as read, and as Whoosh gives them."""
    ix = whoosh_index.open_dir(str(folder))
    found = []
    with ix.reader() as reader:
        leaves = [reader] if not hasattr(reader, "readers") else reader.readers
        for leaf in leaves:
            tables = isinstance(leaf._terms, NewsTermsReader) and leaf._terms.tables_file is not None
            found.append((type(leaf.codec()).__name__, tables, read_arrays(leaf), expected_arrays(leaf)))
    return found


def assert_same(folder: Path) -> list[tuple[str, bool]]:
    kinds = []
    for codec, tables, read, expected in segments(folder):
        assert read == expected, codec
        kinds.append((codec, tables))
    return kinds


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    copied = tmp_path / "demo"
    shutil.copytree(DEMO, copied)
    return copied


def test_bulk_and_merged_segments_read_whole_give_whoosh_s_values(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "index"
    # Commits of 8 articles: the tenth small segment starts an array merge (merging.tiered_merge).
    index_paths([demo], open_backend("whoosh", folder), IndexOptions(procs=1, batch_size=8))
    kinds = assert_same(folder)
    assert len(kinds) > 1 and all(tables for _, tables in kinds)
    # Deleted articles: an article changed (deleted and added again) and a file gone (pruned).
    wire = demo / "wire.jsonl"
    lines = wire.read_text().splitlines()
    wire.write_text("\n".join([lines[0].replace('"title": "', '"title": "Changed: ', 1), *lines[1:]]) + "\n")
    (demo / "partners.jsonl").unlink()
    report = index_paths([demo], open_backend("whoosh", folder), IndexOptions(procs=1, prune=True))
    assert report.updated == 1 and report.deleted > 0
    assert_same(folder)
    backend = open_backend("whoosh", folder)
    backend.optimize()  # one segment, merged as arrays with the deleted articles dropped
    backend.close()
    assert assert_same(folder) == [("NewsCodec", True)]


def test_segments_of_whoosh_s_codec_and_ours_side_by_side(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "index"
    with whoosh_own_codec():
        index_paths([demo / "wire.jsonl"], open_backend("whoosh", folder), IndexOptions(procs=1))
    index_paths([demo / "archive.csv"], open_backend("whoosh", folder), IndexOptions(procs=1))
    assert sorted(assert_same(folder)) == [("NewsCodec", True), ("W3Codec", False)]
    backend = open_backend("whoosh", folder)
    page = backend.search(Search())
    years = {value.value: value.count for value in page.facets["year"]}
    assert page.total == sum(years.values()) > 0  # every article has a year: counted in both kinds of segment
    assert backend.search(Search(year=(max(years),))).total == years[max(years)]
    backend.close()


def test_a_segment_of_our_codec_without_tables_is_read_term_by_term(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    index_paths([DEMO], open_backend("whoosh", folder), IndexOptions(procs=1))
    with whoosh_index.open_dir(str(folder)).reader() as reader:
        with_tables = read_arrays(reader)
        assert reader._terms.tables_file is not None
        reader._terms.tables_file = None  # a segment of the releases before tables (no .nft file)
        assert read_arrays(reader) == expected_arrays(reader) == with_tables


def test_tables_round_trip_awkward_values() -> None:
    tables = {"topic_exact": [(b"", np.array([3], dtype="<u4")), ("caf\u00e9".encode(), np.array([0, 1], "<u4")),
                              (b"x" * 7, np.array([2], dtype="<u4"))],
              "empty": [], "language": [(b"en", np.array([0, 1, 2, 3], "<u4"))]}
    read = read_tables(tables_bytes(tables))
    assert list(read) == ["topic_exact", "empty", "language"]
    values, docs, ords = read["topic_exact"]
    assert values == [b"", "caf\u00e9".encode(), b"xxxxxxx"]
    assert docs.tolist() == [3, 0, 1, 2] and ords.tolist() == [0, 1, 1, 2]
    assert read["empty"][0] == [] and len(read["empty"][1]) == 0
    assert read["language"][1].tolist() == [0, 1, 2, 3]


def test_story_numbers_equal_for_equal_ids_and_differ_otherwise() -> None:
    ids = ["reuters-1", "", "reuters-1", "reuters-10", "r\u00e9sum\u00e9", "reuters-2"]
    encoded = [s.encode() for s in ids]
    numbers = story_numbers(b"".join(encoded), np.array([len(e) for e in encoded])).tolist()
    assert numbers[1] == 0 and numbers[0] == numbers[2]
    assert len({numbers[i] for i in (0, 3, 4, 5)}) == 4 and 0 not in numbers[:1] + numbers[2:]
    assert numbers == [story_number(s) if s else 0 for s in ids]


def test_a_segment_whose_articles_have_no_date_reads_the_column_default(tmp_path: Path) -> None:
    undated = tmp_path / "undated.jsonl"
    undated.write_text('{"title": "Ferry timetable", "body": "The ferry runs twice daily."}\n'
                       '{"title": "Harbour notice", "body": "The harbour is closed for repairs."}\n')
    folder = tmp_path / "index"
    index_paths([undated], open_backend("whoosh", folder), IndexOptions(procs=1))
    ((codec, tables, read, _),) = segments(folder)
    assert (codec, tables) == ("NewsCodec", True)
    assert read["dates"] == [NO_DATE, NO_DATE]
    assert_same(folder)


def test_facet_counts_of_single_and_several_valued_facets(demo: Path, tmp_path: Path) -> None:
    """A facet of at most one value a document is counted from its per-document ordinals (single_valued), the
    others from their (document, value) pairs: both give what counting the pairs gives, for any set of documents."""
    from indexer.whoosh.facets import IndexView, SegmentCache

    folder = tmp_path / "index"
    index_paths([demo], open_backend("whoosh", folder), IndexOptions(procs=1, batch_size=8))
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as searcher:
        view = IndexView(searcher, SegmentCache())
        kinds = {name: view.single_valued(name) is not None for name in FACET_FIELDS}
        assert kinds["source"] and kinds["year"] and not all(kinds.values()), kinds  # both kinds in the demo
        rng = np.random.default_rng(5)
        for mask in [view.live, ~view.live, np.zeros(view.size, bool), *(rng.random((20, view.size)) < 0.3)]:
            for name in FACET_FIELDS:
                column = view.facets[name]
                tally = np.bincount(column.ords[mask[column.docs]], minlength=len(column.values))
                expected = sorted(((column.values[i], int(n)) for i, n in enumerate(tally) if n),
                                  key=lambda pair: (-pair[1], column.values.index(pair[0])))
                assert view.counts(name, mask) == expected, name

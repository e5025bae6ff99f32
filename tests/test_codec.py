"""Our codec (indexer/whoosh/codec.py) writes the same terms, postings and positions as Whoosh's own, faster to read."""

from __future__ import annotations

import tracemalloc
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.codec import base
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec
from whoosh.filedb.structfile import BufferFile

from bench.queries import ALTERNATIVES, HEADLINE_WORDS, PAIRS, PHRASES, PREFIXES, TERMS
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Paging, Search
from indexer.results import SearchPage
from indexer.whoosh.codec import NewsCodec, NewsFieldWriter, NewsPositions, term_postings
from indexer.whoosh.perdoc import LengthBytes
from indexer.whoosh.postings import read_postings

from .conftest import REUTERS, whoosh_own_codec

DEMO = Path(__file__).resolve().parents[1] / "demo"
QUERIES = ["flood", '"county council"', '"flood wall"', "council*", "harbour OR ferry", "ferry -harbour",
           "topic:environment", 'flood NEAR/5 homes', "", "counci~"]


def build(folder: Path, procs: int = 1) -> Path:
    report = index_paths([DEMO], open_backend("whoosh", folder), IndexOptions(procs=procs))
    assert report.added == 86
    return folder


def same(page: SearchPage) -> SearchPage:
    """The page but for the time it took."""
    return replace(page, took_ms=0.0)


def every_posting(folder: Path) -> dict[tuple[str, bytes], Any]:
    """Every term of every field: its statistics and its postings as Whoosh's reader API gives them."""
    ix = whoosh_index.open_dir(str(folder))
    found: dict[tuple[str, bytes], Any] = {}
    with ix.reader() as reader:
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            matcher = reader.postings(field, text)
            postings = []
            while matcher.is_active():
                positions = matcher.value_as("positions") if matcher.supports("positions") else None
                postings.append((matcher.id(), matcher.weight(), positions))
                matcher.next()
            found[field, text] = ((info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                                   info.max_weight(), info.min_id(), info.max_id()), postings)
    return found


def segment_codecs(folder: Path) -> list[type]:
    return [type(segment.codec()) for segment in whoosh_index.open_dir(str(folder))._segments()]


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with whoosh_own_codec():
        folder = build(tmp_path_factory.mktemp("before") / "index")
    assert segment_codecs(folder) == [W3Codec]
    return folder


@pytest.fixture(scope="module")
def after(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = build(tmp_path_factory.mktemp("after") / "index")
    assert segment_codecs(folder) == [NewsCodec]
    return folder


def test_every_term_has_the_same_postings_positions_and_statistics(before: Path, after: Path) -> None:
    old, new = every_posting(before), every_posting(after)
    assert len(new) > 3000 and new.keys() == old.keys()
    assert [term for term in new if new[term] != old[term]] == []


def test_the_posting_at_a_time_interface_writes_the_same(before: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NewsFieldWriter, "add_postings", base.FieldWriter.add_postings)
    assert every_posting(build(tmp_path / "index")) == every_posting(before)


def test_searches_give_the_same_pages(before: Path, after: Path) -> None:
    old, new = open_backend("whoosh", before), open_backend("whoosh", after)
    try:
        for query in QUERIES:
            assert same(new.search(Search(query=query))) == same(old.search(Search(query=query))), query
    finally:
        old.close()
        new.close()


def test_postings_are_arrays_in_one_step_and_equal_what_whoosh_decodes(before: Path, after: Path) -> None:
    old, new = whoosh_index.open_dir(str(before)).reader(), whoosh_index.open_dir(str(after)).reader()
    try:
        assert term_postings(old, "body", "council") is None  # Whoosh's own codec: decoded a posting at a time
        arrays = term_postings(new, "body", "council")
        assert arrays is not None and arrays.positions is not None and arrays.counts is not None
        assert len(arrays.docs) == new.doc_frequency("body", "council") > 5
        assert arrays.counts.sum() == len(arrays.positions) == new.frequency("body", "council")
        for read in ("council", "flood", "the", "zzz-no-such-word"):
            ours, whooshs = read_postings(new, "body", read), read_postings(old, "body", read)
            assert ours.docs.tolist() == whooshs.docs.tolist() and np.allclose(ours.weights, whooshs.weights)
        matcher = new.postings("body", "council")
        for i, doc in enumerate(arrays.docs.tolist()):
            assert matcher.id() == doc and matcher.value_as("positions") == arrays.positions_of(i)
            matcher.next()
    finally:
        old.close()
        new.close()


def test_new_indexes_keep_positions_as_raw_integers(after: Path) -> None:
    schema = whoosh_index.open_dir(str(after)).schema
    assert isinstance(schema["body"].format, NewsPositions)
    value = schema["body"].format.encode([3, 7, 70000])
    assert value == b"\x00\x00\x00\x03" + np.array([3, 7, 70000], dtype="<u4").tobytes()
    assert schema["body"].format.decode_positions(value) == [3, 7, 70000]


def test_parallel_builds_write_our_codec_in_every_segment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("indexer.whoosh.bulk.PARALLEL_MIN_DOCS", 1)
    folder = build(tmp_path / "index", procs=2)
    assert set(segment_codecs(folder)) == {NewsCodec}
    backend = open_backend("whoosh", folder)
    try:
        assert backend.search(Search(query='"county council"')).total == 13
    finally:
        backend.close()


@pytest.mark.slow
@pytest.mark.skipif(not REUTERS.is_dir(), reason=f"Reuters-21578 not found at {REUTERS}")
def test_all_of_reuters_gives_the_same_results_as_whoosh_s_own_codec(tmp_path: Path) -> None:
    # One process each: a parallel build numbers documents in whichever order its workers finish, and equal scores
    # are ranked by document number.
    with whoosh_own_codec():
        index_paths([REUTERS], open_backend("whoosh", tmp_path / "before"), IndexOptions(procs=1))
    index_paths([REUTERS], open_backend("whoosh", tmp_path / "after"), IndexOptions(procs=1))
    queries = [*TERMS, *(" ".join(p) for p in PAIRS), *(f'"{" ".join(p)}"' for p in PHRASES),
               *(" OR ".join(p) for p in ALTERNATIVES), *(f"headline:{w}" for w in HEADLINE_WORDS),
               *(f"{p}*" for p in PREFIXES), "oil NEAR/5 prices", '"crude oil" NEAR prices', "recieve~",
               "topic:crude", "opec -saudi", '"interest rates"~3', ""]
    old, new = open_backend("whoosh", tmp_path / "before"), open_backend("whoosh", tmp_path / "after")
    try:
        for query in queries:
            for search in (Search(query=query), Search(query=query, sort="newest"),
                           Search(query=query, date_from=date(1987, 3, 1), date_to=date(1987, 3, 31))):
                assert same(new.search(search, Paging(page=2))) == same(old.search(search, Paging(page=2))), search
        ids = [hit.id for hit in old.search(Search(query="oil"), Paging(per_page=20)).hits]
        assert [new.related(i) for i in ids] == [old.related(i) for i in ids]
    finally:
        old.close()
        new.close()


def test_opening_an_index_maps_its_segments_instead_of_copying_them(after: Path) -> None:
    on_disk = sum(path.stat().st_size for path in after.glob("*.seg"))
    warm = open_backend("whoosh", after)  # the modules a search imports on first use are not the index's memory
    warm.search(Search(query='"county council" OR flood*'))
    warm.article(warm.search(Search()).hits[0].id)
    warm.close()
    tracemalloc.start()
    backend = open_backend("whoosh", after)
    try:
        assert backend.search(Search(query='"county council" OR flood*')).total > 10
        assert backend.article(backend.search(Search()).hits[0].id) is not None  # stored fields read too
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        backend.close()
    # Whoosh's BufferFile copied every sub-file it opened (postings, terms, stored fields) into memory.
    assert peak < on_disk, (peak, on_disk)  # 1.75 times the segment before, 0.76 with views


def test_length_bytes_are_written_as_whooshs_length_column_writes_them() -> None:
    # Documents added, then a merged segment's bytes written to the file directly (merged.copy_per_doc: fill, then
    # the file, then _count), then more documents: the same bytes as W3's column writer, a document at a time.
    written = []
    for make in (lambda f: LENGTHS_COLUMN.writer(f), LengthBytes):
        dbfile = BufferFile(bytearray())
        column = make(dbfile)
        for docnum, value in ((0, 3), (2, 7), (3, 1)):
            column.add(docnum, value)
        column.fill(6)
        dbfile.write(bytes([9, 9]))
        column._count = 8  # noqa: SLF001
        for docnum, value in ((9, 4), (12, 255)):
            column.add(docnum, value)
        column.finish(20)  # no bytes for the documents after the last with a length
        written.append(bytes(dbfile.file.getvalue()))
    assert written[0] == written[1] == bytes([3, 0, 7, 1, 0, 0, 9, 9, 0, 4, 0, 0, 255])

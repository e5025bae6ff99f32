"""Segments: small ones are merged as they pile up, a bulk load's as it goes, `optimize` merges everything."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.maintenance import delete_articles, optimize_index
from indexer.request import Paging, Search
from indexer.whoosh import WhooshBackend, merging
from indexer.whoosh.merging import segments_to_merge
from indexer.whoosh.storage import leaf_readers, open_index, segment_count
from newsarchive.cli import main

from .conftest import write_jsonl

DEMO = Path(__file__).resolve().parents[1] / "demo"


def records(start: int, count: int) -> list[dict[str, str]]:
    return [{"id": f"n{i}", "title": f"Council report {i}",
             "body": f"The council met on day {i} about roads." + " Traffic and repairs were discussed." * (i % 40),
             "date": f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}", "topic": "Politics"}
            for i in range(start, start + count)]


def segments(index_dir: Path) -> int:
    return segment_count(open_index(index_dir))


def search_ids(index_dir: Path, query: str) -> list[str]:
    service = WhooshBackend(index_dir)
    try:
        page = service.search(Search(query=query, sort="oldest"), Paging(per_page=100))
        return [hit.id for hit in page.hits]
    finally:
        service.close()


def daily_runs(tmp_path: Path, days: int, per_day: int) -> Path:
    """Index one new file a day, one run each (one commit, one segment); return the index folder."""
    ix, data = tmp_path / "ix", tmp_path / "data"
    data.mkdir()
    for day in range(days):
        write_jsonl(data / f"day{day:02d}.jsonl", records(day * per_day, per_day))
        index_paths([data], open_backend(folder=ix), IndexOptions(procs=1))
        assert segments(ix) < merging.MERGE_FACTOR + 2
    return ix


def test_a_full_tier_of_small_segments_is_merged() -> None:
    assert segments_to_merge([5] * 9) == []
    assert sorted(segments_to_merge([5] * 10)) == list(range(10))
    # Tiers are merged separately: nine 1-9 segments and ten 10-99 ones merge the latter only.
    assert sorted(segments_to_merge([5] * 9 + [50] * 10)) == list(range(9, 19))


def test_large_segments_are_never_merged_by_a_commit() -> None:
    assert segments_to_merge([2500] * 40 + [10]) == []
    assert segments_to_merge([merging.SMALL_SEGMENT] * 20) == []


def test_a_commit_merges_no_more_than_its_budget() -> None:
    chosen = segments_to_merge([900] * 12)
    assert 1 < len(chosen) and sum(900 for _ in chosen) <= merging.MAX_COMMIT_MERGE


def test_many_small_runs_keep_the_segment_count_bounded(tmp_path: Path) -> None:
    ix = daily_runs(tmp_path, 25, 3)
    assert len(search_ids(ix, "council")) == 75


def test_a_bulk_load_s_segments_are_merged_ten_consecutive_ones_at_a_time() -> None:
    class Segment:
        def __init__(self, size: int, deleted: bool = False) -> None:
            self.size, self.deleted = size, deleted

        def doc_count_all(self) -> int:
            return self.size

        def has_deletions(self) -> bool:
            return self.deleted

    loaded = [Segment(2500) for _ in range(10)]
    assert merging.bulk_segments_to_merge(loaded[:9]) == []
    assert merging.bulk_segments_to_merge(loaded) == loaded
    # Only consecutive ones (the merged segment takes their place), of one tier, without deletions, not the largest.
    mixed = [Segment(2500) for _ in range(5)] + [Segment(25000)] + loaded
    assert merging.bulk_segments_to_merge(mixed) == loaded
    assert merging.bulk_segments_to_merge([*loaded[:5], Segment(2500, deleted=True), *loaded[5:]]) == []
    assert merging.bulk_segments_to_merge([Segment(500)] * 10 + [Segment(merging.BULK_MERGE_BELOW)] * 10) == []


def small_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bulk commits of a few articles: segments of 10 articles count as a bulk load's (in this process only: the
    writing processes take the segments they are given)."""
    monkeypatch.setattr(merging, "SMALL_SEGMENT", 10)
    monkeypatch.setattr(merging, "BULK_MERGE_BELOW", 100)
    monkeypatch.setattr("indexer.whoosh.backend.PARALLEL_MIN_DOCS", 20)
    monkeypatch.setattr("indexer.whoosh.bulk.PARALLEL_MIN_DOCS", 20)


def facets_and_ids(index_dir: Path) -> tuple[Any, ...]:
    service = WhooshBackend(index_dir)
    try:
        page = service.search(Search(query="council roads", match="any"), Paging(per_page=100))
        dated = service.search(Search(query="", sort="newest"), Paging(per_page=100, page=2))
        return (page.total, [hit.id for hit in page.hits], [hit.score for hit in page.hits],
                {name: [(v.value, v.count) for v in values] for name, values in page.facets.items()},
                [hit.id for hit in dated.hits], service.article_count())
    finally:
        service.close()


def test_a_bulk_load_merges_its_segments_as_it_goes_with_the_same_results(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    small_bulk(monkeypatch)
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "bulk.jsonl", records(0, 480))  # 24 commits of 20, each two segments of 10
    options = IndexOptions(procs=2, batch_size=20)
    index_paths([data], open_backend(folder=tmp_path / "merged"), options)
    monkeypatch.setattr(merging, "BULK_MERGE_BELOW", 10)  # the same load, nothing merged as it goes
    index_paths([data], open_backend(folder=tmp_path / "unmerged"), options)
    assert segments(tmp_path / "unmerged") == 48
    # Every tenth pair of segments of ten merged in a process beside the next commit: 4 of 100 and 8 left.
    assert segments(tmp_path / "merged") == 12
    assert facets_and_ids(tmp_path / "merged") == facets_and_ids(tmp_path / "unmerged")
    assert facets_and_ids(tmp_path / "merged")[-1] == 480


def test_a_small_commit_after_a_bulk_load_leaves_its_segments(tmp_path: Path) -> None:
    ix, data = tmp_path / "ix", tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "bulk.jsonl", records(0, 12 * merging.SMALL_SEGMENT // 10))
    index_paths([data], open_backend(folder=ix), IndexOptions(procs=1, batch_size=merging.SMALL_SEGMENT))
    bulk = segments(ix)
    write_jsonl(data / "new.jsonl", records(5000, 2))
    report = index_paths([data], open_backend(folder=ix), IndexOptions(procs=1))
    assert report.added == 2 and segments(ix) == bulk + 1


def test_optimize_merges_into_one_segment_with_the_same_results(tmp_path: Path) -> None:
    ix = daily_runs(tmp_path, 4, 5)
    delete_articles(open_backend(folder=ix), ["n3"])
    before = search_ids(ix, "council")
    report = optimize_index(open_backend(folder=ix))
    assert (report.segments_before, report.segments_after) == (4, 1)
    assert search_ids(ix, "council") == before and len(before) == 19
    assert optimize_index(open_backend(folder=ix)).segments_before == 1


def test_optimize_command(tmp_path: Path) -> None:
    ix = daily_runs(tmp_path, 2, 5)
    result = CliRunner().invoke(main, ["optimize", "--index", str(ix)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Optimized {ix}: 2 segment(s) merged into 1 in ")
    missing = CliRunner().invoke(main, ["optimize", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no index at" in missing.output


def _demo_in_segments(folder: Path) -> Path:
    """The demo archive in five segments, the last replacing and deleting articles of the others (deletions)."""
    from indexer.backend import Batch
    from indexer.parsers import parse_path
    from indexer.records import Article

    articles = [item for path in sorted(DEMO.iterdir()) if path.suffix in (".csv", ".json", ".jsonl")
                for item in parse_path(path) if isinstance(item, Article)]
    assert len(articles) > 40
    backend = WhooshBackend(folder)
    try:
        backend.prepare(rebuild=True)
        for part in range(4):
            chosen = articles[part::4]
            backend.commit(Batch(articles={a.id: (a, False) for a in chosen}))
        changed = [replace(a, headline=f"{a.headline} (corrected)", body=f"{a.body} A correction was added.")
                   for a in articles[1:12:2]]
        backend.commit(Batch(articles={a.id: (a, True) for a in changed}, deletes=[articles[2].id, articles[7].id]))
        assert backend.segment_count() == 5
    finally:
        backend.close()
    return folder


def _everything(folder: Path) -> tuple[Any, ...]:
    """Every term's statistics and postings (with their values), every document's stored fields, lengths and column
    values, and each field's total length."""
    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as reader:
        terms = {}
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            matcher = reader.postings(field, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            terms[field, text] = ((info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                                   info.max_weight(), info.min_id(), info.max_id()), postings)
        fields = sorted(ix.schema.scorable_names())
        sortable = sorted(name for name in ix.schema.names() if ix.schema[name].column_type)
        values = {name: reader.column_reader(name, translate=False) for name in sortable}
        docs = [(stored, [reader.doc_field_length(n, f) for f in fields], [values[c][n] for c in sortable])
                for n, stored in reader.iter_docs()]
        return terms, docs, reader.doc_count_all()


def field_totals(folder: Path) -> dict[str, int]:
    """Each scorable field's total length, as BM25F averages it: exact (the sum of the documents' lengths), less the
    deleted documents' rounded lengths (the exact ones are not kept)."""
    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as reader:
        totals = {}
        for field in sorted(ix.schema.scorable_names()):
            total = reader.field_length(field)
            for leaf, _ in leaf_readers(reader):
                total -= sum(leaf.doc_field_length(d, field) or 0 for d in leaf._perdoc.deleted_docs())
            totals[field] = total
        return totals


def test_merging_our_segments_as_arrays_writes_what_whoosh_s_merge_writes(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _demo_in_segments(tmp_path / "fast")
    shutil.copytree(fast, tmp_path / "whoosh")
    totals = field_totals(fast)
    used: list[int] = []
    real = merging.MergedSegment

    def counted(*args: Any) -> Any:
        used.append(1)
        return real(*args)

    monkeypatch.setattr(merging, "MergedSegment", counted)
    optimize_index(open_backend("whoosh", fast))
    assert len(used) == 5  # every segment merged as arrays
    monkeypatch.setattr(merging, "merges_as_arrays", lambda reader: False)
    optimize_index(open_backend("whoosh", tmp_path / "whoosh"))
    assert segments(fast) == segments(tmp_path / "whoosh") == 1
    terms, docs, count = _everything(fast)
    assert (terms, docs, count) == _everything(tmp_path / "whoosh")
    # Field totals stay the segments' own (Whoosh's merge sums the rounded length bytes: BM25F's averages move).
    assert field_totals(fast) == totals != field_totals(tmp_path / "whoosh")
    assert count == len(docs) and any("(corrected)" in stored["headline"] for stored, _, _ in docs)
    assert {len(columns) for _, _, columns in docs} == {2}  # dates and story ids compared too
    for query in ("council", '"flood wall"', "correction", "flood NEAR/5 homes", "counc*", "topic:environment"):
        assert search_ids(fast, query) == search_ids(tmp_path / "whoosh", query), query

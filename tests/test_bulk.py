"""The bulk writer (indexer/whoosh/bulk.py) writes the postings, positions and statistics Whoosh's writer writes."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from indexer.languages import ENGLISH
from indexer.records import Article
from indexer.whoosh.bulk import Builders, SegmentBuilder, build_segment
from indexer.whoosh.columns import id_items
from indexer.whoosh.schema import article_to_document, build_schema
from indexer.whoosh.storage import writer as index_writer
from indexer.whoosh.wordforms import FoundWords
from indexer.whoosh.words import document_terms

from .test_analysis import FAST_PATH_TEXTS
from .test_codec import every_posting

LANGUAGES = [ENGLISH, "fr", "de", "ru"]


def documents() -> list[dict[str, Any]]:
    """Articles of every awkward text: empty, only stop words, leading and repeated stop words, accents, other
    languages and markers, each as headline and as body, some articles twice the same words; most with a time of
    their own (a date's terms are made without Whoosh's `index`), some with none."""
    made = []
    for number, text in enumerate(FAST_PATH_TEXTS * 3):
        headline = FAST_PATH_TEXTS[(number + 1) % len(FAST_PATH_TEXTS)]
        date = None if number % 5 == 0 else datetime(1987, 3, 1) + timedelta(hours=7 * number, seconds=number)
        article = Article(id=f"a{number}", headline=headline, body=text, source="Wire", author=("Ann Lee",),
                          topic=("oil",), language=LANGUAGES[number % len(LANGUAGES)], date=date)
        made.append(article_to_document(article))
    return made


def written(folder: Path, writer_class: type) -> Path:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    segments = [_segment(ix, writer_class, documents())]
    committing = index_writer(ix)
    committing.commit(mergetype=lambda _writer, _existing: segments)
    return folder


def _segment(ix: Any, writer_class: type, docs: list[dict[str, Any]]) -> Any:
    if writer_class is SegmentBuilder:
        return build_segment(ix, docs)
    writer = SegmentWriter(ix, _lk=False)
    for document in docs:
        writer.add_document(**document)
    return writer._finalize_segment()


def test_every_term_has_whoosh_s_postings_positions_and_statistics(tmp_path: Path) -> None:
    ours = every_posting(written(tmp_path / "ours", SegmentBuilder))
    whoosh = every_posting(written(tmp_path / "whoosh", SegmentWriter))
    assert len(ours) > 150 and ours.keys() == whoosh.keys()
    assert [term for term in ours if ours[term] != whoosh[term]] == []
    assert any(len(positions) > 1 for _, postings in ours.values() for _, _, positions in postings if positions)


def test_lengths_and_stored_fields_are_whoosh_s(tmp_path: Path) -> None:
    ours = whoosh_index.open_dir(str(written(tmp_path / "ours", SegmentBuilder)))
    whoosh = whoosh_index.open_dir(str(written(tmp_path / "whoosh", SegmentWriter)))
    with ours.reader() as a, whoosh.reader() as b:
        assert list(a.all_stored_fields()) == list(b.all_stored_fields())
        for field in ("headline", "body", "author"):
            assert [a.doc_field_length(d, field) for d in range(a.doc_count_all())] == \
                   [b.doc_field_length(d, field) for d in range(b.doc_count_all())]
            assert a.field_length(field) == b.field_length(field)


def test_parallel_segments_split_the_articles_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("indexer.whoosh.bulk.PARALLEL_MIN_DOCS", 4)
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    committing = index_writer(ix)  # the lock, held while the workers write
    builders = Builders()
    try:
        segments, words = builders.write(ix, documents(), 2, document_terms)
    finally:
        builders.close()
    committing.commit(mergetype=lambda _writer, _existing: segments)
    assert [segment.doc_count_all() for segment in segments] == [17, 16]
    # autocomplete's words, from the words the writers found, are those found again in the texts
    assert words == document_terms(documents(), FoundWords([], {})) and words["oil"] == 12  # 6 bodies, 6 headlines
    with whoosh_index.open_dir(str(tmp_path)).searcher() as searcher:
        assert [fields["id"] for fields in searcher.all_stored_fields()] == [f"a{n}" for n in range(33)]


def test_processes_started_ahead_of_a_bulk_load_also_write_its_smaller_last_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit too small to start processes for is written in this process, as one segment; once they have been
    started (`start`, as a bulk load's first batch is read), one of RUNNING_MIN_DOCS articles is spread over them."""
    monkeypatch.setattr("indexer.whoosh.bulk.PARALLEL_MIN_DOCS", 100)
    monkeypatch.setattr("indexer.whoosh.bulk.RUNNING_MIN_DOCS", 10)
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    committing = index_writer(ix)
    builders = Builders()
    try:
        alone, _ = builders.write(ix, documents(), 2, document_terms)
        assert builders._pool is None
        builders.start(2)
        builders.start(2)  # again, as every growing batch says: the same processes
        pool = builders._pool
        assert pool is not None
        deadline = time.monotonic() + 60
        while len(pool._processes) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # started in the background
        assert len(pool._processes) == 2
        spread, words = builders.write(ix, documents(), 2, document_terms)
        assert builders._pool is pool
    finally:
        builders.close()
    assert (len(alone), len(spread)) == (1, 2)
    assert [segment.doc_count() for segment in spread] == [17, 16]
    committing.commit(mergetype=lambda _writer, _existing: [*alone, *spread])
    assert words["oil"] == 12
    with whoosh_index.open_dir(str(tmp_path)).searcher() as searcher:
        assert searcher.doc_count() == 66


def test_boosts_are_refused_with_a_clear_error(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    builder = SegmentBuilder(ix)
    with pytest.raises(ValueError, match="without boosts"):
        builder.add_document(id="x", body="oil", _boost=2.0)
    builder.cancel()


def test_a_writing_process_that_dies_fails_its_commit_and_the_next_starts_new_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("indexer.whoosh.bulk.PARALLEL_MIN_DOCS", 4)
    monkeypatch.setattr("indexer.whoosh.bulk.RUNNING_MIN_DOCS", 4)
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    committing = index_writer(ix)
    builders = Builders()
    try:
        first, _ = builders.write(ix, documents(), 2, document_terms)
        assert builders._pool is not None
        for process in list(builders._pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        with pytest.raises(BrokenProcessPool):
            builders.write(ix, documents(), 2, document_terms)
        again, words = builders.write(ix, documents(), 2, document_terms)
    finally:
        builders.close()
    committing.commit(mergetype=lambda _writer, _existing: [*first, *again])
    assert words["oil"] == 12
    with whoosh_index.open_dir(str(tmp_path)).searcher() as searcher:
        assert searcher.doc_count() == 66


def test_an_id_fields_terms_are_made_as_its_analyzer_makes_them() -> None:
    schema = build_schema()
    texts = ("reuters21578:1", "", "Zürich ü", "two  words", "https://example.com/a?b=1", "1987-02-26")
    made = {name: [id_items(schema[name], text) for text in texts] for name in schema.names()}
    assert {name for name, items in made.items() if items[0] is not None} == {"id", "url", "story", "language",
                                                                             "year", "month"}
    for name, items in made.items():
        if items[0] is not None:
            assert items == [list(schema[name].index(text)) for text in texts], name


def test_a_call_runs_in_a_writing_process_while_they_run_and_here_once_one_died() -> None:
    builders = Builders()
    try:
        assert builders.call(os.getpid) == os.getpid()  # none started: here
        builders.start(2)
        assert builders._pool is not None
        assert builders.call(os.getpid) != os.getpid()
        for process in list(builders._pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.join()
        assert builders.call(os.getpid) == os.getpid()  # made here rather than lost
        assert builders._pool is None
    finally:
        builders.close()

"""The benchmark corpus generator (bench/corpus/): deterministic, well-formed, Reuters-like, growing vocabulary."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from bench import corpus
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths

REUTERS_SGM = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reuters21578" / "sgm-data"
N = 2000

pytestmark = pytest.mark.skipif(not REUTERS_SGM.is_dir(), reason="Reuters-21578 is not in ../shared/data")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> corpus.GenerationReport:
    """2,000 articles with seed 1."""
    return corpus.generate(N, 1, tmp_path_factory.mktemp("corpus") / "seed1.jsonl", pool=REUTERS_SGM)


@pytest.fixture(scope="module")
def records(generated: corpus.GenerationReport) -> list[dict[str, object]]:
    """The generated records, parsed."""
    return [json.loads(line) for line in generated.path.read_text(encoding="utf-8").splitlines()]


def test_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(
    generated: corpus.GenerationReport, tmp_path: Path
) -> None:
    again = corpus.generate(N, 1, tmp_path / "again.jsonl", pool=REUTERS_SGM)
    other = corpus.generate(N, 2, tmp_path / "other.jsonl", pool=REUTERS_SGM)
    assert again.path.read_bytes() == generated.path.read_bytes()
    assert other.path.read_bytes() != generated.path.read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_a_smaller_corpus_is_a_prefix_of_a_larger_one(generated: corpus.GenerationReport, tmp_path: Path) -> None:
    small = corpus.generate(1500, 1, tmp_path / "small.jsonl", pool=REUTERS_SGM)
    lines = generated.path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert small.path.read_text(encoding="utf-8") == "".join(lines[:1500])


def test_every_record_has_the_fields_and_types(records: list[dict[str, object]]) -> None:
    assert len(records) == N
    for number, record in enumerate(records, start=1):
        assert list(record) == ["id", "headline", "body", "author", "date", "topic", "source", "url"]
        assert record["id"] == f"syn-1-{number}"
        assert isinstance(record["headline"], str) and record["headline"].strip()
        assert isinstance(record["body"], str) and record["body"].strip()
        assert isinstance(record["author"], list) and all(isinstance(a, str) and a for a in record["author"])
        assert isinstance(record["topic"], list) and all(isinstance(t, str) and t for t in record["topic"])
        assert isinstance(record["source"], str) and record["source"].endswith("(synthetic)")
        date = record["date"]
        assert date is None or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", str(date))
        url = record["url"]
        assert isinstance(url, str)
        pattern = rf"https://example\.com/[a-z0-9-]+/{str(date)[:4]}/syn-1-{number}"
        assert url == "" or (date and re.fullmatch(pattern, url))
    assert 0.35 < sum(1 for r in records if r["url"]) / N < 0.65


def test_bodies_are_new_distinct_and_reuters_sized(records: list[dict[str, object]]) -> None:
    reuters = {" ".join(body.split()) for _, body in corpus.load_pool(REUTERS_SGM).reuters}
    bodies = [" ".join(str(r["body"]).split()) for r in records]
    assert not reuters.intersection(bodies)
    assert len(set(bodies)) == len(bodies)
    words = sorted(len(body.split()) for body in bodies)
    assert 110 < sum(words) / len(words) < 170  # Reuters: 131
    assert words[int(0.99 * len(words))] > 300  # a long tail


def test_headlines_come_in_capitals_and_in_mixed_case(records: list[dict[str, object]]) -> None:
    upper = sum(1 for r in records if str(r["headline"]).isupper())
    assert 0.25 * N < upper < 0.6 * N


def test_topics_are_reuters_like(records: list[dict[str, object]]) -> None:
    topics = Counter(t for r in records for t in r["topic"])  # type: ignore[attr-defined]
    assert [t for t, _ in topics.most_common(2)] == ["earn", "acq"]
    assert 0.12 < topics["earn"] / N < 0.26  # Reuters: 0.18 of all stories
    assert 0.35 < sum(1 for r in records if not r["topic"]) / N < 0.6  # Reuters: 0.47


def test_dates_span_1980_to_2025_with_more_in_later_years(records: list[dict[str, object]]) -> None:
    dates = [datetime.fromisoformat(str(r["date"])) for r in records if r["date"]]
    assert 0.95 * N < len(dates) < N
    assert all(1980 <= d.year <= 2025 for d in dates)
    early = sum(1 for d in dates if d.year < 1995)
    late = sum(1 for d in dates if d.year >= 2011)
    assert late > 2 * early
    assert len({d.hour for d in dates}) == 24


def test_bylines_are_rare_and_sources_skewed(records: list[dict[str, object]]) -> None:
    authors = Counter(len(r["author"]) for r in records)  # type: ignore[arg-type]
    assert 0.65 * N < authors[0] < 0.85 * N and 0.12 * N < authors[1] < 0.28 * N and authors[2] > 0
    sources = Counter(str(r["source"]) for r in records)
    assert len(sources) >= 25
    assert sources.most_common(1)[0][1] > 10 * sources.most_common()[-1][1]


def test_vocabulary_keeps_growing(generated: corpus.GenerationReport) -> None:
    half = corpus.vocabulary_size(generated.path, N // 2)
    whole = corpus.vocabulary_size(generated.path)
    assert generated.vocabulary == (half, whole)  # counted while writing, and the same counted from the file
    # Reuters' own stories grow 1.40 times from 1,000 to 2,000; sampling sentences alone would grow less.
    assert whole.words > 1.35 * half.words
    k, beta = corpus.heaps_fit(corpus.reuters_vocabulary(REUTERS_SGM))
    assert 0.4 < beta < 0.6
    assert 0.8 < whole.words / (k * whole.tokens**beta) < 1.3


def test_the_file_indexes_cleanly(generated: corpus.GenerationReport, tmp_path: Path) -> None:
    report = index_paths([generated.path], open_backend(folder=tmp_path / "index"), IndexOptions(procs=1))
    assert report.skipped == []
    assert report.added == N


def test_ensure_corpus_reuses_a_complete_file_and_replaces_a_cut_one(tmp_path: Path) -> None:
    path = corpus.ensure_corpus(1000, 3, tmp_path)
    assert path == tmp_path / "corpus-1k-seed3.jsonl"
    stamp = path.stat().st_mtime_ns
    assert corpus.ensure_corpus(1000, 3, tmp_path).stat().st_mtime_ns == stamp
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # as a killed run that wrote in place would leave it
    assert corpus.ensure_corpus(1000, 3, tmp_path).read_bytes() == whole
    assert corpus.corpus_name(100_000, 1) == "corpus-100k.jsonl"
    assert corpus.corpus_name(10**6, 1) == "corpus-1m.jsonl"

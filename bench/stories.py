"""Story clustering measured: precision and recall on labelled wire-story copies, and the indexing time it adds.

    python -m bench.stories [--seed 2] [--sources 500]     # the TEST split, all of Reuters, the timing
    python -m bench.stories --tune [--seed 1]              # the parameter grid on the TUNING split

The labelled set comes from bench/copies.py (sources, their edited copies and versions, hard negatives). Scores are
pairwise and B-cubed precision and recall; "light copies" (the target: precision >= 0.98, recall >= 0.95) counts
the sources, negatives and every lightly edited copy, and each kind of edit is also scored alone. The same copies
are then clustered among all of Reuters-21578: labelled articles merged with any other Reuters story count as
false, and merges among unlabelled Reuters stories are described (exact overlap, examples) as they have no labels.
Timing: the articles of that run written as JSON Lines, assigned in indexing batches (before and after) and indexed
by `newsarchive index`'s own `index_paths` into Whoosh, in the same run; then indexed again in one process, whose
CPU time gives a second ratio that other load on the machine cannot inflate. Writes bench/results/stories-<time>.md
and .json (--tune: stories-tuning-<time>).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.copies import HEAVY, LIGHT, TWIN_SHINGLE, Labelled, generate, load_reuters, reuters_twins
from bench.run import machine, write_results
from indexer.build import DEFAULT_BATCH_SIZE
from indexer.minhash import shingle_sets
from indexer.processes import collecting_less
from indexer.records import Article
from indexer.stories import PARAMS, StoryParams, StoryStore

TUNING_SEED = 1
TEST_SEED = 2
DEFAULT_SOURCES = 500
TARGET_PRECISION = 0.98
TARGET_RECALL = 0.95
TARGET_ADDED = 0.10
EXAMPLES = 8


@dataclass
class Scores:
    """Pairwise and B-cubed precision and recall over one scope of articles."""

    articles: int
    true_pairs: int
    pairwise_precision: float
    pairwise_recall: float
    bcubed_precision: float
    bcubed_recall: float


@dataclass
class Merges:
    """What clustering all of Reuters merged among its own (unlabelled) stories."""

    stories: int  # stories of two or more unlabelled Reuters articles
    articles: int
    pairs: int  # each member with its story's first member
    containment: dict[str, int]  # pairs by exact containment of 3-word shingles
    examples: list[dict[str, Any]]


@dataclass
class Timing:
    """Story assignment against indexing, on the same articles in the same run."""

    articles: int
    assign_seconds: list[float]  # wall, before and after the indexing run
    assign_cpu_seconds: list[float]
    index_seconds: float
    index_cpu_seconds: float  # a second indexing run in one process (procs=1): its CPU time, which load cannot inflate
    load_average: list[float]

    @property
    def assign_ms(self) -> float:
        """Mean wall milliseconds per article."""
        return 1000 * sum(self.assign_seconds) / len(self.assign_seconds) / self.articles

    @property
    def added(self) -> float:
        """Assignment time as a share of the indexing run's."""
        return sum(self.assign_seconds) / len(self.assign_seconds) / self.index_seconds

    @property
    def added_cpu(self) -> float:
        """Assignment CPU time as a share of a one-process indexing run's."""
        return sum(self.assign_cpu_seconds) / len(self.assign_cpu_seconds) / self.index_cpu_seconds


@dataclass
class Report:
    """Everything one run measured."""

    started: str
    machine: str
    split: str
    seed: int
    sources: int
    params: dict[str, Any]
    kinds: dict[str, int]
    twins_left_out: int
    split_scores: dict[str, Scores] = field(default_factory=dict)
    reuters_articles: int = 0
    reuters_scores: dict[str, Scores] = field(default_factory=dict)
    merges: Merges | None = None
    timing: Timing | None = None


def cluster(articles: Sequence[Article], folder: Path, params: StoryParams = PARAMS) -> dict[str, str]:
    """Assign stories as an indexing run would (batches, a commit each, garbage collected as in a run: see
    processes.collecting_less) into a new store; return id -> story."""
    folder.mkdir(parents=True, exist_ok=True)
    store = StoryStore(folder, reset=True, params=params)
    stories: dict[str, str] = {}
    try:
        with collecting_less():
            for start in range(0, len(articles), DEFAULT_BATCH_SIZE):
                stories.update(store.assign(articles[start : start + DEFAULT_BATCH_SIZE]))
                store.commit()
    finally:
        store.close()
    return stories


def scores(predicted: dict[str, str], gold: dict[str, str], others: AbstractSet[str] = frozenset()) -> Scores:
    """Score the predicted stories of the gold-labelled articles.

    An unlabelled article (one of `others`) in the predicted story of labelled ones is a false pair with each.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, story in predicted.items():
        if article_id in gold or article_id in others:
            members[story].append(article_id)
    gold_sizes = Counter(gold.values())
    true_pairs = predicted_pairs = 0
    precision_sum = recall_sum = 0.0
    for ids in members.values():
        labelled = [i for i in ids if i in gold]
        overlap = Counter(gold[i] for i in labelled)
        true_pairs += sum(n * (n - 1) // 2 for n in overlap.values())
        predicted_pairs += len(labelled) * (len(labelled) - 1) // 2 + len(labelled) * (len(ids) - len(labelled))
        for i in labelled:
            precision_sum += overlap[gold[i]] / len(ids)
            recall_sum += overlap[gold[i]] / gold_sizes[gold[i]]
    gold_pairs = sum(n * (n - 1) // 2 for n in gold_sizes.values())
    return Scores(len(gold), gold_pairs, true_pairs / predicted_pairs if predicted_pairs else 1.0,
                  true_pairs / gold_pairs if gold_pairs else 1.0, precision_sum / len(gold), recall_sum / len(gold))


def scopes(items: list[Labelled]) -> dict[str, dict[str, str]]:
    """Return the gold labels of each scope: "light copies" (the target), then each kind of copy alone.

    A scope holds every source and negative and the copies of its kinds; other copies are left out of it.
    """
    base = {i.article.id: i.story for i in items if i.kind in ("source", "negative")}
    light = {i.article.id: i.story for i in items if i.kind in LIGHT}
    found: dict[str, dict[str, str]] = {"light copies": base | light}
    for kind in (*LIGHT, *HEAVY):
        found[kind] = base | {i.article.id: i.story for i in items if i.kind == kind}
    return found


def evaluate(items: list[Labelled], params: StoryParams = PARAMS) -> dict[str, Scores]:
    """Cluster the labelled set alone and score every scope."""
    with tempfile.TemporaryDirectory(prefix="newsarchive-stories-") as scratch:
        predicted = cluster([i.article for i in items], Path(scratch), params)
    return {name: scores(predicted, gold) for name, gold in scopes(items).items()}


def with_reuters(reuters: list[Article], items: list[Labelled], seed: int) -> list[Article]:
    """Return all of Reuters and the generated copies, in one seeded order."""
    articles = reuters + [i.article for i in items if i.kind not in ("source", "negative")]
    order = np.random.default_rng(seed).permutation(len(articles))
    return [articles[i] for i in order.tolist()]


def evaluate_reuters(articles: list[Article], items: list[Labelled]) -> tuple[dict[str, Scores], Merges]:
    """Cluster Reuters with the copies; score the labelled articles and describe merges among the others."""
    with tempfile.TemporaryDirectory(prefix="newsarchive-stories-") as scratch:
        predicted = cluster(articles, Path(scratch))
    labelled = {i.article.id for i in items}
    others = {a.id for a in articles if a.id not in labelled}
    found = {name: scores(predicted, gold, others) for name, gold in scopes(items).items()}
    return found, merges(articles, predicted, others)


def merges(articles: list[Article], predicted: dict[str, str], others: set[str]) -> Merges:
    """Describe the stories that group unlabelled Reuters articles: exact overlap of each member with the first."""
    members: dict[str, list[Article]] = defaultdict(list)
    for article in articles:  # in clustering order: the first member founded the story
        if article.id in others:
            members[predicted[article.id]].append(article)
    groups = [group for group in members.values() if len(group) > 1]
    pairs = [(group[0], other) for group in groups for other in group[1:]]
    texts = [f"{a.headline}\n{a.body}" for pair in pairs for a in pair]
    sets, offsets = shingle_sets(texts, TWIN_SHINGLE)
    bins = {"0.9 or more": 0, "0.7 to 0.9": 0, "0.5 to 0.7": 0, "under 0.5": 0}
    examples = []
    for n, (first, second) in enumerate(pairs):
        a, b = sets[offsets[2 * n] : offsets[2 * n + 1]], sets[offsets[2 * n + 1] : offsets[2 * n + 2]]
        value = len(np.intersect1d(a, b, assume_unique=True)) / max(1, min(len(a), len(b)))
        label = next(name for name, low in zip(bins, (0.9, 0.7, 0.5, 0.0), strict=True) if value >= low)
        bins[label] += 1
        days = abs((first.date - second.date).days) if first.date and second.date else None
        examples.append({"containment": round(value, 3), "days_apart": days, "first": f"{first.id}: {first.headline}",
                         "second": f"{second.id}: {second.headline}"})
    examples.sort(key=lambda e: e["containment"])
    return Merges(len(groups), sum(len(g) for g in groups), len(pairs), bins, examples[:EXAMPLES])


def timing(articles: list[Article], scratch: Path) -> Timing:
    """Time story assignment (before and after) and a newsarchive indexing run of the same articles."""
    from indexer.backend import open_backend
    from indexer.build import IndexOptions, index_paths
    from indexer.parsers import parse_path
    from indexer.results import article_to_dict

    source = scratch / "articles.jsonl"
    with source.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(article_to_dict(a), ensure_ascii=False) + "\n" for a in articles)
    parsed = [a for a in parse_path(source) if isinstance(a, Article)]  # the articles an indexing run gets
    for article in parsed:
        _ = article.fingerprint  # every indexing run computes it (the manifest): not the clustering's cost
    walls, cpus = [], []
    load = list(os.getloadavg())
    for n in range(2):
        if n == 1:
            sys.stderr.write(f"indexing {len(parsed):,} articles with newsarchive (Whoosh)\n")
            started = time.perf_counter()
            index_paths([source], open_backend("whoosh", scratch / "index"))
            index_seconds = time.perf_counter() - started
        wall, cpu = time.perf_counter(), time.process_time()
        cluster(parsed, scratch / f"stories{n}")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    load += list(os.getloadavg())
    sys.stderr.write("indexing them again in one process (CPU time)\n")
    started = time.process_time()
    index_paths([source], open_backend("whoosh", scratch / "index1"), IndexOptions(procs=1))
    return Timing(len(parsed), walls, cpus, index_seconds, time.process_time() - started, load)


def run(seed: int, sources: int, split: str = "test", whole: bool = True) -> Report:
    """Generate the split's labelled set, score it alone and among all of Reuters, and time the clustering."""
    reuters = load_reuters()
    twins = reuters_twins(reuters)
    items = generate(reuters, twins, split, seed, sources)
    report = Report(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), machine(), split, seed, sources,
                    asdict(PARAMS), dict(Counter(i.kind for i in items)), len(twins))
    sys.stderr.write(f"{split} split: {len(items):,} labelled articles\n")
    report.split_scores = evaluate(items)
    if whole:
        articles = with_reuters(reuters, items, seed)
        report.reuters_articles = len(articles)
        sys.stderr.write(f"all of Reuters with the copies: {len(articles):,} articles\n")
        report.reuters_scores, report.merges = evaluate_reuters(articles, items)
        with tempfile.TemporaryDirectory(prefix="newsarchive-stories-") as scratch:
            report.timing = timing(articles, Path(scratch))
    return report


def main() -> None:
    """Run the evaluation (or the tuning grid) and write its Markdown and JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, help=f"the generator's seed (default {TEST_SEED}; --tune: {TUNING_SEED})")
    parser.add_argument("--sources", type=int, default=DEFAULT_SOURCES, help="source stories to copy")
    parser.add_argument("--tune", action="store_true", help="run the parameter grid on the tuning split")
    args = parser.parse_args()
    if args.tune:
        from bench.story_tuning import markdown as tuning_markdown
        from bench.story_tuning import tune

        tuned = tune(TUNING_SEED if args.seed is None else args.seed, args.sources)
        write_results("stories-tuning", tuned.started, tuning_markdown(tuned), asdict(tuned))
        return
    report = run(TEST_SEED if args.seed is None else args.seed, args.sources)
    from bench.story_report import markdown

    write_results("stories", report.started, markdown(report), asdict(report))


if __name__ == "__main__":
    main()

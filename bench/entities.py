"""People, organisations and places found in text, measured against Reuters-21578's own tags.

    python -m bench.entities            # the figures of docs/entities.md, and the indexing time names add

The gazetteer is built as an indexing run builds it (indexer/gazetteer.py): from the names the TRAIN split's
records state (Lewis split, LEWISSPLIT="TRAIN": <PEOPLE>, <ORGS>, <PLACES>, made readable by the parser's rule and
canonical by the alias file) and the alias file's own names. It then reads the TEST split's headlines and bodies
(LEWISSPLIT="TEST", 6,188 stories) and each name found is scored against the story's tags, micro-averaged over
(article, name) pairs: stories without tags of a kind count too (any name found there is a false positive).
Reported for three gazetteers: as indexing builds it (the default alias file), without any alias file (the
parser's readable codes alone), and with the default file but only names Reuters could tag (its category lists,
other-data/all-*-strings.lc.txt: a country it has no code for, such as "Europe", cannot be tagged). Missed names are
sorted by why: the text never writes any of its forms (Reuters tags a story "usa" for a Washington dateline), it
writes them only in capitals (headline-only briefs), or it writes them and the rules left them out. Then what
adding found names to stated ones would give (union) against giving them only to kinds a story states none of
(fill, what indexing does), and the time: all of Reuters indexed by `index_paths` into Whoosh, the names' share
of the run's wall time (IndexReport.name_seconds). Writes bench/results/entities-<time>.md and .json.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.copies import REUTERS_SGM, load_reuters
from bench.run import machine, write_results
from indexer.aliases import Aliases, default_entries, load_aliases
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.entities import KINDS, names_of
from indexer.facetpages import fold
from indexer.gazetteer import Gazetteer
from indexer.parsers.reuters import readable_code
from indexer.records import Article

CATEGORY_LISTS = REUTERS_SGM.parent / "other-data"
LIST_FILES = {"person": "all-people-strings.lc.txt", "org": "all-orgs-strings.lc.txt",
              "place": "all-places-strings.lc.txt"}
_SPLIT = re.compile(r'<REUTERS[^>]*\bLEWISSPLIT="([A-Z-]+)"[^>]*\bNEWID="(\d+)"')
EXAMPLES = 12


@dataclass
class Score:
    """Precision, recall and F1 of one kind, over (article, name) pairs."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        tagged = self.true_positives + self.false_negatives
        return self.true_positives / tagged if tagged else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def figures(self) -> dict[str, Any]:
        return {**asdict(self), "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


@dataclass
class Evaluation:
    """One gazetteer scored on the TEST split."""

    name: str
    gazetteer_names: dict[str, int]
    scores: dict[str, dict[str, Any]]
    missed: dict[str, dict[str, int]]  # kind -> why -> count
    false_positives: dict[str, list[tuple[str, int]]]
    false_negatives: dict[str, list[tuple[str, int]]]


@dataclass
class Report:
    """Everything one run measured."""

    started: str
    machine: str
    train: int
    test: int
    evaluations: list[Evaluation] = field(default_factory=list)
    modes: dict[str, dict[str, Any]] = field(default_factory=dict)
    extract_ms: float = 0.0  # per TEST article, the default gazetteer
    timing: dict[str, float] = field(default_factory=dict)


def splits(folder: Path = REUTERS_SGM) -> dict[str, str]:
    """Return each story's Lewis split (TRAIN, TEST, NOT-USED) by article id."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.sgm")):
        for match in _SPLIT.finditer(path.read_text(encoding="latin-1")):
            found[f"reuters21578:{match.group(2)}"] = match.group(1)
    return found


def gold(article: Article, aliases: Aliases) -> dict[str, set[str]]:
    """Return a story's tags by kind, as canonical names."""
    return {kind.facet: set(aliases.canonical_names(kind.facet, names_of(article, kind))) for kind in KINDS}


def vocabulary(aliases: Aliases) -> dict[str, set[str]]:
    """Return, by kind, the canonical names of every code Reuters could tag (its category lists)."""
    return {kind: {aliases.canonical(kind, readable_code(code, kind))
                   for code in (CATEGORY_LISTS / name).read_text(encoding="latin-1").split() if code}
            for kind, name in LIST_FILES.items()}


def evaluate(name: str, train: list[Article], test: list[Article], aliases: Aliases,
             allowed: dict[str, set[str]] | None = None) -> tuple[Evaluation, dict[str, dict[str, tuple[str, ...]]]]:
    """Build the gazetteer from the TRAIN tags and the alias file, find names in TEST and score them."""
    stated = {(kind, n) for article in train for kind, names in gold(article, aliases).items() for n in names}
    gazetteer = Gazetteer.of(stated, aliases)
    found = {a.id: gazetteer.find(a.headline, a.body) for a in test}
    if allowed is not None:
        found = {i: {k: tuple(n for n in names if n in allowed[k]) for k, names in f.items()} for i, f in found.items()}
    counts = {kind.facet: Score(0, 0, 0) for kind in KINDS}
    fps: dict[str, Counter[str]] = {kind.facet: Counter() for kind in KINDS}
    fns: dict[str, Counter[str]] = {kind.facet: Counter() for kind in KINDS}
    missed: dict[str, Counter[str]] = {kind.facet: Counter() for kind in KINDS}
    for article in test:
        for kind, tags in gold(article, aliases).items():
            predicted = set(found[article.id][kind])
            score = counts[kind]
            score.true_positives += len(predicted & tags)
            score.false_positives += len(predicted - tags)
            score.false_negatives += len(tags - predicted)
            fps[kind].update(predicted - tags)
            fns[kind].update(tags - predicted)
            for tag in tags - predicted:
                known = (kind, tag) in gazetteer.entries
                missed[kind][why_missed(article, kind, tag, aliases) if known else "not known (no TRAIN story "
                             "or alias file names it)"] += 1
    kinds = Counter(kind for kind, _ in gazetteer.entries)
    return Evaluation(name, dict(kinds), {k: s.figures() for k, s in counts.items()},
                      {k: dict(c) for k, c in missed.items()},
                      {k: c.most_common(EXAMPLES) for k, c in fps.items()},
                      {k: c.most_common(EXAMPLES) for k, c in fns.items()}), found


def why_missed(article: Article, kind: str, name: str, aliases: Aliases) -> str:
    """Return why a tagged name was not found: not named in the text, named only in capitals, or left out by rules."""
    forms = [fold(form) for form in aliases.names_of(kind, name)]
    patterns = [re.compile(rf"(?<!\w){re.escape(form)}(?!\w)") for form in forms if form]
    lines = f"{article.headline}\n{article.body}".split("\n")
    named = [line for line in lines if any(p.search(fold(line)) for p in patterns)]
    if not named:
        return "not named in the text"
    if all(line.isupper() for line in named):
        return "named only in capitals"
    return "named, left out by the rules"


def modes(test: list[Article], found: dict[str, dict[str, tuple[str, ...]]], aliases: Aliases) -> dict[str, Any]:
    """Return, by kind, what giving found names would add to the tags: to every story (union), or only to stories
    that state none of the kind (fill, what indexing does), and the share of the names then shown that are tags."""
    figures: dict[str, Any] = {}
    for kind in KINDS:
        tags = union = fill = stating = 0
        for article in test:
            tagged = gold(article, aliases)[kind.facet]
            extra = set(found[article.id][kind.facet]) - tagged
            tags += len(tagged)
            union += len(extra)
            stating += bool(tagged)
            fill += 0 if tagged else len(extra)
        figures[kind.facet] = {"stories_stating": stating, "tags": tags, "union_adds": union, "fill_adds": fill,
                               "union_tagged_share": round(tags / (tags + union), 4) if tags + union else 1.0,
                               "fill_tagged_share": round(tags / (tags + fill), 4) if tags + fill else 1.0}
    return figures


def timing(folder: Path = REUTERS_SGM) -> dict[str, float]:
    """Index all of Reuters into Whoosh as `newsarchive index` does; return the run's time and its names' share."""
    with tempfile.TemporaryDirectory(prefix="newsarchive-entities-") as scratch:
        backend = open_backend("whoosh", Path(scratch) / "index")
        try:
            report = index_paths([folder], backend, IndexOptions())
        finally:
            backend.close()
    return {"articles": report.added, "seconds": round(report.seconds, 2),
            "name_seconds": round(report.name_seconds, 2), "share": round(report.name_seconds / report.seconds, 4),
            "story_seconds": round(report.story_seconds, 2), "language_seconds": round(report.language_seconds, 2)}


def run(with_timing: bool = True) -> Report:
    """Measure everything (see the module's docstring)."""
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    articles, split = load_reuters(), splits()
    train = [a for a in articles if split.get(a.id) == "TRAIN"]
    test = [a for a in articles if split.get(a.id) == "TEST"]
    report = Report(started, machine(), len(train), len(test))
    default = load_aliases()
    begun = time.perf_counter()
    evaluation, found = evaluate("default alias file", train, test, default)
    report.extract_ms = round(1000 * (time.perf_counter() - begun) / len(test), 4)  # gazetteer and scoring too
    report.evaluations.append(evaluation)
    report.evaluations.append(evaluate("no alias file", train, test, Aliases())[0])
    report.evaluations.append(evaluate("default alias file, names Reuters can tag", train, test, default,
                                       vocabulary(default))[0])
    report.modes = modes(test, found, default)
    if with_timing:
        report.timing = timing()
    return report


def markdown(report: Report) -> str:
    """Return the Markdown of a run."""
    lines = [f"# Names found in text against Reuters-21578's tags ({report.started})", "",
             f"{report.machine}. Gazetteer from the TRAIN split's tags ({report.train:,} stories) and the alias file; "
             f"scored on the TEST split's texts ({report.test:,} stories), micro-averaged over (story, name) pairs. "
             f"Default alias file: {len(default_entries())} lines.", ""]
    for evaluation in report.evaluations:
        lines += [f"## {evaluation.name}", "", "| kind | names known | precision | recall | F1 | TP | FP | FN |",
                  "|---|---|---|---|---|---|---|---|"]
        for kind in KINDS:
            s = evaluation.scores[kind.facet]
            known = evaluation.gazetteer_names.get(kind.facet, 0)
            lines.append(f"| {kind.plural} | {known:,} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
                         f"{s['true_positives']:,} | {s['false_positives']:,} | {s['false_negatives']:,} |")
        lines += ["", "Tags missed, by why:", ""]
        lines += [f"- {kind.plural}: " + ", ".join(f"{why} {n:,}" for why, n in sorted(
            evaluation.missed[kind.facet].items(), key=lambda item: -item[1])) for kind in KINDS]
        lines += ["", "Most frequent false positives and negatives:", ""]
        lines += [f"- {kind.plural}: found, not tagged: {_listed(evaluation.false_positives[kind.facet])}; tagged, "
                  f"not found: {_listed(evaluation.false_negatives[kind.facet])}" for kind in KINDS]
        lines.append("")
    lines += ["## Found names given to every story (union) or only where a story states none of the kind (fill)", "",
              "| kind | stories stating | tags | union adds | share tagged | fill adds | share tagged |",
              "|---|---|---|---|---|---|---|"]
    for kind in KINDS:
        m = report.modes[kind.facet]
        lines.append(f"| {kind.plural} | {m['stories_stating']:,} | {m['tags']:,} | {m['union_adds']:,} | "
                     f"{m['union_tagged_share']:.3f} | {m['fill_adds']:,} | {m['fill_tagged_share']:.3f} |")
    lines += ["", f"Finding names: {report.extract_ms:.3f} ms a TEST story (gazetteer built and scoring included).", ""]
    if report.timing:
        t = report.timing
        lines += [f"Indexing all of Reuters ({t['articles']:,} articles) with `index_paths` into Whoosh: "
                  f"{t['seconds']} s, of which names {t['name_seconds']} s (**{100 * t['share']:.1f} %**; stories "
                  f"{t['story_seconds']} s, languages {t['language_seconds']} s).", ""]
    return "\n".join(lines)


def _listed(pairs: list[tuple[str, int]]) -> str:
    return ", ".join(f"{name} ({count})" for name, count in pairs) or "none"



def main() -> None:
    """Run the measurements and write their Markdown and JSON."""
    parser = argparse.ArgumentParser(description="Names found in text, measured against Reuters-21578's tags.")
    parser.add_argument("--no-timing", action="store_true", help="skip indexing all of Reuters for the time")
    args = parser.parse_args()
    report = run(with_timing=not args.no_timing)
    write_results("entities", report.started, markdown(report), asdict(report))


if __name__ == "__main__":
    main()

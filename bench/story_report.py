"""The Markdown of a story clustering run (bench/stories.py): scores per scope, Reuters' own merges, the time added."""

from __future__ import annotations

from bench.copies import HEAVY, LIGHT, TWIN_CONTAINMENT, TWIN_DAYS
from bench.stories import TARGET_ADDED, TARGET_PRECISION, TARGET_RECALL, Report, Scores

_NOTES = {"light copies": "**the target**: every light edit below", "lead only": "beyond the target",
          "restyled": "beyond the target"}


def scores_table(rows: dict[str, Scores]) -> list[str]:
    """Return a table of pairwise and B-cubed precision and recall, one row per scope."""
    lines = ["| scope | articles | true pairs | pairwise P | pairwise R | B³ P | B³ R | |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name in ("light copies", *LIGHT, *HEAVY):
        s = rows[name]
        lines.append(f"| {name} | {s.articles:,} | {s.true_pairs:,} | {s.pairwise_precision:.4f} | "
                     f"{s.pairwise_recall:.4f} | {s.bcubed_precision:.4f} | {s.bcubed_recall:.4f} | "
                     f"{_NOTES.get(name, '')} |")
    return lines


def met(report: Report) -> list[str]:
    """Return whether each target is met, in one line each."""
    found = []
    for label, rows in (("test split", report.split_scores), ("among all of Reuters", report.reuters_scores)):
        if rows:
            s = rows["light copies"]
            precision = min(s.pairwise_precision, s.bcubed_precision)
            recall = min(s.pairwise_recall, s.bcubed_recall)
            found.append(f"- Light copies, {label}: precision {precision:.4f} (target ≥ {TARGET_PRECISION}: "
                         f"{_yes(precision >= TARGET_PRECISION)}), recall {recall:.4f} (target ≥ {TARGET_RECALL}: "
                         f"{_yes(recall >= TARGET_RECALL)}); the lower of pairwise and B³ each.")
    if report.timing:
        added = report.timing.added
        cpu = report.timing.added_cpu
        verdict = _yes(max(added, cpu) <= TARGET_ADDED)
        found.append(f"- Indexing time added: {added:.1%} of the wall time, {cpu:.1%} of the CPU time of one process "
                     f"(target ≤ {TARGET_ADDED:.0%}: {verdict}).")
    return found


def _yes(value: bool) -> str:
    return "met" if value else "**not met**"


def markdown(report: Report) -> str:
    """Return the whole run as Markdown."""
    params = ", ".join(f"{k} {v}" for k, v in report.params.items())
    kinds = ", ".join(f"{k} {v:,}" for k, v in report.kinds.items())
    lines = [
        f"## Story clustering: the {report.split} split (seed {report.seed}), all of Reuters-21578, the time added",
        "",
        f"{report.machine}; {report.started}. Parameters (indexer/stories.py, picked on the tuning split): {params}.",
        "",
        f"Labelled set ({report.sources} sources drawn from the {report.split} half): {kinds}. "
        f"{report.twins_left_out:,} Reuters stories have a twin in Reuters (exact containment of 3-word shingles "
        f"≥ {TWIN_CONTAINMENT} within {TWIN_DAYS} days) and were never drawn as sources or negatives.",
        "",
        *met(report),
        "",
        f"### The {report.split} split alone",
        "",
        *scores_table(report.split_scores),
    ]
    if report.reuters_scores:
        lines += ["", f"### Among all of Reuters-21578 ({report.reuters_articles:,} articles with the copies)", "",
                  "A labelled article put in one story with any other Reuters article counts as a false pair.", "",
                  *scores_table(report.reuters_scores)]
    if report.merges:
        m = report.merges
        bins = ", ".join(f"{k}: {v:,}" for k, v in m.containment.items())
        lines += ["", "### Merges among Reuters' own (unlabelled) stories", "",
                  f"{m.stories:,} stories group {m.articles:,} unlabelled Reuters articles. Each member against its "
                  f"story's first, by exact containment of 3-word shingles ({m.pairs:,} pairs): {bins}. "
                  "The least contained:", "",
                  "| containment | days apart | first | second |", "|---:|---:|---|---|"]
        lines += [f"| {e['containment']} | {e['days_apart']} | {_cell(e['first'])} | {_cell(e['second'])} |"
                  for e in m.examples]
    if report.timing:
        t = report.timing
        lines += ["", "### Time added to indexing", "",
                  f"{t.articles:,} articles (all of Reuters and the copies) as JSON Lines. Story assignment in "
                  "batches of the indexing run's size, a commit each, before and after `index_paths` into Whoosh "
                  f"(default processes) in the same run. Load average (1, 5, 15 min) before and after: "
                  f"{' / '.join(f'{x:.1f}' for x in t.load_average[:3])}; "
                  f"{' / '.join(f'{x:.1f}' for x in t.load_average[3:])}.", "",
                  "| | seconds | ms per article |", "|---|---:|---:|",
                  f"| indexing (newsarchive, Whoosh) | {t.index_seconds:.1f} | {_ms(t.index_seconds, t.articles)} |"]
        for label, wall, cpu in zip(("before", "after"), t.assign_seconds, t.assign_cpu_seconds, strict=True):
            lines.append(f"| story assignment, {label} (CPU {cpu:.2f} s) | {wall:.2f} | {_ms(wall, t.articles)} |")
        lines += [f"| **added** | | **{t.assign_ms:.3f} ms, {t.added:.1%}** |", "",
                  f"CPU time: indexing in one process (procs=1) {t.index_cpu_seconds:.1f} s, story assignment "
                  f"{sum(t.assign_cpu_seconds) / len(t.assign_cpu_seconds):.2f} s: **{t.added_cpu:.1%}** added."]
    return "\n".join(lines) + "\n"


def _ms(seconds: float, articles: int) -> str:
    return f"{1000 * seconds / articles:.3f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")

"""`newsarchive check`: verify an index and say what to do about anything wrong with it.

Checked: the folder holds an index of this version's schema; its table of contents opens; every segment opens and
gives its documents' stored fields (all of them with `thorough`, else the first and last); the manifest agrees
with the index on how many articles there are (and, with `thorough`, on which); autocomplete's words count the latest
commit (and, with `thorough`, every article's words); files left behind by a write that was interrupted; whether a
writer is running now. Each finding is ok, a warning (nothing lost, something to do) or
a problem (searches or the next run would be wrong), with advice.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from ..errors import NewsArchiveError
from ..manifest import MANIFEST_NAME
from ..results import OK, PROBLEM, WARNING, CheckReport, Finding
from ..runlock import RUN_LOCK
from .storage import index_exists, leaf_readers, open_index
from .words import WordStore, index_terms

SEGMENT_WARNING = 30  # from this many segments on, `optimize` is suggested (see merging.py)


def check_index(index_dir: Path, thorough: bool = False) -> CheckReport:
    """Check the index in a folder; never raises for what it finds, only reports it."""
    started = time.perf_counter()
    report = CheckReport(index_dir)
    _check(index_dir, thorough, report)
    report.seconds = time.perf_counter() - started
    return report


def _check(index_dir: Path, thorough: bool, report: CheckReport) -> None:
    add = report.findings.append
    rebuild = f"rebuild it: `newsarchive index PATH... --index {index_dir} --rebuild`"
    if not index_exists(index_dir):
        add(Finding(PROBLEM, f"no index at {index_dir}", f"build one: `newsarchive index PATH... --index {index_dir}`"))
        return
    try:
        ix = open_index(index_dir)
    except NewsArchiveError as err:
        add(Finding(PROBLEM, str(err), rebuild))
        return
    except Exception as err:  # a damaged table of contents fails in many ways inside Whoosh
        add(Finding(PROBLEM, f"the index's table of contents cannot be read: {err!r}", rebuild))
        return
    try:
        with ix.reader() as reader:
            leaves = leaf_readers(reader)
            report.segments = len(leaves)
            report.documents = reader.doc_count()
            damaged = [problem for leaf, _ in leaves if (problem := _check_segment(leaf, thorough))]
            ids = _live_ids(reader) if thorough and not damaged else None
            used = {f"{leaf.segment().segment_id()}.seg" for leaf, _ in leaves}
    except Exception as err:  # a segment whose files are cut short fails as it opens
        add(Finding(PROBLEM, f"the index's segments cannot be opened: {err!r}", rebuild))
        return
    add(Finding(OK, "the index opens and its schema is this version's"))
    for problem in damaged:
        add(Finding(PROBLEM, problem, rebuild))
    if not damaged:
        kind = "every stored document" if thorough else "their first and last documents"
        add(Finding(OK, f"{report.segments:,} segment(s) open and give {kind}; {report.documents:,} articles"))
    if report.segments >= SEGMENT_WARNING:
        add(Finding(WARNING, f"{report.segments} segments slow searches down a little",
                    f"merge them: `newsarchive optimize --index {index_dir}`"))
    _check_manifest(index_dir, report, ids)
    _check_words(index_dir, ix, thorough and not damaged, report)
    _check_leftovers(index_dir, ix.indexname, used, report)
    _check_writer(index_dir, report)


def _check_segment(leaf: Any, thorough: bool) -> str | None:
    """Return what is wrong with one segment, or None."""
    name = leaf.segment().segment_id()
    try:
        docnums = list(leaf.all_doc_ids())
        sample = docnums if thorough else docnums[:1] + docnums[-1:]
        for docnum in sample:
            if not leaf.stored_fields(docnum).get("id"):
                return f"segment {name}: document {docnum} has no id"
        if thorough:
            for fieldname in leaf.indexed_field_names():
                for _ in leaf.lexicon(fieldname):
                    pass
    except Exception as err:  # unreadable segment files fail inside Whoosh in many ways
        return f"segment {name} cannot be read: {err!r}"
    return None


def _live_ids(reader: Any) -> set[str]:
    return {reader.stored_fields(d)["id"] for d in reader.all_doc_ids()}


def _check_manifest(index_dir: Path, report: CheckReport, ids: set[str] | None) -> None:
    add = report.findings.append
    path = index_dir / MANIFEST_NAME
    rerun = f"re-index from scratch so unchanged files are not skipped: `newsarchive index PATH... --index " \
            f"{index_dir} --rebuild`"
    if not path.exists():
        add(Finding(WARNING, "no manifest: the next run reads every file again", ""))
        return
    try:
        with closing(sqlite3.connect(path)) as db:
            recorded = {row[0] for row in db.execute("SELECT id FROM articles")}
    except sqlite3.Error as err:
        add(Finding(WARNING, f"the manifest cannot be read ({err}): the next run reads every file again",
                    f"delete {path}"))
        return
    if ids is not None:
        missing, extra = recorded - ids, ids - recorded
        if missing:
            add(Finding(PROBLEM, f"{len(missing):,} articles the manifest records are not in the index "
                                 f"(e.g. {sorted(missing)[0]!r})", rerun))
        if extra:
            add(Finding(WARNING, f"{len(extra):,} articles in the index are in no recorded file "
                                 f"(e.g. {sorted(extra)[0]!r}): indexed by a run that was stopped, or deleted "
                                 "files", "`newsarchive index PATH... --prune` removes those of files that are gone"))
        if not missing and not extra:
            add(Finding(OK, f"the manifest and the index agree on all {len(ids):,} article ids"))
    elif len(recorded) == report.documents:
        add(Finding(OK, f"the manifest and the index agree: {report.documents:,} articles"))
    else:
        add(Finding(WARNING, f"the manifest records {len(recorded):,} articles, the index holds "
                             f"{report.documents:,}", "run `newsarchive check --thorough` to see which differ"))


def _check_words(index_dir: Path, ix: Any, thorough: bool, report: CheckReport) -> None:
    """Check autocomplete's word store (words.py): that it counts the latest commit, and with `thorough` that its
    counts are every stored article's words."""
    add = report.findings.append
    store = WordStore(index_dir)
    recount = f"delete {store.path}: the next `newsarchive index` run counts every article's words again"
    found = store.read_only()
    if found is None:
        if store.path.exists():
            add(Finding(WARNING, "autocomplete's word store cannot be read", recount))
        else:
            add(Finding(WARNING, "no autocomplete word store: suggestions start after the next indexing run",
                        "run `newsarchive index` (it counts every article's words)"))
        return
    generation, counts = found
    latest = int(ix.latest_generation())
    if generation != latest:
        add(Finding(WARNING, f"autocomplete's words count an earlier commit of the index ({generation} of {latest})",
                    "nothing to do: the next indexing run counts them again"))
    elif not thorough:
        add(Finding(OK, f"autocomplete's words count the latest commit ({len(counts):,} words)"))
    else:
        expected = index_terms(ix)
        wrong = sorted(word for word in expected.keys() | counts.keys() if expected[word] != counts[word])
        if wrong:
            add(Finding(PROBLEM, f"autocomplete counts {len(wrong):,} words otherwise than the articles do (e.g. "
                                 f"{wrong[0]!r}: {counts[wrong[0]]} articles, not {expected[wrong[0]]})", recount))
        else:
            add(Finding(OK, f"autocomplete's counts of all {len(counts):,} words are the articles'"))


def _check_leftovers(index_dir: Path, indexname: str, used: set[str], report: CheckReport) -> None:
    leftovers = [p.name for p in index_dir.glob(f"{indexname}_*.seg") if p.name not in used]
    if leftovers:
        report.findings.append(Finding(
            WARNING, f"{len(leftovers)} file(s) left by an interrupted write ({', '.join(sorted(leftovers)[:3])})",
            "nothing to do: the next commit removes them (`newsarchive optimize` commits at once)"))


def _check_writer(index_dir: Path, report: CheckReport) -> None:
    lock = FileStorage(str(index_dir)).lock(RUN_LOCK)
    if lock.acquire(blocking=False):
        lock.release()
        report.findings.append(Finding(OK, "no indexing run is writing"))
    else:
        report.findings.append(Finding(WARNING, "an indexing run (or `watch`) is writing now",
                                       "check again when it has finished for figures that stay put"))

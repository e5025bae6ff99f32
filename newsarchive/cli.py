"""The `newsarchive` command: the composition root, the one place that picks the backend and starts the web app.

A thin layer over the library (indexer/) and the web app (webapp/); library errors become `Error: ...`, exit 1.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import click

from indexer import __version__
from indexer.backend import SearchBackend, open_backend
from indexer.build import IndexOptions, IndexReport, index_paths
from indexer.dates import parse_bound
from indexer.display import also_ran
from indexer.errors import NewsArchiveError
from indexer.kwic import (
    DEFAULT_WIDTH,
    KWIC_COLUMNS,
    MAX_WIDTH,
    MIN_WIDTH,
    WIDTH_HELP,
    concordance,
    concordance_heading,
    concordance_line,
)
from indexer.maintenance import delete_articles, optimize_index
from indexer.parsers import FORMATS
from indexer.request import FACETS, PARAMS, Paging, Search, canonical_search
from indexer.results import FINGERPRINT_KEY, SearchPage
from indexer.settings import INDEX
from indexer.sheets import csv_chunks
from indexer.sourcefiles import FOLDER_FIELDS, count_files

from .alerts_cli import alerts_group, run_and_echo
from .cite_cli import cite, cite_options
from .facets_cli import facet_options, facets
from .solr_cli import solr
from .suggest_cli import echo_suggestions, suggest_options

MAX_LISTED_PROBLEMS = 20
# Said on stderr when a part of the archive (a shard) did not answer.
PARTIAL_NOTE = "Partial results: a part of the archive did not answer; some matches are missing."
# From this many segments on, `index` suggests `optimize` (searches slow down by about 0.3 ms a segment).
OPTIMIZE_HINT_SEGMENTS = 30
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def index_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the --index option (default: $NEWSARCHIVE_INDEX, else ./index)."""
    return click.option(
        "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help=f"Index folder [default: ${INDEX.env} or ./{INDEX.default}].",
    )(fn)


def backend_for(index_dir: Path | None) -> SearchBackend:
    """Open the configured backend (NEWSARCHIVE_BACKEND) on the --index folder, else NEWSARCHIVE_INDEX."""
    return open_backend(folder=index_dir)


def default_workers() -> int:
    """The number of server processes `serve` starts unless told: one per core."""
    return os.cpu_count() or 1


def translate_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Show library errors as `Error: ...` with exit status 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except NewsArchiveError as err:
            raise click.ClickException(str(err)) from err

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsarchive")
def main() -> None:
    """Full-text search for news archives."""


def reading_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options of how files are read and committed (index and watch share them)."""
    options = [
        click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), help="Read every file as this format."),
        click.option("--source", default="", help="Source name for articles whose files name none."),
        click.option("--folder-as", type=click.Choice(FOLDER_FIELDS), default=None,
                     help="Take the name of each file's folder as this field when the file gives none "
                          "(business/001.txt -> topic business); files named on their own get none."),
        click.option("--batch-size", type=click.IntRange(1), default=IndexOptions.batch_size, show_default=True,
                     help="Articles per commit: a crash loses at most one batch."),
        click.option("--procs", type=click.IntRange(1), default=None, help="Worker processes [default: all cores]."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def reading(fmt: str | None, source: str, folder_as: str | None, batch_size: int, procs: int | None,
            **more: Any) -> IndexOptions:
    """Return the IndexOptions of the reading options (and the command's own: rebuild, prune)."""
    options = IndexOptions(format=fmt, source=source, folder_as=folder_as, batch_size=batch_size, **more)
    return replace(options, procs=procs) if procs else options


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@index_option
@reading_options
@click.option("--rebuild", is_flag=True, help="Start the index afresh instead of updating it.")
@click.option("--prune", is_flag=True, help="Remove the articles of files under PATHS that are gone.")
@translate_errors
def index_command(paths: tuple[Path, ...], index_dir: Path | None, fmt: str | None, source: str,
                  folder_as: str | None, batch_size: int, procs: int | None, rebuild: bool, prune: bool) -> None:
    """Index the articles in PATHS (files or folders, read recursively); re-runs update by id."""
    backend = backend_for(index_dir)
    target = backend.folder
    options = reading(fmt, source, folder_as, batch_size, procs, rebuild=rebuild, prune=prune)
    try:
        if sys.stderr.isatty():
            with click.progressbar(length=count_files(paths, target), label="Indexing files", file=sys.stderr,
                                   show_pos=True) as bar:
                report = index_paths(paths, backend, options, progress=lambda _path: bar.update(1))
        else:
            report = index_paths(paths, backend, options)
    finally:
        backend.close()
    _echo_report(target, report, backend.merges_itself)


def _echo_report(target: Path, report: IndexReport, merges_itself: bool) -> None:
    pruned = f", {report.files_pruned:,} gone" if report.files_pruned else ""
    click.echo(
        f"Indexed {target}: {report.added:,} added, {report.updated:,} updated, {report.unchanged:,} unchanged, "
        f"{report.deleted:,} deleted; {len(report.skipped):,} skipped. "
        f"{report.files_read:,} files read, {report.files_unchanged:,} unchanged{pruned}, in {report.seconds:.1f} s."
    )
    _echo_problems("Skipped", report.skipped)
    _echo_problems("Notes", report.notices)
    if report.segments >= OPTIMIZE_HINT_SEGMENTS and not merges_itself:
        click.echo(f"The index has {report.segments} segments: `newsarchive optimize` merges them into one for "
                   "faster searches (it takes a while: about 1 ms an article).", err=True)


def _echo_problems(title: str, problems: list[Any]) -> None:
    if not problems:
        return
    click.echo(f"{title} ({len(problems):,}):", err=True)
    for problem in problems[:MAX_LISTED_PROBLEMS]:
        click.echo(f"  {problem}", err=True)
    if len(problems) > MAX_LISTED_PROBLEMS:
        click.echo(f"  ... and {len(problems) - MAX_LISTED_PROBLEMS:,} more", err=True)


@main.command("watch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@index_option
@reading_options
@translate_errors
def watch_command(paths: tuple[Path, ...], index_dir: Path | None, fmt: str | None, source: str,
                  folder_as: str | None, batch_size: int, procs: int | None) -> None:
    """Index PATHS, then keep the index up to date as files are added, changed or removed, until Ctrl-C."""
    # Imported here: watchfiles starts a Rust runtime, which only this command needs.
    from indexer.watch import watch_paths

    backend = backend_for(index_dir)
    target = backend.folder
    options = reading(fmt, source, folder_as, batch_size, procs)
    stop = threading.Event()

    def finish(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop now (what was committed stays; the rest is re-read)
        stop.set()
        click.echo("Stopping after the current pass (Ctrl-C again to stop at once)...", err=True)

    handlers = {sig: signal.signal(sig, finish) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(f"Watching {', '.join(map(str, paths))} for {target} (Ctrl-C to stop).", err=True)
        passes = watch_paths(list(paths), backend, options,
                             lambda report: _echo_report(target, report, backend.merges_itself), stop,
                             after_change=lambda: _run_alerts(backend))
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        backend.close()
    click.echo(f"Stopped after {passes:,} passes; everything read is committed.", err=True)


def _run_alerts(backend: SearchBackend) -> None:
    """Send the alerts their new matches after a watch pass: a failure is said, and watching goes on."""
    try:
        run_and_echo(backend, quiet=True)
    except NewsArchiveError as err:
        click.echo(f"Alerts not run: {err}", err=True)


@main.command("delete")
@click.argument("ids", nargs=-1, required=True)
@index_option
@translate_errors
def delete_command(ids: tuple[str, ...], index_dir: Path | None) -> None:
    """Delete articles by id."""
    backend = backend_for(index_dir)
    try:
        report = delete_articles(backend, ids)
    finally:
        backend.close()
    click.echo(f"Deleted {len(report.deleted):,} article(s).")
    if report.missing:
        raise click.ClickException(f"not in the index: {', '.join(report.missing)}")


@main.command("check")
@index_option
@click.option("--thorough", is_flag=True, help="Read every stored article and word list (slower).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@translate_errors
def check_command(index_dir: Path | None, thorough: bool, as_json: bool) -> None:
    """Verify the index: segments, counts, schema version, manifest; say what to do about problems (exit 1)."""
    backend = backend_for(index_dir)
    try:
        report = backend.check(thorough=thorough)
    finally:
        backend.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        marks = {"ok": "ok", "warning": "WARNING", "problem": "PROBLEM"}
        for finding in report.findings:
            click.echo(f"{marks[finding.level]:>7}  {finding.what}")
            if finding.advice:
                click.echo(f"         -> {finding.advice}")
        verdict = "healthy" if report.healthy else "NOT healthy"
        click.echo(f"{report.index_dir}: {verdict} ({report.seconds:.1f} s).")
    if not report.healthy:
        sys.exit(1)


@main.command("optimize")
@index_option
@translate_errors
def optimize_command(index_dir: Path | None) -> None:
    """Merge the index's segments into one: faster searches (takes about 1 ms an article)."""
    backend = backend_for(index_dir)
    target = backend.folder
    try:
        report = optimize_index(backend)
    finally:
        backend.close()
    click.echo(f"Optimized {target}: {report.segments_before} segment(s) merged into {report.segments_after} "
               f"in {report.seconds:.1f} s.")


def _bound(end: bool) -> Callable[[click.Context, click.Parameter, str | None], date | None]:
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
        if value is None:
            return None
        try:
            return parse_bound(value, end=end)
        except ValueError as err:
            raise click.BadParameter(str(err)) from err

    return convert


def search_options(fn: Callable[..., Any], paging: bool = True) -> Callable[..., Any]:
    """Add the search parameters (indexer.request.PARAMS) as the argument QUERY and one option each (without
    --page and --per-page when paging is False: a command that takes every match, and so has the API's defaults,
    every article rather than one a story; `search` has the search page's)."""
    for param in reversed(PARAMS):
        if param.paging and not paging:
            continue
        if param.name == "q":
            fn = click.argument("query", required=False, default="")(fn)
            continue
        flag = "--" + param.name.replace("_", "-")
        if param.repeatable:
            option = click.option(flag, param.field, multiple=True, help=param.help + " Repeat for any of several.")
        elif param.kind == "date":
            option = click.option(flag, param.field, callback=_bound(param.period_end), help=param.help)
        elif param.kind == "choice":
            option = click.option(flag, param.field, type=click.Choice(param.choices),
                                  default=param.default_for(page=paging), show_default=True, help=param.help)
        else:
            option = click.option(flag, param.field, type=int, default=param.default, show_default=True,
                                  help=param.help)
        fn = option(fn)
    return fn


@main.command("search")
@search_options
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the web API's shape).")
@translate_errors
def search_command(index_dir: Path | None, as_json: bool, **given: Any) -> None:
    """Search the index; an empty QUERY lists everything, newest first."""
    search = Search(**{p.field: given[p.field] for p in PARAMS if not p.paging})
    paging = Paging(**{p.field: given[p.field] for p in PARAMS if p.paging})
    backend = backend_for(index_dir)
    try:
        result = backend.search(search, paging)
        index = backend.fingerprint() if as_json else None
    finally:
        backend.close()
    if index is not None:  # with what it was computed on, to cite it (webapp/provenance.py: the API's too)
        cited = {"index": index.to_dict(), "search": canonical_search(search)}
        click.echo(json.dumps({**result.to_dict(), **cited}, ensure_ascii=False, indent=2))
    else:
        _echo_page(result)


def _echo_page(result: SearchPage) -> None:
    first = result.paging.start + 1
    shown = f"{first:,}-{first + len(result.hits) - 1:,} of " if result.hits else ""
    counted = f"{result.stories:,} stories ({result.total:,} articles)" if result.grouped and result.has_copies else (
        f"{result.total:,} articles")
    click.echo(f"{shown}{counted} ({result.took_ms:.0f} ms)")
    if result.partial:
        click.echo(PARTIAL_NOTE, err=True)
    if result.also_searched:
        click.echo(f"Also searched: {', '.join(result.also_searched)} (synonyms; --synonyms off for none)")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    for number, hit in enumerate(result.hits, start=first):
        when = hit.date.strftime("%Y-%m-%d") if hit.date else "undated"
        byline = "; ".join(filter(None, (", ".join(hit.author), ", ".join(hit.topic), hit.source)))
        click.echo(f"\n{number}. {click.style(hit.headline or '(untitled)', bold=True)}  [{when}]  {hit.id}")
        if byline:
            click.echo(f"   {byline}")
        click.echo(f"   {_terminal_snippet(hit.snippet)}")
        if hit.story and hit.copies:
            more = f" and {len(hit.copies) - 5} more" if len(hit.copies) > 5 else ""
            click.echo(f"   {also_ran(hit.story)}: " + "; ".join(f"{c.source or '?'} {c.id}" for c in hit.copies[:5])
                       + more)
    for name, values in result.facets.items():
        if values:
            listed = ", ".join(f"{v.value} ({v.count:,})" for v in values[:8])
            click.echo(f"\n{name}: {listed}")


def _terminal_snippet(snippet: str) -> str:
    """Turn an HTML snippet into terminal text, matches in bold."""
    styled = _MARK.sub(lambda m: click.style(m.group(1), bold=True, underline=True), snippet)
    return html.unescape(styled)


@main.command("suggest")
@click.argument("prefix")
@index_option
@suggest_options
@translate_errors
def suggest_command(prefix: str, index_dir: Path | None, limit: int, as_json: bool) -> None:
    """Autocomplete: PREFIX's last word completed from the archive's words, and headlines holding the words."""
    backend = backend_for(index_dir)
    try:
        found = backend.suggest(prefix, limit)
    finally:
        backend.close()
    echo_suggestions(found, as_json)
    if found.partial:
        click.echo(PARTIAL_NOTE, err=True)


@main.command("kwic")
@functools.partial(search_options, paging=False)
@index_option
@click.option("--width", type=click.IntRange(MIN_WIDTH, MAX_WIDTH), default=DEFAULT_WIDTH, show_default=True,
              help=WIDTH_HELP)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, the columns of /export.kwic.csv.")
@translate_errors
def kwic_command(index_dir: Path | None, width: int, as_csv: bool, **given: Any) -> None:
    """Keyword in context: every occurrence of QUERY's words or phrases in every match, with the words around it."""
    search = Search(**{p.field: given[p.field] for p in PARAMS if not p.paging})
    backend = backend_for(index_dir)
    try:
        found = concordance(backend, search, width, max(1, backend.article_count()))
        if as_csv:  # the web export's columns, the index fingerprint's digest on every row
            digest = backend.fingerprint().digest
            cells = ([*row.cells(), digest] for _, rows in found for row in rows)
            for chunk in csv_chunks((*KWIC_COLUMNS, FINGERPRINT_KEY), cells, bom=False):
                click.echo(chunk, nl=False)
            return
        for article, rows in (item for item in found if item[1]):
            click.echo(click.style(concordance_heading(article), bold=True))
            for row in rows:
                click.echo(concordance_line(row, width))
    finally:
        backend.close()


@main.command("cite")
@functools.partial(search_options, paging=False)
@index_option
@cite_options
@translate_errors
def cite_command(index_dir: Path | None, **given: Any) -> None:
    """Print citations (RIS, BibTeX, CSL-JSON) of every article a search matches, or of articles by --id."""
    cite(backend_for(index_dir), **given)


@main.command("facets")
@click.argument("name", type=click.Choice(FACETS))
@functools.partial(search_options, paging=False)
@index_option
@facet_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the shape of /api/facets/<name>).")
@translate_errors
def facets_command(index_dir: Path | None, **given: Any) -> None:
    """List every value of facet NAME among a search's matches with its count, a page at a time (--containing TEXT:
    only those containing it, case and accents aside)."""
    if facets(backend_for(index_dir), **given):
        click.echo(PARTIAL_NOTE, err=True)


@main.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@translate_errors
def stats_command(index_dir: Path | None, as_json: bool) -> None:
    """Show what the index holds: documents, date range, top topics, authors and sources."""
    backend = backend_for(index_dir)
    try:
        stats, index = backend.stats(), backend.fingerprint()
    finally:
        backend.close()
    if as_json:
        click.echo(json.dumps({**stats.to_dict(), "index": index.to_dict()}, ensure_ascii=False, indent=2))
        return
    span = f"{stats.first_date:%Y-%m-%d} to {stats.last_date:%Y-%m-%d}" if stats.first_date else "no dates"
    layout = f"{stats.shards} shard(s), " if stats.shards > 1 else ""
    segments = "segments unknown (the Solr user may not read core status)" if stats.segments is None else (
        f"{stats.segments} segment(s)")
    click.echo(f"{stats.documents:,} articles, {span}, {layout}{segments}; index fingerprint {index.digest}")
    if stats.partial:
        click.echo(PARTIAL_NOTE, err=True)
    for name, values in stats.top.items():
        click.echo(f"top {name}: " + (", ".join(f"{v.value} ({v.count:,})" for v in values) or "none"))


@main.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=default_workers, show_default="the number of cores",
              help="Server processes sharing the port, each with its own searcher.")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="Threads per worker.")
def serve_command(index_dir: Path | None, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the search page and the JSON API with gunicorn: a master and pre-forked worker processes."""
    # Imported here, not at the top: only this command needs the web app and its server.
    from webapp import create_app

    from .serving import serve

    try:
        backend = backend_for(index_dir)
        try:
            # Made here only to check the settings and read BASE_URL: each worker makes its own app and backend.
            app = create_app({"INDEX": str(backend.folder)}, backend=backend)
        finally:
            backend.close()  # it never opened the index (backends open lazily): nothing open crosses the fork
    except NewsArchiveError as err:
        raise click.ClickException(str(err)) from err  # Error: NEWSARCHIVE_TIMEZONE must be ..., exit 1
    address = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    config = {"INDEX": app.config["INDEX"], "BASE_URL": app.config["BASE_URL"]}
    if not config["BASE_URL"]:
        if host in ("0.0.0.0", "::", ""):
            click.echo("Listening on every address: set NEWSARCHIVE_BASE_URL to the archive's public URL, so feeds "
                       "and OpenSearch link to it (until then they use each request's own host).", err=True)
        else:
            config["BASE_URL"] = address  # absolute links never come from a request's Host header
    click.echo(f"Serving {config['INDEX']} on {address}/ (Ctrl-C to stop)")
    serve(lambda: create_app(config, backend=backend_for(Path(config["INDEX"]))), host, port, workers, threads)


main.add_command(solr)
main.add_command(alerts_group(search_options, index_option, translate_errors))

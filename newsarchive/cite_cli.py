"""`newsarchive cite`: articles as RIS, BibTeX or CSL-JSON on stdout, every match of a search or articles by id.

The command is declared in cli.py with the search options; its own options and its work are here. The index
fingerprint goes to stderr, so that stdout is the file and the terminal still says what it was made from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from indexer.backend import SearchBackend
from indexer.citations import FORMATS, citations
from indexer.records import Article
from indexer.request import PARAMS, Search, canonical_search
from indexer.results import IndexFingerprint


def cite_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --format, --id and --limit."""
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="bibtex", show_default=True,
                     help="The citation format."),
        click.option("--id", "ids", multiple=True, help="Cite this article (repeat for several), not a search."),
        click.option("--limit", type=click.IntRange(1), default=None, help="Cite at most this many matches "
                                                                           "[default: every one]."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def cite(backend: SearchBackend, fmt: str, ids: tuple[str, ...], limit: int | None, **given: Any) -> None:
    """Print the citations of the search's matches (or of the articles of ids), then the fingerprint on stderr."""
    search = Search(**{p.field: given[p.field] for p in PARAMS if not p.paging})
    if ids and search != Search():
        raise click.UsageError("give either --id or a search (QUERY and its options), not both")
    try:
        index = backend.fingerprint()
        articles = _by_id(backend, ids) if ids else backend.iter_matches(search, limit or backend.article_count())
        for piece in citations(articles, fmt):
            click.echo(piece, nl=False)
    finally:
        backend.close()
    _echo_index(index, None if ids else canonical_search(search))


def _by_id(backend: SearchBackend, ids: tuple[str, ...]) -> list[Article]:
    """Return the articles of these ids, in this order: an unknown one is an error before anything is printed."""
    return [backend.article(article_id) for article_id in dict.fromkeys(ids)]


def _echo_index(index: IndexFingerprint, canonical: str | None) -> None:
    when = f"last commit {index.to_dict()['last_commit']}" if index.last_commit else "no commit yet"
    search = "" if canonical is None else f"; search: {canonical or '(every article)'}"
    click.echo(f"Index fingerprint {index.digest} ({index.backend}, {index.articles:,} articles, {when}){search}",
               err=True)

"""`newsarchive facets NAME`: every value of a facet for a search, a page at a time, searchable (what the web app's
facet pages and /api/facets/<name> show; indexer/facetpages.py).

The command is declared in cli.py with the search options; its own options (FACET_PAGE_PARAMS, declared once) and
its work are here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from indexer.backend import SearchBackend
from indexer.facetpages import FACET_PAGE_PARAMS, FacetRequest
from indexer.request import PARAMS, Search, canonical_search
from indexer.results import FacetPage


def facet_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --containing, --page and --per-page, from indexer.facetpages.FACET_PAGE_PARAMS."""
    for param in reversed(FACET_PAGE_PARAMS):
        flag = "--" + param.name.replace("_", "-")
        if param.name == "containing":
            option = click.option(flag, default="", help=param.help)
        else:
            option = click.option(flag, param.name, type=click.IntRange(param.minimum, param.maximum),
                                  default=param.default or 1, show_default=True, help=param.help)
        fn = option(fn)
    return fn


def facets(backend: SearchBackend, name: str, as_json: bool, containing: str, page: int, per_page: int,
           **given: Any) -> bool:
    """Print a page of a facet's values for the search: a line each ("count  value"), or the API's JSON; return
    whether the counts are partial (a shard did not answer)."""
    search = Search(**{p.field: given[p.field] for p in PARAMS if not p.paging})
    try:
        found = backend.facet_page(FacetRequest(search, name, containing.strip(), page, per_page))
        index = backend.fingerprint() if as_json else None
    finally:
        backend.close()
    if index is not None:
        cited = {"search": canonical_search(search), "index": index.to_dict()}
        click.echo(json.dumps({**found.to_dict(), **cited}, ensure_ascii=False, indent=2))
    else:
        _echo_page(found)
    return found.partial


def _echo_page(found: FacetPage) -> None:
    among = f" containing {found.containing!r}" if found.containing else ""
    if not found.values:
        past = f"; page {found.page} is past the last ({found.pages})" if found.total else ""
        click.echo(f"No {found.name} values{among}{past}.")
    else:
        first = (found.page - 1) * found.per_page + 1
        click.echo(f"{found.name} values {first:,}-{first + len(found.values) - 1:,} of {found.total:,}{among} "
                   f"(page {found.page} of {found.pages}), counting {found.search.count}:")
        width = len(f"{max(v.count for v in found.values):,}")
        for value in found.values:
            chosen = "  (selected)" if value.selected else ""
            click.echo(f"{value.count:>{width},}  {value.value}{chosen}")

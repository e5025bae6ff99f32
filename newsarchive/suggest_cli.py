"""`newsarchive suggest`: what the search box offers for the text typed so far, in the terminal or as JSON.

The command is declared in cli.py with the shared options; its own options and its output are here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from indexer.suggest import DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS, Suggestions


def suggest_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --limit and --json."""
    options = [
        click.option("--limit", type=click.IntRange(1, MAX_SUGGESTIONS), default=DEFAULT_SUGGESTIONS,
                     show_default=True, help=f"How many words to suggest (1-{MAX_SUGGESTIONS})."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the API's shape, without "
                                                             "the headlines' page links)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def echo_suggestions(found: Suggestions, as_json: bool) -> None:
    """Print the completed words with their article counts, then the headlines offered (id, date, source)."""
    if as_json:
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    if not found.words and not found.headlines:
        click.echo(f"Nothing to suggest for {found.prefix!r}.")
        return
    width = max((len(w.text) for w in found.words), default=0)
    for word in found.words:
        unit = "article" if word.articles == 1 else "articles"
        click.echo(f"{word.text:<{width}}  {word.articles:>7,} {unit}")
    if found.headlines:
        click.echo(f"{chr(10) if found.words else ''}Go to article:")
    for headline in found.headlines:
        when = headline.date.strftime("%Y-%m-%d") if headline.date else "undated"
        click.echo(f"  {click.style(headline.headline, bold=True)}  [{when}, {headline.source or '?'}]  {headline.id}")

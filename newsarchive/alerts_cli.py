"""`newsarchive alerts add|list|remove|run`: saved searches that send their new matches (indexer/alerts.py).

cli.py builds the group with its own option decorators (alerts_group), so that the search options are the ones
every command derives from indexer.request.PARAMS; `watch` runs the alerts through run_and_echo.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from indexer.alerts import (
    ALERTS_NAME,
    DEFAULT_RETRY,
    AlertOutcome,
    AlertStatus,
    add_alert,
    list_alerts,
    remove_alerts,
    run_alerts,
)
from indexer.backend import SearchBackend, open_backend
from indexer.delivery import Retry, smtp_config
from indexer.errors import NewsArchiveError
from indexer.request import PARAMS, Search
from indexer.settings import read_settings

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
SearchOptions = Callable[..., Callable[..., Any]]  # cli.search_options: a decorator taking paging=False


def page_url() -> Callable[[str], str] | None:
    """Return article id -> the address of its page on this archive, when NEWSARCHIVE_BASE_URL is set."""
    # Imported here: only alert runs need the web app's settings and article keys (tests/test_alerts.py checks
    # that such an address opens the article's page).
    from webapp.params import article_key
    from webapp.settings import SETTINGS

    base = str(read_settings([s for s in SETTINGS if s.name == "BASE_URL"])["BASE_URL"]).rstrip("/")
    if not base:
        return None
    return lambda article_id: f"{base}/articles/{quote(article_key(article_id), safe='~')}"


def run_and_echo(backend: SearchBackend, names: tuple[str, ...] = (), retry: Retry = DEFAULT_RETRY,
                 quiet: bool = False) -> list[AlertOutcome]:
    """Run the alerts and say what each did, failures on stderr (quiet: not the alerts that had nothing new)."""
    if not names and not (backend.folder / ALERTS_NAME).exists():
        return []  # no alert was ever added: nothing to read (watch asks after every pass)
    outcomes = run_alerts(backend, names, retry, page_url())
    for outcome in outcomes:
        if outcome.sent or outcome.error or not quiet:
            _echo_outcome(outcome)
    return outcomes


def _echo_outcome(outcome: AlertOutcome) -> None:
    name, target = outcome.alert.name, outcome.alert.target
    if outcome.sent:
        again = f", {outcome.resent:,} of them sent again (unconfirmed before)" if outcome.resent else ""
        deliveries = ", ".join(outcome.deliveries)
        click.echo(f"{name}: {outcome.sent:,} new article(s) sent to {target}{again}; delivery {deliveries}.")
    elif not outcome.error:
        click.echo(f"{name}: nothing new.")
    if outcome.error:
        waiting = f"; {outcome.waiting:,} article(s) wait for the next run" if outcome.waiting else ""
        click.echo(f"{name}: FAILED: {outcome.error}{waiting}.", err=True)


def _echo_status(status: AlertStatus) -> None:
    alert = status.alert
    click.echo(f"{alert.name}  {alert.kind} {alert.target}  search: {alert.search or '(every article)'}")
    last = f"last run {status.last_run:%Y-%m-%d %H:%M:%S} UTC" if status.last_run else "not run yet"
    outcome = f"FAILED: {status.last_error}" if status.last_error else "ok" if status.last_run else ""
    click.echo(f"  {status.delivered:,} delivered, {status.waiting:,} waiting, {status.seen_when_added:,} seen when "
               f"added; {last}" + (f": {outcome}" if outcome else ""))


def _folder(index_dir: Path | None) -> Path:
    """Return the index folder of --index, else the configured one."""
    backend = open_backend(folder=index_dir)
    backend.close()
    return backend.folder


def alerts_group(search_options: SearchOptions, index_option: Decorator, translate_errors: Decorator) -> click.Group:
    """Return the `alerts` group, its commands taking cli.py's search options, --index and error translation."""

    @click.group("alerts")
    def alerts() -> None:
        """Saved searches that send their new matches to a webhook or an e-mail address."""

    @alerts.command("add")
    @click.argument("name")
    @functools.partial(search_options, paging=False)
    @index_option
    @click.option("--webhook", metavar="URL", help="POST each delivery as JSON to this http(s) URL.")
    @click.option("--email", metavar="ADDR", help="Mail each delivery as a digest to this address "
                                                  "(NEWSARCHIVE_SMTP_*).")
    @click.option("--backfill", is_flag=True, help="Send the articles that match now on the first run too "
                                                   "(default: only those indexed from now on).")
    @translate_errors
    def add_command(name: str, index_dir: Path | None, webhook: str | None, email: str | None, backfill: bool,
                    **given: Any) -> None:
        """Add an alert NAME for a search (QUERY and the search options): new matches go to --webhook or --email."""
        if (webhook is None) == (email is None):
            raise click.UsageError("give one of --webhook URL or --email ADDR")
        kind, target = ("webhook", webhook) if webhook is not None else ("email", email or "")
        search = Search(**{p.field: given[p.field] for p in PARAMS if not p.paging})
        backend = open_backend(folder=index_dir)
        try:
            alert, matching = add_alert(backend, name, search, kind, target, backfill)
        finally:
            backend.close()
        when = ("the first `alerts run` sends them" if backfill else
                "taken as seen: runs send only articles that match from now on")
        click.echo(f"Added alert {alert.name} ({kind} {alert.target}; search: {alert.search or '(every article)'}): "
                   f"{matching:,} article(s) match now, {when}.")
        if kind == "email":
            try:
                smtp_config()
            except NewsArchiveError as err:
                click.echo(f"Note: e-mail alerts cannot run until this is fixed: {err}", err=True)

    @alerts.command("list")
    @index_option
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
    @translate_errors
    def list_command(index_dir: Path | None, as_json: bool) -> None:
        """List the alerts: search, target, articles delivered and waiting, the last run and its error."""
        statuses = list_alerts(_folder(index_dir))
        if as_json:
            click.echo(json.dumps([s.to_dict() for s in statuses], ensure_ascii=False, indent=2))
        elif not statuses:
            click.echo("No alerts (add one with `newsarchive alerts add`).")
        for status in [] if as_json else statuses:
            _echo_status(status)

    @alerts.command("remove")
    @click.argument("names", nargs=-1, required=True)
    @index_option
    @translate_errors
    def remove_command(names: tuple[str, ...], index_dir: Path | None) -> None:
        """Remove alerts by name, with what they remember (sent and seen articles)."""
        remove_alerts(_folder(index_dir), names)
        click.echo(f"Removed {len(set(names)):,} alert(s): {', '.join(dict.fromkeys(names))}.")

    @alerts.command("run")
    @click.argument("names", nargs=-1)
    @index_option
    @click.option("--retry-seconds", type=click.FloatRange(0, 3600), default=Retry.seconds, show_default=True,
                  help="How long to keep retrying a receiver that fails, per delivery (0: try once).")
    @translate_errors
    def run_command(names: tuple[str, ...], index_dir: Path | None, retry_seconds: float) -> None:
        """Send each alert (or those NAMES) the matches new since its last run; exit 1 if any failed."""
        backend = open_backend(folder=index_dir)
        try:
            outcomes = run_and_echo(backend, names, Retry(seconds=retry_seconds))
        finally:
            backend.close()
        if not outcomes:
            click.echo("No alerts (add one with `newsarchive alerts add`).")
        if any(outcome.error for outcome in outcomes):
            raise SystemExit(1)

    return alerts

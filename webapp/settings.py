"""Settings, declared once as data: name, default, help; read from NEWSARCHIVE_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from indexer.results import DEFAULT_PER_PAGE


class SettingError(ValueError):
    """A setting has a value the app cannot run with: reported at start-up, naming the variable to fix."""


@dataclass(frozen=True)
class Setting:
    """One setting: its name (NEWSARCHIVE_<NAME> in the environment), default and meaning."""

    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        """Return the environment variable that sets it."""
        return f"NEWSARCHIVE_{self.name}"


SETTINGS = (
    Setting("INDEX", "index", "the index folder"),
    Setting("PER_PAGE", DEFAULT_PER_PAGE, "results per page unless the request asks otherwise"),
    Setting("CORS_ORIGINS", "*", "origins allowed to call /api/ from a browser: * or a comma-separated list"),
    Setting("RATE_LIMIT", 120, "searches (pages, API calls, feeds) per client per minute; 0 turns limiting off"),
    Setting("EXPORT_RATE_LIMIT", 10, "exports per client per minute; 0 turns limiting off"),
    Setting("EXPORT_CAP", 100_000, "the most articles one export returns"),
    Setting("FRAME_ANCESTORS", "*", "sites allowed to frame /embed: * or a space-separated list of origins"),
    Setting("SITE_NAME", "newsarchive", "the name shown in the page title, feeds and the OpenSearch description"),
    Setting("BASE_URL", "", "the archive's public URL (https://archive.example.org), for every absolute link: feeds, "
                            "OpenSearch, the API document; `serve` sets it from --host and --port when unset"),
    Setting("TRUSTED_HOSTS", "", "host names the app answers to, comma-separated (.example.org: its subdomains too); "
                                 "requests for other hosts get 400; empty: any"),
    Setting("TIMEZONE", "UTC", "the archive's time zone (an IANA name such as Europe/Berlin): article times, printed "
                               "without an offset, are read in it for feeds; it also dates export file names"),
    Setting("PROXY_FIX", 0, "how many proxies in front set X-Forwarded-For, -Proto, -Host, -Port and -Prefix; "
                            "0: those headers are ignored"),
)


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting: its default, replaced by its environment variable when set."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            values[setting.name] = setting.default
        elif isinstance(setting.default, int):
            try:
                values[setting.name] = int(raw)
            except ValueError as err:
                raise SettingError(f"{setting.env} must be a whole number, not {raw!r}") from err
        else:
            values[setting.name] = raw
    return values

"""The web app's settings: the library's (indexer/settings.py: INDEX, BACKEND) and its own, read the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indexer import settings as core
from indexer.request import DEFAULT_PER_PAGE
from indexer.settings import Setting, SettingError, read_settings

__all__ = ["SETTINGS", "Setting", "SettingError", "load_settings"]


SETTINGS = (
    *core.SETTINGS,
    Setting("PER_PAGE", DEFAULT_PER_PAGE, "results per page unless the request asks otherwise"),
    Setting("CORS_ORIGINS", "*", "origins allowed to call /api/ from a browser: * or a comma-separated list"),
    Setting("RATE_LIMIT", 120, "searches (pages, API calls, feeds) per client per minute; 0 turns limiting off"),
    Setting("EXPORT_RATE_LIMIT", 10, "exports per client per minute; 0 turns limiting off"),
    Setting("SUGGEST_RATE_LIMIT", 600, "autocomplete requests (/api/suggest, one per pause in typing) per client per "
                                       "minute; 0 turns limiting off"),
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
    return read_settings(SETTINGS, environ)

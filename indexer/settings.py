"""Settings, declared once as data (name, default, help) and read from NEWSARCHIVE_* environment variables.

These are the settings of the library: where the archive is and which engine serves it. The web app adds its own
(webapp/settings.py) to the same list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import NewsArchiveError


class SettingError(NewsArchiveError, ValueError):
    """A setting has a value newsarchive cannot run with: reported at start-up, naming the variable to fix."""


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


INDEX = Setting("INDEX", "index", "the index folder: the Whoosh index, and for every backend the manifest of what "
                                  "was indexed from which file and the lock that keeps to one indexing run")
BACKEND = Setting("BACKEND", "whoosh", "the engine that serves the archive: whoosh (embedded, the default) or solr "
                                      "(a SolrCloud collection)")
SYNONYMS = Setting("SYNONYMS", "", "a file of synonyms and variant names, a group a line (Myanmar, Burma), that "
                                    "queries also search for: read when it changes, no re-index needed")
LANGUAGE = Setting("LANGUAGE", "en", "the language of articles that state none and are too short to detect (an ISO "
                                    "639-1 code: en, fr, de...), for their stems; read by indexing runs")
ALIASES = Setting("ALIASES", "", "an alias file (a canonical name a line, then its variants: Paul Volcker: Volcker, "
                                  "Paul A. Volcker), read after the one newsarchive ships; people, organisations and "
                                  "places are indexed by their canonical names; read by indexing runs")
SETTINGS = (INDEX, BACKEND, SYNONYMS, LANGUAGE, ALIASES)
# The Solr backend's (read only when it is picked).
SOLR_URL = Setting("SOLR_URL", "", "the Solr nodes' URLs, comma-separated (http://host:8983/solr,...): requests go to "
                                   "the one that answered last and fail over to the others")
SOLR_COLLECTION = Setting("SOLR_COLLECTION", "newsarchive", "the SolrCloud collection of the archive")
SOLR_USER = Setting("SOLR_USER", "", "a user name for Solr's basic authentication (with NEWSARCHIVE_SOLR_PASSWORD)")
SOLR_PASSWORD = Setting("SOLR_PASSWORD", "", "the password for Solr's basic authentication")
SOLR_TIMEOUT = Setting("SOLR_TIMEOUT", 30, "seconds a Solr node has to answer a request before the next node is tried "
                                         "(and, when none answers, the search fails with a 503)")
SOLR_SETTINGS = (SOLR_URL, SOLR_COLLECTION, SOLR_USER, SOLR_PASSWORD, SOLR_TIMEOUT)
# E-mail alerts' (read only when an alert sends e-mail: indexer/delivery.py).
SMTP_HOST = Setting("SMTP_HOST", "", "the SMTP server e-mail alerts are sent through (empty: e-mail alerts cannot run)")
SMTP_PORT = Setting("SMTP_PORT", 0, "its port; 0: the TLS mode's (25 none, 587 starttls, 465 ssl)")
SMTP_TLS = Setting("SMTP_TLS", "starttls", "how the connection is encrypted: starttls (upgrade after connecting), ssl "
                                           "(TLS from the start) or none (only to a relay on this machine when a "
                                           "password is set)")
SMTP_USER = Setting("SMTP_USER", "", "a user name to log in with (empty: no login)")
SMTP_PASSWORD = Setting("SMTP_PASSWORD", "", "its password")
SMTP_FROM = Setting("SMTP_FROM", "", "the address digests are sent from (required for e-mail alerts)")
SMTP_SETTINGS = (SMTP_HOST, SMTP_PORT, SMTP_TLS, SMTP_USER, SMTP_PASSWORD, SMTP_FROM)


def read_settings(settings: Iterable[Setting], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return each setting's value: its default, replaced by its environment variable when set."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in settings:
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

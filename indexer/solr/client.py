"""Talking to a SolrCloud cluster over HTTP: JSON in and out, failing over between nodes, time-bounded.

Standard library only (urllib): every request goes to one of the configured node URLs, starting with the one that
answered last; a node that cannot be reached (refused, timed out, 502-504) is skipped for the next, and when none
answers the caller gets BackendUnavailableError saying which nodes were tried. Credentials refused (401) or a user
without the right (403) are BackendUnavailableError too, saying which setting to fix: no other node would answer
otherwise, and a reader of the web app is not at fault. Solr's other errors (400, 404, ...) come back as SolrError
with Solr's message.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import BackendUnavailableError, NewsArchiveError
from ..settings import SOLR_PASSWORD, SOLR_TIMEOUT, SOLR_USER, SettingError

# Statuses that mean "this node cannot serve now", so another node is tried.
_UNAVAILABLE = {502, 503, 504}


class SolrError(NewsArchiveError):
    """Solr refused a request; the message is Solr's."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SolrAccessError(BackendUnavailableError):
    """Solr refused the credentials (401) or what the user asked for (403); the message says which setting to fix."""


Params = Mapping[str, str | int | float | Sequence[str]]


class SolrClient:
    """A client of one collection on a cluster, safe to share between threads."""

    def __init__(self, urls: Sequence[str], collection: str, auth: tuple[str, str] | None = None,
                 timeout: float = float(SOLR_TIMEOUT.default)) -> None:
        if not urls:
            raise BackendUnavailableError("no Solr node URL is configured: set NEWSARCHIVE_SOLR_URL (e.g. "
                                          "http://localhost:8983/solr)")
        self.urls = [url.rstrip("/") for url in urls]
        self.collection = collection
        self.timeout = timeout
        self._auth = "Basic " + base64.b64encode(":".join(auth).encode()).decode() if auth else None
        self._user = auth[0] if auth else None
        self._first = 0
        self._lock = threading.Lock()

    def on_node(self, url: str) -> SolrClient:
        """Return a client of the same collection, credentials and timeout that talks to one node only."""
        node = SolrClient([url], self.collection, timeout=self.timeout)
        node._auth, node._user = self._auth, self._user
        return node

    def collection_path(self, handler: str) -> str:
        """Return the path of a request handler of the collection ("select" -> /collection/select)."""
        return f"/{urllib.parse.quote(self.collection, safe='')}/{handler}"

    def get(self, path: str, params: Params | None = None) -> dict[str, Any]:
        """GET a path under a node's /solr with query parameters; return the JSON answer."""
        return self.request("GET", path, params)

    def post_form(self, path: str, params: Params) -> dict[str, Any]:
        """POST parameters form-encoded (a long query does not fit in a URL)."""
        body = urllib.parse.urlencode(_pairs({**params, "wt": "json"}), doseq=True).encode()
        return self.request("POST", path, None, body, "application/x-www-form-urlencoded")

    def post_json(self, path: str, payload: Any, params: Params | None = None) -> dict[str, Any]:
        """POST a JSON body (updates, the JSON request API)."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        return self.request("POST", path, params, body, "application/json")

    def request(self, method: str, path: str, params: Params | None = None, body: bytes | None = None,
                content_type: str | None = None, timeout: float | None = None, v2: bool = False) -> dict[str, Any]:
        """Send a request to the first node that answers; return its JSON.

        path is under a node's /solr, or with v2 under the host (Solr's V2 API: `/api/...`).
        """
        query = urllib.parse.urlencode(_pairs({**(params or {}), "wt": "json"}), doseq=True)
        with self._lock:
            first = self._first
        order = self.urls[first:] + self.urls[:first]
        failures = []
        for url in order:
            root = url.removesuffix("/solr") if v2 else url
            request = urllib.request.Request(f"{root}{path}?{query}", data=body, method=method)
            if content_type:
                request.add_header("Content-Type", content_type)
            if self._auth:
                request.add_header("Authorization", self._auth)
            try:
                with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                    answer: dict[str, Any] = json.load(response)
            except urllib.error.HTTPError as err:
                with err:  # its connection is closed once Solr's message is read
                    if err.code in (401, 403):
                        raise SolrAccessError(self._refused(err.code, url, path)) from err
                    if err.code in _UNAVAILABLE:
                        failures.append(f"{url}: HTTP {err.code} {_message(err)}")
                        continue
                    raise SolrError(err.code, _message(err)) from err
            except OSError as err:  # refused, reset, unknown host, timed out: the next node
                failures.append(f"{url}: {getattr(err, 'reason', err)}")
                continue
            except json.JSONDecodeError as err:
                failures.append(f"{url}: not a JSON answer ({err})")
                continue
            with self._lock:
                self._first = self.urls.index(url)
            return answer
        raise BackendUnavailableError(
            f"the Solr cluster did not answer ({'; '.join(failures)}): check that its nodes are running and that "
            "NEWSARCHIVE_SOLR_URL lists them"
        )


    def _refused(self, status: int, url: str, path: str) -> str:
        if status == 401 and self._user is None:
            return (f"the Solr cluster asks for a user name and password ({url}: HTTP 401): set {SOLR_USER.env} and "
                    f"{SOLR_PASSWORD.env}")
        if status == 401:
            return (f"the Solr cluster refused user {self._user!r} ({url}: HTTP 401): check {SOLR_USER.env} and "
                    f"{SOLR_PASSWORD.env}")
        return (f"the Solr user {self._user or '(none)'!r} may not do this ({path} on {url}: HTTP 403): give it a "
                f"role that allows it in the cluster's security.json, or set {SOLR_USER.env} to a user that has one")


def _pairs(params: Params) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if isinstance(value, (list, tuple)):
            pairs += [(name, str(v)) for v in value]
        else:
            pairs.append((name, str(value)))
    return pairs


def _message(err: urllib.error.HTTPError) -> str:
    """Return Solr's own error message from an error response, else the HTTP status."""
    try:
        body = json.loads(err.read() or b"{}")
    except (ValueError, OSError):
        body = {}
    message = body.get("error", {}).get("msg") if isinstance(body, dict) else None
    return str(message or f"HTTP {err.code} {err.reason}").splitlines()[0]


def client_of(settings: Mapping[str, Any]) -> SolrClient:
    """Return the client the Solr settings (indexer.settings.SOLR_SETTINGS, read) describe."""
    urls = [url.strip() for url in str(settings["SOLR_URL"]).split(",") if url.strip()]
    auth = (str(settings["SOLR_USER"]), str(settings["SOLR_PASSWORD"])) if settings["SOLR_USER"] else None
    timeout = int(settings["SOLR_TIMEOUT"])
    if timeout < 1:
        raise SettingError(f"{SOLR_TIMEOUT.env} must be at least 1 (seconds), not {timeout}")
    return SolrClient(urls, str(settings["SOLR_COLLECTION"]), auth, timeout)


def term_counts(answer: dict[str, Any], field: str) -> dict[str, int]:
    """Return word -> document count of a field from an answer of the terms component (either of its shapes)."""
    listed = answer.get("terms", {}).get(field, [])
    if isinstance(listed, dict):
        return {str(k): int(v) for k, v in listed.items()}
    return {str(k): int(v) for k, v in zip(listed[::2], listed[1::2], strict=False)}

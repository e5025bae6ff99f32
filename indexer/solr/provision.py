"""Set up a SolrCloud collection for newsarchive: upload the versioned configset, create, wait, record the version.

Requests go through client.py (the standard library only), so `init` needs nothing but a reachable node. Base URLs
are node URLs as Solr prints them, `http://HOST:PORT/solr`; each is tried in turn when one cannot be reached.
"""

from __future__ import annotations

import hashlib
import io
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from importlib import resources
from typing import Any

from ..errors import NewsArchiveError
from .client import SolrClient, SolrError

# Bump with every change to configset/ (schema.xml, solrconfig.xml) and record its digest below: a collection keeps
# the version it was built with, and init_collection refuses to reuse a collection of another version.
SOLR_SCHEMA_VERSION = 5  # 2: the story field, collections routed by it; 3: the language field; 4: the words field
# (autocomplete); 5: people, organisations and places
# sha256 of the configset's files (configset_digest()); tests fail when the files change and this does not.
CONFIGSET_DIGEST = "b086437a21424345db23add5e766ee7ff5fe465c8157e9dc8ac3a0b2735ddea0"
CONFIGSET_FILES = ("schema.xml", "solrconfig.xml")
VERSION_PROPERTY = "newsarchive.schema_version"
TIMEOUT = 60.0  # seconds a request may take (creating a collection waits for its cores)
ACTIVE_TIMEOUT = 120.0  # seconds every replica of a new collection has to become active


class ProvisionError(NewsArchiveError):
    """Solr refused to set up the configset or the collection; the message says what Solr said."""


class SchemaVersionError(ProvisionError):
    """The collection was built with another configset version than this newsarchive's."""


def configset_name(version: int = SOLR_SCHEMA_VERSION) -> str:
    """Return the name the configset of a version has in Solr, e.g. newsarchive-v1."""
    return f"newsarchive-v{version}"


def configset_files() -> dict[str, bytes]:
    """Return the configset's files (shipped as package data) by name."""
    folder = resources.files("indexer.solr") / "configset"
    return {name: (folder / name).read_bytes() for name in CONFIGSET_FILES}


def configset_digest() -> str:
    """Return the sha256 of the configset's files, in name order."""
    digest = hashlib.sha256()
    for name, data in sorted(configset_files().items()):
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def configset_zip() -> bytes:
    """Return the configset as the zip Solr's configset upload takes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in configset_files().items():
            archive.writestr(name, data)
    return buffer.getvalue()


class SolrAdmin:
    """A few admin requests to a SolrCloud cluster (over SolrClient: each node URL in turn)."""

    def __init__(self, base_urls: list[str], auth: tuple[str, str] | None = None, timeout: float = TIMEOUT,
                 client: SolrClient | None = None) -> None:
        self.client = client or SolrClient(base_urls, "", auth, timeout)

    def request(self, path: str, params: dict[str, str] | None = None, data: bytes | None = None,
                content_type: str = "", *, v2: bool = False, missing_ok: bool = False) -> dict[str, Any] | None:
        """Send one request (GET, or POST with data) to the first node that answers; return Solr's JSON.

        path is relative to the base URL (`/admin/collections`), or with v2 to the host's V2 API (`/api/...`).
        An HTTP 404 returns None when missing_ok; any other error status raises ProvisionError.
        """
        try:
            return self.client.request("POST" if data is not None else "GET", path, params, data,
                                       content_type or None, timeout=max(self.client.timeout, TIMEOUT), v2=v2)
        except SolrError as err:
            if err.status == 404 and missing_ok:
                return None
            raise ProvisionError(f"Solr refused {path}: {err}") from err

    def collections(self, collection: str = "") -> dict[str, Any]:
        """Return CLUSTERSTATUS's collections (all, or the one named) and live_nodes under "_live_nodes"."""
        params = {"action": "CLUSTERSTATUS", **({"collection": collection} if collection else {})}
        try:
            result = self.request("/admin/collections", params) or {}
        except ProvisionError as err:
            if collection and "not found" in str(err).lower():
                return {"_live_nodes": []}
            raise
        cluster = result.get("cluster", {})
        return {**cluster.get("collections", {}), "_live_nodes": cluster.get("live_nodes", [])}

    def collection_property(self, collection: str, name: str) -> str | None:
        """Return a collection property (COLLECTIONPROP), or None when it is not set."""
        path = f"/api/cluster/zookeeper/data/collections/{urllib.parse.quote(collection)}/collectionprops.json"
        props = self.request(path, v2=True, missing_ok=True) or {}
        value = props.get(name)
        return None if value is None else str(value)


def init_collection(base_urls: list[str], collection: str, shards: int, replicas: int,
                    auth: tuple[str, str] | None = None, client: SolrClient | None = None) -> str:
    """Create a collection on this version's configset (uploaded if missing) and wait until it is active.

    Idempotent: a collection of this schema version is left as it is. A collection of another version, or not
    made by newsarchive, is refused (SchemaVersionError). Safe to run twice at once (two deploys, two indexers'
    first runs): the one that loses the race to create waits for the winner's collection and says it existed.
    Returns a one-line message saying what was done.
    """
    if shards < 1 or replicas < 1:
        raise ProvisionError(f"shards and replicas must be at least 1 (got {shards} shards, {replicas} replicas).")
    admin = SolrAdmin(base_urls, auth, client=client)
    state = admin.collections(collection).get(collection)
    if state is not None:
        return _existing(admin, collection, state, shards, replicas)
    configset = configset_name()
    uploaded = _upload_configset(admin, configset)
    try:
        admin.request("/admin/collections", {
            "action": "CREATE", "name": collection, "numShards": str(shards), "replicationFactor": str(replicas),
            "router.field": "story",
            "collection.configName": configset, "waitForFinalState": "true",
        })
    except ProvisionError:
        state = admin.collections(collection).get(collection)
        if state is None:
            raise
        return _existing(admin, collection, state, shards, replicas)  # created meanwhile by another init
    _wait_active(admin, collection)
    _record_version(admin, collection)
    how = "uploaded" if uploaded else "already in Solr"
    return (f"Created collection {collection}: {shards} shard(s) x {replicas} replica(s), "
            f"configset {configset} ({how}), schema version {SOLR_SCHEMA_VERSION}.")


def _existing(admin: SolrAdmin, collection: str, state: dict[str, Any], shards: int, replicas: int) -> str:
    recorded = admin.collection_property(collection, VERSION_PROPERTY)
    config = state.get("configName", "?")
    if recorded is None and config == configset_name():  # an earlier init stopped before recording the version
        _wait_active(admin, collection)
        _record_version(admin, collection)
        return (f"Collection {collection} existed without its version (made by an init that stopped early, or by one "
                f"running at the same time); recorded schema version {SOLR_SCHEMA_VERSION}.")
    if recorded != str(SOLR_SCHEMA_VERSION):
        built = f"schema version {recorded}" if recorded else f"configset {config}, no {VERSION_PROPERTY} property"
        raise SchemaVersionError(
            f"Collection {collection} was built with {built}; this newsarchive uses schema version "
            f"{SOLR_SCHEMA_VERSION} ({configset_name()}). Index into a new collection (init another name, then "
            f"index the archive into it and switch to it), or delete {collection} "
            f"(/admin/collections?action=DELETE&name={collection}) and run init again."
        )
    have = (len(state.get("shards", {})), int(state.get("replicationFactor", 0)))
    note = "" if have == (shards, replicas) else (
        f" (asked for {shards} x {replicas}: an existing collection's shape is not changed)")
    return (f"Collection {collection} already exists with schema version {SOLR_SCHEMA_VERSION} "
            f"({have[0]} shard(s) x {have[1]} replica(s)); nothing changed{note}.")


def _upload_configset(admin: SolrAdmin, name: str) -> bool:
    """Upload the configset unless Solr has it already; return whether it was uploaded."""
    listed = admin.request("/admin/configs", {"action": "LIST"}) or {}
    if name in listed.get("configSets", []):
        return False
    try:
        admin.request("/admin/configs", {"action": "UPLOAD", "name": name}, configset_zip(), "application/octet-stream")
    except ProvisionError:
        if name not in (admin.request("/admin/configs", {"action": "LIST"}) or {}).get("configSets", []):
            raise
        return False  # uploaded meanwhile by another init
    return True


def _record_version(admin: SolrAdmin, collection: str) -> None:
    admin.request("/admin/collections", {
        "action": "COLLECTIONPROP", "name": collection, "propertyName": VERSION_PROPERTY,
        "propertyValue": str(SOLR_SCHEMA_VERSION),
    })


def _wait_active(admin: SolrAdmin, collection: str, timeout: float = ACTIVE_TIMEOUT) -> None:
    """Wait until every replica of the collection is active on a live node."""
    deadline = time.monotonic() + timeout
    states: list[str] = []
    while True:
        status = admin.collections(collection)
        live = set(status["_live_nodes"])
        shards = status.get(collection, {}).get("shards", {})
        replicas = [r for shard in shards.values() for r in shard.get("replicas", {}).values()]
        if replicas and all(r.get("state") == "active" and r.get("node_name") in live for r in replicas):
            return
        states = [f"{r.get('core')}: {r.get('state')}" for r in replicas]
        if time.monotonic() >= deadline:
            raise ProvisionError(f"Collection {collection} not active after {timeout:.0f} s: {', '.join(states)}.")
        time.sleep(0.25)

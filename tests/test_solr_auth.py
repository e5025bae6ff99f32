"""A secured SolrCloud: basic authentication and rule-based authorization, as production clusters run (issue 13).

One single-node cluster for this module (`DevCluster(auth=...)`: security.json in ZooKeeper before the node
starts, every request without the admin's credentials refused). What is checked is what users see:

- with NEWSARCHIVE_SOLR_USER and NEWSARCHIVE_SOLR_PASSWORD set, `solr init`, `index`, `search` and the web app
  work as on an open cluster;
- without them, or with a wrong password, the CLI says which settings to fix (exit 1) and the web app answers 503
  saying the same, never a 400 blaming the query nor a 500;
- a read-only user (Solr's "read" permission alone, given through Solr's own security API) can search and serve
  every page (the statistics say the segment count is unknown rather than failing), and an `index` or `delete`
  run with it is refused saying the user may not do this, with nothing written.

Skipped unless `java` and `mvn` are on PATH, failed instead in CI.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer.errors import BackendUnavailableError
from indexer.request import Search
from indexer.solr.backend import SolrBackend
from indexer.solr.client import SolrClient
from indexer.solr.devcluster import DevCluster
from indexer.solr.devcluster.cluster import solr_password_hash
from newsarchive.cli import main
from tests.solr_cluster import skip_without_tools
from webapp import create_app

from .conftest import CORPUS, write_jsonl

ADMIN = ("archivist", "s3cret-words")
READER = ("reader", "only-reading")
COLLECTION = "secured"
APP = {"TESTING": True, "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevCluster]:
    """A secured one-node cluster of this module's own, with an admin and a read-only user, stopped afterwards."""
    skip_without_tools()
    cluster = DevCluster(tmp_path_factory.mktemp("secured-cloud"), nodes=1, auth=ADMIN).start()
    try:
        # The read-only user is added as an administrator would: through Solr's security API, as the admin.
        admin_post(cluster, "/admin/authentication", {"set-user": {READER[0]: READER[1]}})
        admin_post(cluster, "/admin/authorization", {"set-user-role": {READER[0]: ["reader"]}})
        yield cluster
    finally:
        cluster.stop()


def admin_post(cluster: DevCluster, path: str, command: dict[str, Any]) -> None:
    request = urllib.request.Request(f"{cluster.node_urls[0]}{path}", data=json.dumps(command).encode(),
                                     headers={"Content-Type": "application/json"})
    request.add_header("Authorization", "Basic " + base64.b64encode(":".join(ADMIN).encode()).decode())
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def env_of(cloud: DevCluster, folder: Path, user: tuple[str, str] | None) -> dict[str, str]:
    env = {"NEWSARCHIVE_BACKEND": "solr", "NEWSARCHIVE_SOLR_URL": ",".join(cloud.node_urls),
           "NEWSARCHIVE_SOLR_COLLECTION": COLLECTION, "NEWSARCHIVE_INDEX": str(folder),
           "NEWSARCHIVE_SOLR_USER": "", "NEWSARCHIVE_SOLR_PASSWORD": ""}
    if user:
        env["NEWSARCHIVE_SOLR_USER"], env["NEWSARCHIVE_SOLR_PASSWORD"] = user
    return env


def said(result: Any) -> str:
    try:
        return str(result.output) + str(result.stderr)
    except ValueError:
        return str(result.output)


@pytest.fixture(scope="module")
def indexed(cloud: DevCluster, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small corpus indexed into the secured collection through the CLI, as the admin; the index folder."""
    folder = tmp_path_factory.mktemp("secured-index")
    env = env_of(cloud, folder / "index", ADMIN)
    runner = CliRunner()
    result = runner.invoke(main, ["solr", "init"], env=env)
    assert result.exit_code == 0 and "Created collection secured" in result.output, said(result)
    result = runner.invoke(main, ["index", str(write_jsonl(folder / "corpus.jsonl", CORPUS))], env=env)
    assert result.exit_code == 0, said(result)
    return folder / "index"


def test_solrs_own_password_hash_is_made_as_solr_makes_it() -> None:
    # The example of Solr's reference guide (Basic Authentication Plugin): user solr, password SolrRocks.
    salt = base64.b64decode("Ndd7LKvVBAaZIF0QAVi1ekCfAJXr1GGfLtRUXhgrF8c=")
    assert solr_password_hash("SolrRocks", salt) == (
        "IV0EHq1OnNrj6gvRCwvFwTrZ1+z1oBbnQdiVC3otuq0= Ndd7LKvVBAaZIF0QAVi1ekCfAJXr1GGfLtRUXhgrF8c=")


def test_with_the_credentials_everything_works(cloud: DevCluster, indexed: Path) -> None:
    result = CliRunner().invoke(main, ["search", "storm", "--json"], env=env_of(cloud, indexed, ADMIN))
    assert result.exit_code == 0, said(result)
    assert json.loads(result.output)["total"] > 0

    backend = SolrBackend(indexed, SolrClient(cloud.node_urls, COLLECTION, ADMIN, timeout=10))
    client = create_app(APP, backend=backend).test_client()
    api = client.get("/api/search?q=storm")
    assert api.status_code == 200 and api.get_json()["total"] == backend.search(Search(query="storm")).total > 0
    assert client.get("/?q=storm").status_code == 200
    assert client.get(f"/api/articles/{CORPUS[0]['id']}").status_code == 200


@pytest.mark.parametrize("user", [None, (ADMIN[0], "wrong")], ids=["no-credentials", "wrong-password"])
def test_without_good_credentials_the_settings_to_fix_are_named(
        cloud: DevCluster, indexed: Path, user: tuple[str, str] | None) -> None:
    wanted = "asks for a user name and password" if user is None else f"refused user '{ADMIN[0]}'"
    result = CliRunner().invoke(main, ["search", "storm"], env=env_of(cloud, indexed, user))
    assert result.exit_code == 1
    assert wanted in said(result) and "NEWSARCHIVE_SOLR_USER" in said(result) and "HTTP 401" in said(result)

    backend = SolrBackend(indexed, SolrClient(cloud.node_urls, COLLECTION, user, timeout=10))
    with pytest.raises(BackendUnavailableError, match=wanted):
        backend.search(Search(query="storm"))
    client = create_app(APP, backend=backend).test_client()
    api = client.get("/api/search?q=storm")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "unavailable" and wanted in api.get_json()["error"]["message"]
    page = client.get("/?q=storm")
    assert page.status_code == 503 and "NEWSARCHIVE_SOLR_PASSWORD" in page.get_data(as_text=True)

    result = CliRunner().invoke(main, ["solr", "init"], env=env_of(cloud, indexed, user))
    assert result.exit_code == 1 and wanted in said(result)


def test_a_read_only_user_searches_and_may_not_write(cloud: DevCluster, indexed: Path, tmp_path: Path) -> None:
    env = env_of(cloud, indexed, READER)
    runner = CliRunner()
    result = runner.invoke(main, ["search", "storm", "--json"], env=env)
    assert result.exit_code == 0, said(result)
    found = json.loads(result.output)["total"]
    assert found > 0

    backend = SolrBackend(indexed, SolrClient(cloud.node_urls, COLLECTION, READER, timeout=10))
    client = create_app(APP, backend=backend).test_client()
    for url in ("/", "/?q=storm", "/api/search?q=storm", f"/articles/{CORPUS[0]['id']}", "/export.csv?q=storm",
                "/cite?q=storm", "/export.ris?q=storm"):
        assert client.get(url).status_code == 200, url
    stats = client.get("/api/stats").get_json()
    assert stats["documents"] == len(CORPUS) and stats["segments"] is None and stats["shards"] == 1
    assert stats["index"]["articles"] == len(CORPUS) and stats["index"]["backend"] == "solr"  # read with one /select
    result = runner.invoke(main, ["stats"], env=env)
    assert result.exit_code == 0 and "segments unknown (the Solr user may not read core status)" in result.output
    result = runner.invoke(main, ["check"], env=env)  # check reads the cluster's state: an admin's right
    assert result.exit_code == 1 and "may not do this (/admin/collections" in said(result)

    more = [{**CORPUS[0], "id": "new-1", "title": "A storm nobody may index"}]
    result = runner.invoke(main, ["index", str(write_jsonl(tmp_path / "more.jsonl", more))], env=env)
    assert result.exit_code == 1
    assert f"the Solr user '{READER[0]}' may not do this" in said(result) and "HTTP 403" in said(result)
    result = runner.invoke(main, ["delete", str(CORPUS[0]["id"])], env=env)
    assert result.exit_code == 1 and "may not do this" in said(result)

    admin = SolrBackend(indexed, SolrClient(cloud.node_urls, COLLECTION, ADMIN, timeout=10))
    assert admin.search(Search(query="storm")).total == found  # nothing written, nothing deleted
    assert admin.article_count() == len(CORPUS)


def test_dev_cluster_secured_needs_the_user_and_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["solr", "dev-cluster", str(tmp_path / "cloud"), "--secured"],
                                env={"NEWSARCHIVE_SOLR_USER": "", "NEWSARCHIVE_SOLR_PASSWORD": ""})
    assert result.exit_code == 2
    assert "NEWSARCHIVE_SOLR_USER and NEWSARCHIVE_SOLR_PASSWORD" in said(result)
    assert not (tmp_path / "cloud").exists()

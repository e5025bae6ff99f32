"""`newsarchive solr ...`: SolrCloud tools. `solr dev-cluster` runs a local SolrCloud in the foreground.

The cluster library (indexer.solr.devcluster) is imported inside the command, so `newsarchive` loads nothing of
Solr's until this command runs.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from indexer.backend import open_backend
from indexer.build import DEFAULT_BATCH_SIZE
from indexer.errors import NewsArchiveError
from indexer.settings import BACKEND, INDEX, SOLR_PASSWORD, SOLR_SETTINGS, SOLR_URL, SOLR_USER, read_settings

if TYPE_CHECKING:
    from indexer.solr.devcluster import DevCluster


class _Stop(Exception):
    """SIGTERM arrived: stop the cluster as for Ctrl-C."""


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    # A second Ctrl-C or SIGTERM while the nodes stop would leave them half stopped: the first one is enough.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


@click.group("solr")
def solr() -> None:
    """SolrCloud: create the collection, import a Whoosh archive, run a local cluster to develop on."""


@solr.command("init")
@click.option("--shards", type=click.IntRange(1, 1024), default=1, show_default=True,
              help="Shards the collection is split into (one or more per node).")
@click.option("--replicas", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Copies of each shard (on different nodes: a node can fail).")
def init_command(shards: int, replicas: int) -> None:
    """Upload the configset and create the collection (NEWSARCHIVE_SOLR_URL, NEWSARCHIVE_SOLR_COLLECTION)."""
    from indexer.solr.client import client_of
    from indexer.solr.provision import init_collection

    try:
        client = client_of(read_settings(SOLR_SETTINGS))
        click.echo(init_collection(client.urls, client.collection, shards, replicas, client=client))
    except NewsArchiveError as err:
        raise click.ClickException(str(err)) from err


@solr.command("import")
@click.option("--from-index", "source", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The Whoosh index folder to copy from.")
@click.option("--index", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"The Solr backend's folder (manifest, run lock) [default: ${INDEX.env} or ./{INDEX.default}].")
@click.option("--batch-size", type=click.IntRange(1), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Articles per commit: an interrupted import resumes after the last one.")
def import_command(source: Path, folder: Path | None, batch_size: int) -> None:
    """Copy every article of a Whoosh index into the Solr collection; run again to resume."""
    from indexer.transfer import transfer

    try:
        whoosh = open_backend("whoosh", source)
        solr_backend = open_backend("solr", folder)
        try:
            report = transfer(whoosh, solr_backend, batch_size,
                              progress=lambda done, total: click.echo(f"  {done:,} of {total:,}", err=True))
        finally:
            whoosh.close()
            solr_backend.close()
    except NewsArchiveError as err:
        raise click.ClickException(str(err)) from err
    resumed = f" (resumed after {report.resumed_after:,})" if report.resumed_after else ""
    click.echo(f"Imported {report.copied:,} of {report.total:,} articles from {source}{resumed} "
               f"in {report.seconds:.1f} s.")


@solr.command("dev-cluster")
@click.argument("directory", metavar="DIR", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--nodes", type=click.IntRange(1, 9), default=2, show_default=True, help="Solr nodes (one JVM each).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the cluster's addresses and PIDs here [default: DIR/cluster.json].")
@click.option("--secured", is_flag=True,
              help=f"Require basic authentication, as production clusters do: {SOLR_USER.env} and "
                   f"{SOLR_PASSWORD.env} become its admin user; every other request is refused.")
@click.option("--build-only", is_flag=True, help="Only build the Java launcher with Maven (no DIR needed).")
def dev_cluster_command(directory: Path | None, nodes: int, json_file: Path | None, secured: bool,
                        build_only: bool) -> None:
    """Run ZooKeeper and N Solr nodes on 127.0.0.1 in DIR until Ctrl-C or SIGTERM."""
    from indexer.solr import devcluster  # here, not at the top: only this command needs it

    try:
        if build_only:
            began = time.monotonic()
            devcluster.build()
            click.echo(f"Built the local SolrCloud launcher in {devcluster.build_folder()} "
                       f"({time.monotonic() - began:.1f} s)")
            return
        if directory is None:
            raise click.UsageError("DIR is required (the folder the cluster's data and logs go in)")
        ports = _earlier_ports(directory, json_file, nodes)
        auth = _admin_user() if secured else None
        devcluster.require_tools()
        _run(devcluster.DevCluster(directory, nodes, json_file=json_file, auth=auth, **ports))
    except NewsArchiveError as err:
        raise click.ClickException(str(err)) from err


def _admin_user() -> tuple[str, str]:
    settings = read_settings((SOLR_USER, SOLR_PASSWORD))
    user, password = str(settings["SOLR_USER"]), str(settings["SOLR_PASSWORD"])
    if not user or not password:
        raise click.UsageError(f"--secured takes the admin user from {SOLR_USER.env} and {SOLR_PASSWORD.env}: "
                               "set both")
    return user, password


def _earlier_ports(directory: Path, json_file: Path | None, nodes: int) -> dict[str, Any]:
    """The ports of the cluster DIR held before, so that it comes back with its collections; none for a new DIR."""
    from indexer.solr.devcluster import ClusterError, ClusterInfo, alive

    state = json_file or directory / "cluster.json"
    if not state.is_file():
        return {}
    earlier = ClusterInfo.read(state)
    if alive(earlier.supervisor_pid):
        raise ClusterError(f"a cluster already runs in {directory} (supervisor PID {earlier.supervisor_pid})")
    if len(earlier.nodes) != nodes:
        raise ClusterError(f"{directory} holds a cluster of {len(earlier.nodes)} node(s), not {nodes}: "
                           f"pass --nodes {len(earlier.nodes)}, or a new DIR")
    return {"zk_port": earlier.ports[0], "node_ports": earlier.ports[1:]}


def _run(cluster: DevCluster) -> None:
    """Start the cluster, say how to use it, and stop it on Ctrl-C or SIGTERM (by its PIDs) or when it dies."""
    try:
        with _stop_on_sigterm():
            click.echo(f"Starting ZooKeeper and {cluster.nodes} Solr node(s) in {cluster.base_dir} ...", err=True)
            cluster.start()
            cluster.wait_for_active()
            _describe(cluster)
            while cluster.running():
                time.sleep(0.5)
        raise click.ClickException(f"the cluster stopped by itself: see {cluster.log_file}")
    except (KeyboardInterrupt, _Stop):
        click.echo("Stopping the cluster ...", err=True)
    finally:
        with _uninterrupted():
            cluster.stop()
    click.echo("Stopped.", err=True)


def _describe(cluster: DevCluster) -> None:
    info = cluster.info
    click.echo(f"ZooKeeper: {info.zk_host}")
    for node in info.nodes:
        click.echo(f"node {node.index}: {node.url} (pid {node.pid}, log {node.log})")
    click.echo(f"Up in {cluster.startup_seconds:.1f} s; addresses and PIDs in {cluster.json_file}. To use it:")
    user = f" {SOLR_USER.env}={cluster.auth[0]} {SOLR_PASSWORD.env}=..." if cluster.auth else ""
    click.echo(f"export {BACKEND.env}=solr {SOLR_URL.env}={','.join(info.node_urls)}{user}")
    click.echo("Ctrl-C (or SIGTERM) stops every node, then ZooKeeper.")

"""Building the cluster's Java launcher with Maven, outside the installed package (which may be read-only).

The Maven project (`java-launcher/`: pom.xml, LocalSolrCloud.java, solr.xml, log4j2.xml) ships as package data. It is
copied into a build folder named after a digest of its files, under the user's cache folder, and built there; its
artifacts come from Maven Central once and stay in Maven's own cache (~/.m2). A build whose class path still resolves
is reused, so only the first run of a given launcher pays for Maven.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from indexer.errors import NewsArchiveError

LAUNCHER = Path(__file__).resolve().parent / "java-launcher"  # not a Python name: setuptools sees no package in it
MAIN_CLASS = "newsarchive.solrcloud.LocalSolrCloud"
TOOLS = ("java", "mvn")
MAVEN_COMMAND = ("mvn", "-q", "-B", "compile", "dependency:build-classpath")


class ClusterError(NewsArchiveError):
    """The local SolrCloud could not be built or started, or a node did not do what it was told."""


def tools_missing() -> list[str]:
    """Return the tools a local SolrCloud needs that are not on PATH (java, mvn)."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def require_tools() -> None:
    """Raise ClusterError, with what to install, unless java and mvn are on PATH."""
    missing = tools_missing()
    if missing:
        raise ClusterError(
            f"{' and '.join(missing)} not found on PATH: the local SolrCloud needs Java 17 or newer and Maven 3 "
            "(on Debian: apt-get install openjdk-17-jdk-headless maven)"
        )


def cache_root() -> Path:
    """Return newsarchive's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsarchive"


def _sources() -> list[Path]:
    return sorted(path for path in LAUNCHER.rglob("*") if path.is_file())


def launcher_digest() -> str:
    """Return a digest of the launcher's files: a new launcher gets a build folder of its own."""
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(path.relative_to(LAUNCHER).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_folder(root: Path | None = None) -> Path:
    """Return the folder the launcher is built in: ROOT (default: the cache) / solr-devcluster-DIGEST."""
    return (cache_root() if root is None else root) / f"solr-devcluster-{launcher_digest()}"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    # Parallel test workers may build at once: one builds, the others wait and reuse its build.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _built_classpath(folder: Path) -> str | None:
    classpath_file, classes = folder / "classpath.txt", folder / "project" / "target" / "classes"
    if not (classpath_file.is_file() and classes.is_dir()):
        return None
    jars = classpath_file.read_text(encoding="utf-8").strip().split(os.pathsep)
    if not all(os.path.exists(jar) for jar in jars):  # ~/.m2 was cleaned: resolve again
        return None
    return os.pathsep.join([str(classes), *jars])


def build(*, root: Path | None = None, force: bool = False, log: IO[str] | None = None) -> str:
    """Build the launcher if needed (Maven; artifacts cached in ~/.m2) and return its Java class path."""
    require_tools()
    folder = build_folder(root)
    with _locked(folder.with_name(folder.name + ".lock")):
        classpath = None if force else _built_classpath(folder)
        if classpath is not None:
            return classpath
        project = folder / "project"
        shutil.rmtree(project, ignore_errors=True)
        shutil.copytree(LAUNCHER, project)
        command = [*MAVEN_COMMAND, f"-Dmdep.outputFile={folder / 'classpath.txt'}"]
        done = subprocess.run(
            command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
        )
        if log is not None:
            log.write(done.stdout)
        if done.returncode != 0:
            raise ClusterError(f"{' '.join(command)} failed in {project} ({done.returncode}):\n{done.stdout[-4000:]}")
        classpath = _built_classpath(folder)
        if classpath is None:
            raise ClusterError(f"Maven built nothing usable in {project}:\n{done.stdout[-4000:]}")
        return classpath

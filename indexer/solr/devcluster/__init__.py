"""A local SolrCloud to develop and test on: ZooKeeper and N Solr nodes on 127.0.0.1, one JVM each, from Maven Central.

    cluster = DevCluster(Path("cloud"), nodes=2).start()   # builds with Maven once (jars cached in ~/.m2)
    cluster.node_urls                                      # ['http://127.0.0.1:PORT/solr', ...]
    cluster.stop_node(2); cluster.start_node(2)
    cluster.stop()

`newsarchive solr dev-cluster DIR` runs one in the foreground. Standard library only: importing this loads no engine.
"""

from __future__ import annotations

from .build import ClusterError, build, build_folder, require_tools, tools_missing
from .cluster import ClusterInfo, DevCluster, Node, alive, stop_pids

__all__ = [
    "ClusterError", "ClusterInfo", "DevCluster", "Node", "alive", "build", "build_folder", "require_tools",
    "stop_pids", "tools_missing",
]

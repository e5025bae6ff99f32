#!/usr/bin/env bash
# Start a local SolrCloud (embedded ZooKeeper + N Solr nodes, one JVM each, all on 127.0.0.1) in the foreground.
#   tests/solrcloud/run.sh [--nodes N] [--json FILE] [--base-dir DIR] [--node-heap 512m] [--zk-port P] [--ports P1,P2]
#                          [--default-confdir DIR]
# Builds first with Maven (artifacts from Maven Central, cached in ~/.m2; skipped while target/ is up to date).
# Prints EVENT lines and "READY ..." once every node answers (the JSON file then holds the ZooKeeper address, each
# node's base URL and PID). Lines on stdin control it: stop I, kill I, start I, status, quit. SIGTERM (or Ctrl-C)
# stops every node, then ZooKeeper. SOLR_SUPERVISOR_OPTS adds JVM options to the supervisor; LOCAL_SOLRCLOUD_NODE_OPTS
# to each node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp_file="$here/target/classpath.txt"

stale=1
if [[ -f "$cp_file" && -d "$here/target/classes" ]] \
   && [[ -z "$(find "$here/pom.xml" "$here/src" -newer "$cp_file" -print -quit)" ]]; then
  stale=0
  IFS=: read -r -a jars < "$cp_file" || true  # (no newline at its end)
  for jar in "${jars[@]}"; do [[ -e "$jar" ]] || stale=1; done
fi
if (( stale )); then
  (cd "$here" && mvn -q -B compile dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2)
  touch "$cp_file"
fi

# shellcheck disable=SC2086
exec java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true \
  -Dzookeeper.admin.enableServer=false ${SOLR_SUPERVISOR_OPTS:-} \
  -cp "$here/target/classes:$(cat "$cp_file")" newsarchive.solrcloud.LocalSolrCloud "$@"

#!/usr/bin/env bash
# Merger benchmark (bench/README.md): full merge of recorded snapshot b (all sources scraped from
# the replay server into a fresh database first), peak heap, and title matching of every site against the
# word-index matcher as a baseline, interleaved in the same run (-Dbench.rounds, default 5; the medians and their
# ratio are printed). Needs the local PostgreSQL and a recorded upstream (docs/upstream-snapshots.md), read from
# ../shared/upstream.
# The JVM gets -Xmx1g, so a peak above 1 GiB fails the run. Usage: bench/merger.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)"
fi
export JAVA_HOME
# The bench is a system test (moe.ids.system.MergerBench): it scrapes with the scraper, then merges.
mvn -B -q -pl system-tests -am install -DskipTests
mvn -B -q -pl system-tests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
# The replay server does not check the Kaize login: placeholders let the recorded Kaize pages in.
export KAIZE_EMAIL="${KAIZE_EMAIL:-bench@ids.moe.invalid}" KAIZE_PASSWORD="${KAIZE_PASSWORD:-bench}"
cp="system-tests/target/test-classes:$(cat system-tests/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" -Xmx1g --enable-native-access=ALL-UNNAMED -cp "$cp" \
  -Dids.moe.upstream="$(pwd)/../shared/upstream" \
  -Djava.util.logging.config.file=/dev/null moe.ids.system.MergerBench "$@"

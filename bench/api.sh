#!/usr/bin/env bash
# API benchmark (bench/README.md): loads ~35k synthetic entries through the ingestor's writer (RedisStore) into a
# private key prefix, warms every route twice (~25 s), then on loopback in ONE run (~3 min): redis-benchmark -t get -c 64, and
# three rounds of wrk -c 64 on the static /robots.txt (baseline), on 1,000 hot IDs (near cache on) and on uniformly
# random IDs over every mapping key (near cache off), closed by one more static run.
# Prints every rate and p50/p99, each round's ratios (against the mean of the static runs before and after it), and
# judges the goals on the medians over the rounds (-Dbench.rounds=N in BENCH_OPTS; 1 = a single pass).
# Needs wrk (apt-get install -y wrk) and the local Redis (TEST_REDIS_URL overrides).
# Usage: [WRK_THREADS=1] [BENCH_OPTS=-D…] bench/api.sh [entries, default 35000] [seconds per run, default 10]
# BENCH_OPTS adds JVM options, e.g. -Dids.test.bucket-fields=64,32 (load the bucketed Redis layout instead of one hash
# per tier) or -Dbench.only=random (one phase; see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)"
fi
export JAVA_HOME
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
mvn -B -q -pl services/api -am install -DskipTests
mvn -B -q -pl services/api test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cp="services/api/target/test-classes:services/api/target/classes:$(cat services/api/target/bench.classpath)"
# shellcheck disable=SC2086 # BENCH_OPTS is a list of options
exec "$JAVA_HOME/bin/java" -Xmx1g -XX:+UseParallelGC -Dbench.wrkThreads="${WRK_THREADS:-1}" ${BENCH_OPTS:-} -cp "$cp" \
  -Djava.util.logging.config.file=/dev/null moe.ids.api.ApiBench "$@"

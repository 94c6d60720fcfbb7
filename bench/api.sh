#!/usr/bin/env bash
# API benchmark (bench/README.md): loads ~35k synthetic entries through the ingestor's writer (RedisStore) into a
# private key prefix, starts the built API jar as processes of their own on loopback in two JVM configurations
# (unconstrained: the flags the bench ran the API with before; small: the chart's settings), each once with the near
# cache on and once off, warms every route twice and fills each near cache (~1 min), then in ONE run (~6 min):
# redis-benchmark -t get -c 64, and three rounds of wrk -c 64, per configuration (their order alternating), on the
# static /robots.txt (baseline), on 1,000 hot IDs (near cache on) and on uniformly random IDs over every mapping key
# (near cache off), closed by one more static run of each.
# Prints every rate, p50/p99 and the resident memory of the process under test (VmRSS sampled during the run,
# VmHWM), each round's ratios (rates and p99s against the mean of the static runs before and after it;
# small/unconstrained), and judges the goals on the medians over the rounds (-Dbench.rounds=N in BENCH_OPTS).
# Needs wrk (apt-get install -y wrk) and the local Redis (TEST_REDIS_URL overrides).
# Usage: [WRK_THREADS=1] [SMALL_JVM="-Xmx… …"|none] [UNCONSTRAINED_JVM="…"] [BENCH_OPTS=-D…] bench/api.sh [entries,
# default 35000] [seconds per run, default 10]
# SMALL_JVM / UNCONSTRAINED_JVM replace a configuration's JVM flags (SMALL_JVM=none runs the unconstrained one only).
# BENCH_OPTS adds options of the bench's JVM, e.g. -Dids.test.bucket-fields=64,32 (load the bucketed Redis layout
# instead of one hash per tier) or -Dbench.only=random (one phase; see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)"
fi
export JAVA_HOME
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
# install: the second Maven call (one module) resolves the API's sibling modules from the local repository; the
# package phase also builds the jar the API processes run (services/api/target/ids-moe-api.jar with libs/)
mvn -B -q -pl services/api -am install -DskipTests
mvn -B -q -pl services/api test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cp="services/api/target/test-classes:services/api/target/classes:$(cat services/api/target/bench.classpath)"
jvms=()
[ -n "${SMALL_JVM:-}" ] && jvms+=("-Dbench.small-jvm=$SMALL_JVM")
[ -n "${UNCONSTRAINED_JVM:-}" ] && jvms+=("-Dbench.unconstrained-jvm=$UNCONSTRAINED_JVM")
# shellcheck disable=SC2086 # BENCH_OPTS is a list of options
exec "$JAVA_HOME/bin/java" -Xmx1g -XX:+UseParallelGC -Dbench.wrkThreads="${WRK_THREADS:-1}" ${jvms[@]+"${jvms[@]}"} ${BENCH_OPTS:-} \
  -cp "$cp" -Djava.util.logging.config.file=/dev/null moe.ids.api.ApiBench "$@"

#!/usr/bin/env bash
# Ingestor benchmark (bench/README.md): full load of synthetic snapshot b vs raw pipelined SETs of the
# same keys, incremental a→b, used_memory of both layouts, MULTI/EXEC stall. Needs the local PostgreSQL and Redis
# (TEST_DATABASE_URL, TEST_REDIS_URL override). Usage: bench/ingestor.sh [entries, default 35000]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)"
fi
export JAVA_HOME
mvn -B -q -pl services/ingestor -am install -DskipTests
mvn -B -q -pl services/ingestor test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cp="services/ingestor/target/test-classes:services/ingestor/target/classes:$(cat services/ingestor/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" -Xmx1g -cp "$cp" \
  -Djava.util.logging.config.file=/dev/null moe.ids.ingestor.IngestorBench "$@"

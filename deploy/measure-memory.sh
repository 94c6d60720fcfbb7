#!/usr/bin/env bash
# Peak resident memory (VmHWM) of each JVM of one full refresh, run as the images run it (-XX:MaxRAMPercentage=75
# -XX:+ExitOnOutOfMemoryError) with -XX:MaxRAM at the chart's memory limit, as a container limit would set it.
# The figures behind the resources in charts/ids-moe/values.yaml:
#
#   deploy/measure-memory.sh --mirror DIR      # DIR: a recorded upstream snapshot (with index.tsv), e.g. from
#                                              # `bin/ids-moe fixture OUT` (OUT/b): small, or a full recording
#
# Each scraper source runs in a JVM of its own (one Job pod per source); then the merge (the merger's `refresh` of
# the smallest source, unchanged, once every source is scraped: what is left is the merge of all of them, as the
# Refresh controller runs it), the ingestor's first full sync into Redis and the refresh trigger. Uses PostgreSQL
# and Redis on 127.0.0.1 (DATABASE_URL's server, a database of its own that it drops again; REDIS_URL with a key
# prefix of its own that it deletes again) and a free port for the replay server.
# Limits: SCRAPER_LIMIT (512m), MERGER_LIMIT (1g), INGESTOR_LIMIT (512m), TRIGGER_LIMIT (256m).
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=""
while [ $# -gt 0 ]; do
  case "$1" in
    --mirror) mirror="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "usage: $0 --mirror DIR" >&2; exit 64 ;;
  esac
done
[ -f "$mirror/index.tsv" ] || { echo "--mirror DIR: a recorded upstream snapshot with index.tsv" >&2; exit 64; }
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
for m in replay scraper merger ingestor; do
  [ -f "services/$m/target/ids-moe-$m.jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
done

tag="measure$$"
server="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export DATABASE_URL="${server%/*}/ids_moe_$tag"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}" REDIS_PREFIX="$tag:"
export KAIZE_EMAIL=mirror@ids.moe.invalid KAIZE_PASSWORD=mirror   # the replay server takes any login
work="$(mktemp -d)"
port=""
for _ in $(seq 1 50); do
  p=$(( 20000 + RANDOM % 20000 ))
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { port=$p; break; }
done
[ -n "$port" ] || { echo "no free port" >&2; exit 1; }
"$JAVA" -jar services/replay/target/ids-moe-replay.jar --mirror "$mirror" --port "$port" >"$work/replay.log" 2>&1 &
replay=$!
cleanup() {
  kill "$replay" 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS ids_moe_$tag WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 --scan --pattern "$tag:*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.5; done
export UPSTREAM_MIRROR="http://127.0.0.1:$port"

# run LABEL LIMIT ARGS...: the JVM's peak VmHWM (polled every 0.1 s) and the largest heap left after a GC
run() {
  local label="$1" limit="$2"; shift 2
  "$JAVA" -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:MaxRAM="$limit" --enable-native-access=ALL-UNNAMED \
    -Xlog:gc:file="$work/gc.log" "$@" >"$work/out.log" 2>&1 &
  local pid=$! hwm=0 v rc=0
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || true); [ -n "$v" ] && hwm=$v
    sleep 0.1
  done
  wait "$pid" || rc=$?
  local live
  live=$(grep -oE -- '->[0-9]+M' "$work/gc.log" | tr -d '>M-' | sort -n | tail -1)
  printf '%-28s limit %-5s exit %-3s peak %4d MiB resident, heap after GC <= %s MB\n' \
    "$label" "$limit" "$rc" "$((hwm / 1024))" "${live:-?}"
}

sources="anitrakt-movies anitrakt-tv aod arm fribb kaize kaize-manual nautiljon otakotaku otakotaku-manual silveryasha
silveryasha-manual"
for s in $sources; do
  run "scraper $s" "${SCRAPER_LIMIT:-512m}" -jar services/scraper/target/ids-moe-scraper.jar run --source "$s"
done
# every source is scraped: re-scraping the smallest one (unchanged) leaves the merge of all of them
run "merger (merge)" "${MERGER_LIMIT:-1g}" -jar services/merger/target/ids-moe-merger.jar refresh --source anitrakt-movies
run "ingestor (first sync)" "${INGESTOR_LIMIT:-512m}" -jar services/ingestor/target/ids-moe-ingestor.jar sync
# the CronJob's pod builds a Refresh and posts it; with no API server here it stops at the post (exit 1)
POD_NAMESPACE="$tag" run "refresh trigger (no API)" "${TRIGGER_LIMIT:-256m}" -Dkubernetes.master=https://127.0.0.1:1 \
  -Dkubernetes.request.retry.backoffLimit=0 -Dkubernetes.auth.tryKubeConfig=false \
  -jar services/merger/target/ids-moe-merger.jar refresh create
echo "redis: $(redis-cli -h 127.0.0.1 --scan --pattern "$tag:*" | while read -r k; do redis-cli -h 127.0.0.1 memory usage "$k" samples 0; done \
  | awk '{s+=$1} END {printf "%.0f MiB", s/1048576}') under the key prefix"
echo "postgresql: $(psql -h 127.0.0.1 -U postgres -d postgres -Atc "SELECT pg_size_pretty(pg_database_size('ids_moe_$tag'))") database"

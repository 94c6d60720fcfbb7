#!/usr/bin/env bash
# Start-up bench (bench/README.md): time from process start to the first 200 — a lookup on the API
# (/api/v2/ids?source=myanimelist&id=1), readiness on the ingestor (/observe/health/ready) — with and without the
# JDK's ahead-of-time cache, interleaved in one run (ROUNDS rounds, default 5; medians and their ratio printed).
# The baseline is the same jar started the way it was before the cache existed. BASE=<commit> adds a third
# configuration, interleaved with the other two: that commit's jars (built in a temporary worktree), started as they
# were then, without a cache — "today's" start-up when a goal was set against a commit.
#
# Setup: the synthetic upstream refreshed into a database and Redis key prefix of the bench's own (dropped at the
# end), so both services find a dataset. The cache is trained as bin/ids-moe trains it (docker/aot-train with
# the service's own command); AOT_TRAIN_STORES=none trains it with no database or Redis to reach, as an image build
# does. Needs the local PostgreSQL and Redis. Usage: bench/startup.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
# the launcher's helpers (free_port, drop_scratch); sourcing it also sets ROOT and picks the newest JDK (JAVA_HOME, PATH)
# shellcheck source=../bin/ids-moe
source bin/ids-moe
java="$JAVA_HOME/bin/java"
mvn -B -q -DskipTests package

tag="bstart$$"
work="$(mktemp -d)"
base_db="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ids_moe}"
export DATABASE_URL="${base_db%/*}/ids_moe_$tag" REDIS_PREFIX="$tag:" IDS_MOE_RUN="$work/run"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
base_tree="$work/base"
cleanup() {
  pkill -f "ids-moe-bench-$tag" 2>/dev/null || true
  drop_scratch "$tag"
  if [ -d "$base_tree" ]; then
    git worktree remove --force "$base_tree" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ -n "${BASE:-}" ]; then
  git worktree add -q --detach "$base_tree" "$BASE"
  (cd "$base_tree" && mvn -B -q -DskipTests package) || { echo "bench: $BASE does not build" >&2; exit 1; }
fi
bin/ids-moe fixture "$work/upstream" >/dev/null 2>&1
bin/ids-moe refresh --mirror "$work/upstream/b" --source aod --source arm --source anitrakt-tv \
  --source anitrakt-movies --source fribb >"$work/refresh.log" 2>&1 || { tail -20 "$work/refresh.log"; exit 1; }

# command SVC PORT [TREE]: the service's command line, as bin/ids-moe serve starts it (the marker names the process);
# TREE is the checkout whose jar runs (default this one).
command_of() {
  echo "$java --enable-native-access=ALL-UNNAMED -Dids-moe-bench-$tag -Dserver.host=127.0.0.1 -Dserver.port=$2" \
    "-Dserver.observe-port=-1 -jar ${3:-$ROOT}/services/$1/target/ids-moe-$1.jar"
}
path_of() {
  case "$1" in
    api) echo "/api/v2/ids?source=myanimelist&id=1" ;;
    ingestor) echo "/observe/health/ready" ;;
  esac
}

# code_of PORT PATH sets CODE to the HTTP status of a GET (000 when nothing answers), through bash's own /dev/tcp:
# no process per try. Polling with a curl every 10 ms took a good part of a core from the process being timed, on
# both sides of the ratio.
code_of() {
  local line=""
  CODE=000
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
  IFS= read -r -t 5 line <&3 || true
  exec 3<&- 3>&-
  line="${line#HTTP/1.? }"
  CODE="${line:0:3}"
}

# time_to_200 SVC [JVM FLAG] [TREE]: milliseconds from launch to the first 200 on the service's path.
time_to_200() {
  local svc="$1" flag="${2:-}" tree="${3:-}" port start pid ms cmd path t
  port="$(free_port)"
  path="$(path_of "$svc")"
  read -r -a cmd <<<"$(command_of "$svc" "$port" "$tree")"
  start="${EPOCHREALTIME/[.,]/}"
  if [ -n "$flag" ]; then
    "${cmd[0]}" "$flag" "${cmd[@]:1}" >"$work/$svc.log" 2>&1 &
  else
    "${cmd[@]}" >"$work/$svc.log" 2>&1 &
  fi
  pid=$!
  ms=""
  for _ in $(seq 1 3000); do
    code_of "$port" "$path"
    if [ "$CODE" = 200 ]; then
      t="${EPOCHREALTIME/[.,]/}"
      ms=$(( (t - start) / 1000 ))
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -n "$ms" ] || { echo "bench: $svc never answered 200; its log:" >&2; tail -20 "$work/$svc.log" >&2; exit 1; }
  echo "$ms"
}

median() { tr ' ' '\n' <<<"$*" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for svc in api ingestor; do
  port="$(free_port)"
  read -r -a cmd <<<"$(command_of "$svc" "$port")"
  if [ "${AOT_TRAIN_STORES:-}" = none ]; then
    DATABASE_URL="postgres://postgres@127.0.0.1:1/none" REDIS_URL="redis://127.0.0.1:1/0" \
      docker/aot-train "$work/$svc.aot" "http://127.0.0.1:$port$(path_of "$svc")" -- "${cmd[@]}" 2>"$work/train-$svc.log" >/dev/null
  else
    docker/aot-train "$work/$svc.aot" "http://127.0.0.1:$port$(path_of "$svc")" -- "${cmd[@]}" 2>"$work/train-$svc.log" >/dev/null
  fi
  grep '^aot-train' "$work/train-$svc.log" >&2 || true
done

declare -A plain cached based
for r in $(seq 1 "$rounds"); do
  for svc in api ingestor; do
    # the order turns each round, so that no configuration always runs first
    for which in $(if [ $((r % 2)) = 1 ]; then echo base plain cached; else echo cached plain base; fi); do
      case "$which" in
        plain) plain[$svc]="${plain[$svc]:-} $(time_to_200 "$svc")" ;;
        cached) cached[$svc]="${cached[$svc]:-} $(time_to_200 "$svc" "-XX:AOTCache=$work/$svc.aot")" ;;
        base) [ -z "${BASE:-}" ] || based[$svc]="${based[$svc]:-} $(time_to_200 "$svc" "" "$base_tree")" ;;
      esac
    done
  done
  echo "round $r: api ${plain[api]##* } / ${cached[api]##* } ms, ingestor ${plain[ingestor]##* } / ${cached[ingestor]##* } ms (without / with the cache)${BASE:+; $BASE: api ${based[api]##* } ms, ingestor ${based[ingestor]##* } ms}" >&2
done
for svc in api ingestor; do
  p=$(median ${plain[$svc]}); c=$(median ${cached[$svc]})
  printf '%-9s start to first 200: without cache %5d ms (%s), with cache %5d ms (%s): ratio %.2f (goal <= 0.40)\n' \
    "$svc" "$p" "$(echo ${plain[$svc]})" "$c" "$(echo ${cached[$svc]})" "$(awk -v a="$c" -v b="$p" 'BEGIN {print a / b}')"
  if [ -n "${BASE:-}" ]; then
    b=$(median ${based[$svc]})
    printf '%-9s start to first 200 of %s: %5d ms (%s); with cache now / %s: ratio %.2f (goal <= 0.40)\n' \
      "$svc" "$BASE" "$b" "$(echo ${based[$svc]})" "$BASE" "$(awk -v a="$c" -v b="$b" 'BEGIN {print a / b}')"
  fi
done

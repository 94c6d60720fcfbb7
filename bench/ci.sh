#!/usr/bin/env bash
# CI-time bench (bench/README.md): the wall time of `.ci/run` on a clean clone of HEAD against a clean clone of a
# BASE commit, interleaved on this machine (ROUNDS rounds, default 3; the order alternates between rounds), with
# the median of each and their ratio. An absolute CI time says more about the machine of the day than about the
# project; the ratio to a baseline measured in the same run does not.
#
# Usage: bench/ci.sh BASE [ROUNDS]      e.g. bench/ci.sh 553d66f 3
# Needs what .ci/run needs (JDK 21+, Maven, local PostgreSQL and Redis). Each run clones this repository afresh
# (its committed state: commit first) into a temporary directory, removed after the run; the logs of every run stay
# in the directory printed first while the bench runs, and go when it passes.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: bench/ci.sh BASE [ROUNDS]}"
rounds="${2:-3}"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bench: ROUNDS must be a positive integer" >&2; exit 2; }
repo="$(pwd)"
head_rev="$(git rev-parse --short HEAD)"
base_rev="$(git rev-parse --short "$base^{commit}")"
[ -z "$(git status --porcelain --untracked-files=no)" ] || echo "bench: uncommitted changes are not measured" >&2
work="$(mktemp -d)"
echo "bench: .ci/run on clean clones, HEAD $head_rev against BASE $base_rev, $rounds rounds (logs in $work)"
# The clones live in a temporary directory, with no ../shared beside them: point their tests at this checkout's
# recorded upstream, so that they run the recorded-data tests a CI run beside it runs (without it those are skipped,
# and the bench would time a lighter suite than CI does).
if [ -z "${IDS_MOE_UPSTREAM:-}" ] && [ -d "$repo/../shared/upstream" ]; then
  export IDS_MOE_UPSTREAM="$(cd "$repo/../shared/upstream" && pwd)"
fi
echo "bench: recorded upstream: ${IDS_MOE_UPSTREAM:-none (the recorded-data tests are skipped)}"

# run NAME REV: one .ci/run on a fresh clone at REV; prints its wall seconds (fails the bench when the run fails)
run() {
  local name="$1" rev="$2" dir="$work/$1" log="$work/$1-$3.log" start rc=0 secs
  rm -rf "$dir"
  git clone -q "$repo" "$dir"
  git -C "$dir" checkout -q "$rev"
  start=$(date +%s%N)
  (cd "$dir" && CI=true bash .ci/run) >"$log" 2>&1 || rc=$?
  secs=$(( ($(date +%s%N) - start) / 1000000000 ))
  rm -rf "$dir"
  if [ "$rc" != 0 ]; then
    echo "bench: $name ($rev) failed (exit $rc) after $secs s; its log: $log" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  echo "$secs"
}

median() { tr ' ' '\n' <<<"$*" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

heads=() bases=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="base head"; else order="head base"; fi
  for who in $order; do
    if [ "$who" = base ]; then
      s=$(run base "$base_rev" "$r"); bases+=("$s")
    else
      s=$(run head "$head_rev" "$r"); heads+=("$s")
    fi
    echo "round $r: $who $s s (load $(cut -d' ' -f1-3 /proc/loadavg))"
  done
done
mh=$(median "${heads[@]}")
mb=$(median "${bases[@]}")
echo "HEAD $head_rev: ${heads[*]} s (median $mh)"
echo "BASE $base_rev: ${bases[*]} s (median $mb)"
awk -v h="$mh" -v b="$mb" 'BEGIN { printf "ratio HEAD/BASE (medians): %.2f\n", h / b }'
rm -rf "$work"

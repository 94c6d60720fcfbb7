#!/usr/bin/env bash
# Refresh bench (bench/README.md): a refresh in which nothing changed upstream against a full refresh of the same
# upstream snapshot, measured in the same run. Each of ROUNDS rounds (default 3) runs `bin/ids-moe refresh --mirror`
# on a database and Redis key prefix of its own: first into the empty stores (the full refresh: every source
# Changed, the whole set merged, published and loaded), then again with nothing changed (every source 304 or the same
# content, the merge skipped, nothing published). It prints each round's times, the median ratio unchanged / full
# (goal <= 0.15), and where the refreshes spent their time, step by step, from the programs' logs.
#
# Under --mirror the crawled sites (Kaize, Nautiljon, Otak Otaku) ignore their re-scrape interval and are crawled
# again every time, so the second refresh crawls them and finds the same content. A nightly refresh with nothing new
# finds them within their 14-day interval instead and skips them; each round therefore also times a third refresh of
# the nine downloaded sources alone, the shape of that nightly refresh, and prints its ratio too.
#
# Upstream: the recorded snapshot ../shared/upstream/b (docs/upstream-snapshots.md); without it, the synthetic
# upstream (bin/ids-moe fixture) and its five sources. Needs the local PostgreSQL and Redis; the databases and key
# prefixes it creates are dropped at the end. Usage: bench/refresh.sh [ROUNDS]; BENCH_MIRROR=DIR replays another
# snapshot of the recorded layout (a folder without index.tsv: the synthetic upstream).
#
# BASE=<commit> adds, to each round, a full refresh run by that commit's own launcher and jars (built in a temporary
# worktree), on stores of its own, before or after this checkout's (alternating by round), and prints the ratio of
# this checkout's full refresh to it (goal <= 0.6 against the commit the refresh goals were set on).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
# the launcher's helpers (ensure_built, ensure_stores, drop_scratch); sourcing it also sets ROOT and picks the newest JDK (JAVA_HOME, PATH)
# shellcheck source=../bin/ids-moe
source bin/ids-moe
ensure_built   # before the clock runs: a refresh that had to build first would time Maven
ensure_stores

work="$(mktemp -d)"
base_db="$DATABASE_URL"
tag=""
base_tree="$work/base"
cleanup() {
  [ -z "$tag" ] || drop_scratch "$tag"
  [ -z "$tag" ] || drop_scratch "${tag}b"
  if [ -d "$base_tree" ]; then
    git worktree remove --force "$base_tree" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ -n "${BASE:-}" ]; then
  git worktree add -q --detach "$base_tree" "$BASE"
  (cd "$base_tree" && mvn -B -q -DskipTests package >/dev/null) || { echo "bench: $BASE does not build" >&2; exit 1; }
fi

mirror="${BENCH_MIRROR:-$ROOT/../shared/upstream/b}"
sources=()      # every source
downloaded=()   # the nightly shape: the crawled sites skipped
if [ -f "$mirror/index.tsv" ]; then
  for s in aod arm anitrakt-tv anitrakt-movies silveryasha fribb kaize-manual otakotaku-manual silveryasha-manual; do
    downloaded+=(--source "$s")
  done
else
  bin/ids-moe fixture "$work/upstream" >/dev/null 2>&1
  mirror="$work/upstream/b"
  for s in aod arm anitrakt-tv anitrakt-movies fribb; do sources+=(--source "$s"); done
  echo "bench: no recorded upstream at $mirror; refreshing the synthetic one (5 sources, no crawled site)" >&2
fi

# refresh LOG [--source NAME]...: one `bin/ids-moe refresh` on the round's stores; prints its wall time in ms.
# TREE=DIR runs that checkout's launcher on stores of its own (the BASE refresh).
refresh() {
  local start rc=0 log="$1" tree="${TREE:-$ROOT}" t="$tag${TREE:+b}"
  shift
  start=$(date +%s%N)
  (cd "$tree" && DATABASE_URL="${base_db%/*}/ids_moe_$t" REDIS_PREFIX="$t:" IDS_MOE_RUN="$work/run$t" \
    bin/ids-moe refresh --mirror "$mirror" "$@") >"$log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    echo "bench: refresh exited $rc; its log:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}

# steps LOG WALL_MS: where a refresh spent its time, from the timestamps of its programs' log lines. The steps start
# up side by side (each JVM boots while the one before it works, and waits for its turn), so the refresh is shown as
# a timeline from its first log line: the lock taken, the scrape's sources from its first fetch to its last result,
# the merge from its turn to its end, the sync's end; before the first line and after the last are the launcher and
# the first JVMs' boot, and the end of the last step.
steps() {
  awk -v wall="$2" '
    function t(line,   s) {   # seconds since midnight of a line "YYYY-MM-DDTHH:MM:SS.mmm LEVEL …"
      if (substr(line, 11, 1) != "T" || substr(line, 20, 1) != "." || line !~ /^[0-9]/) return -1
      s = substr(line, 12, 2) * 3600 + substr(line, 15, 2) * 60 + substr(line, 18, 6)
      if (zero >= 0 && s < zero - 43200) s += 86400
      return s
    }
    BEGIN { zero = -1 }
    {
      s = t($0); if (s < 0) next
      if (zero < 0 || s < zero) zero = s
      if ($0 ~ /RefreshLockCommand: refresh lock held/) lock = s
      else if ($0 ~ /Scraper: scraping [0-9]+ sources/) scrape = s
      else if ($0 ~ /Scraper: scrape done/) scraped = s
      else if ($0 ~ /MergeCommand: merge: sources=/) merge = s
      else if ($0 ~ /MergeCommand: merge: [0-9]+ sources/) merged = s
      else if ($0 ~ /ingestor\.Main: Redis holds version/) synced = s
      if (match($0, /SourceRunner: [a-z-]+: [A-Za-z]+, .* [0-9.]+ s — /)) {
        split(substr($0, RSTART + 14), a, ": "); src = a[1]
        n = split(substr($0, RSTART, RLENGTH), w, " "); secs = w[n - 2]
        split(a[2], r, ","); per = per sprintf(" %s %s %.1f s;", src, r[1], secs)
      }
    }
    END {
      printf "    from the first log line: lock held +%.1f s | scrape +%.1f → +%.1f s | merge +%.1f → +%.1f s | sync done +%.1f s | launcher, first boots and last exit %.1f s\n",
        lock - zero, scrape - zero, scraped - zero, merge - zero, merged - zero, synced - zero,
        wall / 1000 - (synced - zero)
      printf "    sources:%s\n", per
    }' "$1"
}

median() { tr ' ' '\n' <<<"$*" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# unchanged LOG ROUND: fails the bench unless the refresh of LOG found nothing changed and skipped the merge.
unchanged() {
  grep -q 'scrape done in .*: 0 changed' "$1" \
    || { echo "bench: round $2: a refresh found changes:" >&2; grep 'scrape done' "$1" >&2; exit 1; }
  grep -q 'merge: skipped (InputsUnchanged)' "$1" \
    || { echo "bench: round $2: a refresh did not skip the merge:" >&2; grep 'MergeService' "$1" >&2; exit 1; }
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

fulls="" agains="" ratios="" nightlies="" nratios="" bases="" bratios=""
for r in $(seq 1 "$rounds"); do
  tag="brefresh$$r$r"
  drop_scratch "$tag"
  if [ -n "${BASE:-}" ]; then
    drop_scratch "${tag}b"
    # alternating which goes first, so neither always finds the machine's caches warm
    if [ $((r % 2)) = 1 ]; then based=$(TREE="$base_tree" refresh "$work/base-$r.log" "${sources[@]}"); fi
  fi
  full=$(refresh "$work/full-$r.log" "${sources[@]}")
  if [ -n "${BASE:-}" ]; then
    if [ $((r % 2)) = 0 ]; then based=$(TREE="$base_tree" refresh "$work/base-$r.log" "${sources[@]}"); fi
    drop_scratch "${tag}b"
    bases="$bases $based" bratios="$bratios $(ratio "$full" "$based")"
    printf 'round %d: full refresh %6d ms, %s %6d ms: ratio %s\n' "$r" "$full" "$BASE" "$based" \
      "$(ratio "$full" "$based")"
  fi
  again=$(refresh "$work/again-$r.log" "${sources[@]}")
  unchanged "$work/again-$r.log" "$r"
  fulls="$fulls $full" agains="$agains $again" ratios="$ratios $(ratio "$again" "$full")"
  printf 'round %d: full refresh %6d ms, nothing changed %6d ms: ratio %s\n' "$r" "$full" "$again" \
    "$(ratio "$again" "$full")"
  if [ ${#downloaded[@]} -gt 0 ]; then
    nightly=$(refresh "$work/nightly-$r.log" "${downloaded[@]}")
    unchanged "$work/nightly-$r.log" "$r"
    nightlies="$nightlies $nightly" nratios="$nratios $(ratio "$nightly" "$full")"
    printf '         nothing changed, crawled sites within their interval (the nine downloaded sources) %6d ms: ratio %s\n' \
      "$nightly" "$(ratio "$nightly" "$full")"
  fi
  drop_scratch "$tag"
  tag=""
  echo "  full:"
  steps "$work/full-$r.log" "$full"
  echo "  nothing changed:"
  steps "$work/again-$r.log" "$again"
  if [ ${#downloaded[@]} -gt 0 ]; then
    echo "  nothing changed, nine downloaded sources:"
    steps "$work/nightly-$r.log" "$nightly"
  fi
done
printf 'median: full refresh %d ms (%s), nothing changed %d ms (%s): ratio %s (goal <= 0.15; rounds:%s)\n' \
  "$(median $fulls)" "$(echo $fulls)" "$(median $agains)" "$(echo $agains)" "$(median $ratios)" "$ratios"
if [ -n "$bases" ]; then
  printf 'median: full refresh %d ms, %s %d ms (%s): ratio %s (goal <= 0.6; rounds:%s)\n' "$(median $fulls)" \
    "$BASE" "$(median $bases)" "$(echo $bases)" "$(median $bratios)" "$bratios"
fi
if [ -n "$nightlies" ]; then
  printf 'median: nothing changed, crawled sites within their interval %d ms (%s): ratio %s (rounds:%s)\n' \
    "$(median $nightlies)" "$(echo $nightlies)" "$(median $nratios)" "$nratios"
fi

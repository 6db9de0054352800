#!/usr/bin/env bash
# Times `cronmetrics validate` and a cold reconcile (fresh database, every file
# parsed) of a generated jobs.d with COUNT files, on a release build.
#   scripts/bench-jobs.sh [COUNT]       (default 10000)
set -euo pipefail
count=${1:-10000}
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
swift build -c release --product cronmetrics >/dev/null
swift build -c release --product cronmetrics-bench >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/gen-jobs.py "$count" "$work/jobs.d"
echo "== $count job files, $(nproc) cores, release build"
hyperfine --warmup 1 --runs 10 --export-markdown "$work/validate.md" \
  "$bin/cronmetrics validate $work/jobs.d"
hyperfine --warmup 1 --runs 10 --prepare "rm -f $work/bench.db $work/bench.db-wal $work/bench.db-shm" \
  --export-markdown "$work/reconcile.md" \
  "$bin/cronmetrics-bench reconcile $work/jobs.d $work/bench.db"
echo "== phases of one cold reconcile (in-process)"
rm -f "$work"/bench.db*
"$bin/cronmetrics-bench" reconcile "$work/jobs.d" "$work/bench.db"
cat "$work/validate.md" "$work/reconcile.md"

#!/usr/bin/env bash
# Memory per job: resident size after the first scrape, on a fresh database,
# at each size, release build; the median of ROUNDS starts. Bytes per job is
# the slope between the smallest and each larger size, so what the process
# costs with no jobs is left out and a regression per job shows.
#   scripts/bench-memory.sh [--vs OLD_BIN] [--rounds N] [SIZES…]   (default 1000 100000)
# With --vs the old binary runs beside the new one, alternated, on the same trees.
set -euo pipefail
cd "$(dirname "$0")/.."
old="" rounds=3 sizes=()
while [ $# -gt 0 ]; do
  case $1 in
    --vs) old=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000)
swift build -c release --product cronmetrics >/dev/null
new="$(swift build -c release --show-bin-path)/cronmetrics"
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# one BIN TREE: prints "READY_SECONDS RSS_KB" after a start on a fresh database and one scrape.
one() {
  local bin=$1 tree=$2 port start end
  rm -f "$work"/c.db*
  port=$(free_port)
  start=$(date +%s.%N)
  CRONMETRICS_JOBS_WATCH=off CRONMETRICS_SECURITY_ADMIN_API_KEYS=bench \
    "$bin" serve --jobs-dir "$tree" --database "$work/c.db" --listen "127.0.0.1:$port" 2>>"$work/log" &
  pid=$!
  for _ in $(seq 1 6000); do curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.05; done
  end=$(date +%s.%N)
  curl -sf -o /dev/null "http://127.0.0.1:$port/metrics"
  echo "$(echo "$end - $start" | bc) $(awk '/VmRSS/{print $2}' "/proc/$pid/status")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=""
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

bins=("$new"); names=(new)
[ -n "$old" ] && { bins+=("$old"); names+=(old); }
declare -A rss ready
for size in "${sizes[@]}"; do
  python3 scripts/gen-jobs.py "$size" "$work/tree-$size"
  for round in $(seq 1 "$rounds"); do
    for i in "${!bins[@]}"; do
      read -r seconds kb < <(one "${bins[$i]}" "$work/tree-$size")
      rss[$i-$size]+="$kb "
      ready[$i-$size]+="$seconds "
    done
  done
  rm -rf "$work/tree-$size"
done
base=${sizes[0]}
printf '%-5s %9s %10s %12s %14s\n' build jobs "ready (s)" "RSS (MB)" "bytes per job"
for i in "${!bins[@]}"; do
  base_kb=$(echo "${rss[$i-$base]}" | tr ' ' '\n' | grep . | median)
  for size in "${sizes[@]}"; do
    kb=$(echo "${rss[$i-$size]}" | tr ' ' '\n' | grep . | median)
    seconds=$(echo "${ready[$i-$size]}" | tr ' ' '\n' | grep . | median)
    per="-"
    [ "$size" != "$base" ] && per=$(( (kb - base_kb) * 1024 / (size - base) ))
    printf '%-5s %9s %10.2f %12.1f %14s\n' "${names[$i]}" "$size" "$seconds" "$(echo "$kb / 1024" | bc -l)" "$per"
  done
done

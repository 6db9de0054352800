#!/usr/bin/env bash
# A notification flood: 10,000 jobs down in one tick, every event delivered to
# a local webhook receiver; delivery time, and submission p99 during the flood
# against a moment before it (same server, same run).
#   scripts/bench-notify-flood.sh [BIN] [ROUNDS]   (default: a release build, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
rounds=${2:-3}
command -v wrk >/dev/null || { apt-get update -qq; apt-get install -y -qq wrk; }
if [[ -z $bin ]]; then
  swift build -c release --product cronmetrics >/dev/null
  bin="$(swift build -c release --show-bin-path)/cronmetrics"
fi
exec python3 scripts/bench-notify-flood.py "$bin" "$rounds"

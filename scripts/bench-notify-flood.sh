#!/usr/bin/env bash
# A notification flood: 10,000 jobs down in one tick, every event delivered to
# a local webhook receiver; delivery time, and submission p99 during the flood
# against a moment before it (same server, same run).
#   scripts/bench-notify-flood.sh [BIN] [ROUNDS]   (default: a release build, 3 rounds)
set -euo pipefail
exec "$(dirname "$0")/bench-python.sh" notify-flood "${1:-}" "${2:-3}"

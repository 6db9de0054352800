#!/usr/bin/env bash
# The dashboard's two figures: the overview with 10,000 jobs (50 a page,
# filtered) rendered by the server, and submission p99 with 200 Server-Sent
# Events clients connected against none, alternating in one run.
#   scripts/bench-dashboard.sh [BIN] [ROUNDS]   (default: a release build, 3 rounds)
set -euo pipefail
exec "$(dirname "$0")/bench-python.sh" dashboard "${1:-}" "${2:-3}"

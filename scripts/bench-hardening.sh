#!/usr/bin/env bash
# The third hardening pass's findings re-run against a binary, with figures
# (scripts/bench-hardening.py): run --timeout on a shell's children, 300
# sign-ins at once, 40 live streams of one session, a billion-laughs job file.
#   scripts/bench-hardening.sh [BIN]   (default: a release build)
set -euo pipefail
exec "$(dirname "$0")/bench-python.sh" hardening "${1:-}"

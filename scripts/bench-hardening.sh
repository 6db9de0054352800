#!/usr/bin/env bash
# The third hardening pass's findings re-run against a binary, with figures
# (scripts/bench-hardening.py): run --timeout on a shell's children, 300
# sign-ins at once, 40 live streams of one session, a billion-laughs job file.
#   scripts/bench-hardening.sh BIN
set -euo pipefail
exec python3 "$(dirname "$0")/bench-hardening.py" "${1:?usage: bench-hardening.sh PATH_TO_CRONMETRICS}"

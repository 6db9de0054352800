#!/usr/bin/env bash
# Wrapper so scripts/test.sh can run every e2e script the same way.
set -euo pipefail
exec python3 "$(dirname "$0")/alert_policy.py" "$@"

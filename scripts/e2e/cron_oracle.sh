#!/usr/bin/env bash
# The cron engine against PyPI's croniter (scripts/e2e/cron_oracle.py).
set -euo pipefail
bin=${1:?usage: cron_oracle.sh PATH_TO_CRONMETRICS}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
python_tools croniter
python3 "$here/cron_oracle.py" "$bin" "${CRON_ORACLE_CASES:-12000}"

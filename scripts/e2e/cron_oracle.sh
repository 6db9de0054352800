#!/usr/bin/env bash
# The cron engine against PyPI's croniter (scripts/e2e/cron_oracle.py). The
# counts it asserts depend on croniter's exact behaviour: pinned, with the
# libraries it reads dates with.
set -euo pipefail
bin=${1:?usage: cron_oracle.sh PATH_TO_CRONMETRICS}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
python_tools croniter==7.0.0 python-dateutil==4.0.0 tzdata==2026.6
python3 "$here/cron_oracle.py" "$bin"

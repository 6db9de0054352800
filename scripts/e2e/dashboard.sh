#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium driven by selenium signs
# in, sees the bundled jobs, watches a row change after a curl submission
# without reloading, pauses a job (the file changes on disk), opens a job page
# with its chart, and saves full-page screenshots under bench-out/.
set -euo pipefail
bin=${1:?usage: dashboard.sh PATH_TO_CRONMETRICS}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
for tool in chromium chromedriver; do
  command -v "$tool" >/dev/null || { echo "dashboard.sh needs $tool (Debian: apt-get install chromium chromium-driver)" >&2; exit 1; }
done
python_tools selenium==4.51.0 axe-selenium-python==2.1.6
exec python3 "$here/dashboard.py" "$bin"

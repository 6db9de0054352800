#!/usr/bin/env bash
# How long a one-file change in a 10,000-file jobs.d takes to be live in the
# running server (inotify, debounce, reload), release build; 7 edits, median.
#   scripts/bench-reload.sh [COUNT]    (default 10000)
set -euo pipefail
count=${1:-10000}
cd "$(dirname "$0")/.."
source scripts/e2e/lib.bash
swift build -c release --product cronmetrics >/dev/null
bin="$(swift build -c release --show-bin-path)/cronmetrics"
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
python3 scripts/gen-jobs.py "$count" "$work/jobs.d"
CRONMETRICS_SECURITY_ADMIN_API_KEYS=bench start_server "$bin" "$work"
port=${SERVER_URL##*:}
file=$(find "$work/jobs.d" -name 'job000042@*.yaml')
id=$(basename "$file" .yaml)
python3 - "$file" "http://127.0.0.1:$port/api/job/$id" <<'PY'
import json, statistics, sys, time, urllib.request
path, url = sys.argv[1], sys.argv[2]
def threshold():
    req = urllib.request.Request(url, headers={"Authorization": "Bearer bench"})
    return json.loads(urllib.request.urlopen(req).read())["threshold_seconds"]
delays = []
for i in range(7):
    wanted = 1000 + i
    text = open(path).read().splitlines(True)
    text = [f"automatic_failure_threshold: {wanted}\n" if l.startswith("automatic_failure_threshold:") else l for l in text]
    start = time.monotonic()
    with open(path, "w") as f:
        f.writelines(text)
    while threshold() != wanted:
        if time.monotonic() - start > 10:
            sys.exit("change not live after 10 s")
        time.sleep(0.005)
    delays.append((time.monotonic() - start) * 1000)
    time.sleep(0.3)
print("edit-to-live ms: " + " ".join(f"{d:.0f}" for d in delays) + f"; median {statistics.median(delays):.0f} ms")
PY
grep -c "jobs reloaded" "$work/log" | sed 's/^/reloads logged: /'

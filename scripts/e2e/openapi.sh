#!/usr/bin/env bash
# The server against its own spec: docs/openapi.yaml validates, and schemathesis
# (checks not_a_server_error and response_schema_conformance) finds nothing
# against the live binary with an admin key and a job key.
set -euo pipefail
bin=${1:?usage: openapi.sh PATH_TO_CRONMETRICS}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.bash"
cd "$here/../.."
python_tools schemathesis==4.32.5 openapi-spec-validator==0.9.0
openapi-spec-validator docs/openapi.yaml

e2e_workdir
mkdir -p "$work/jobs.d"
cat > "$work/jobs.d/backup@db1.yaml" <<YAML
version: 1
job_name: backup
host: db1
automatic_failure_threshold: 3600
api_key_sha256: $(key_hash "schema-key")
YAML
CRONMETRICS_SECURITY_ADMIN_API_KEYS=schema-admin start_server "$bin" "$work" server
url=$SERVER_URL
# A bounded run: ${SCHEMATHESIS_EXAMPLES:-25} examples per operation, fixed seed.
# Run from the temp folder: schemathesis keeps a cache (.schemathesis/) in the
# working directory, which must not land in the repository.
(cd "$work" && schemathesis run "$url/api/openapi.yaml" --url "$url" \
  --checks not_a_server_error,response_schema_conformance \
  -H "Authorization: Bearer schema-admin" -H "X-API-Key: schema-key" \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --seed 1 --request-timeout 10 \
  --suppress-health-check all --no-color > "$work/schemathesis.txt" 2>&1) || st=$?
tail -25 "$work/schemathesis.txt"
[[ ${st:-0} == 0 ]] || fail "schemathesis found problems (server log: $(tail -5 "$work/server.log"))"
echo "openapi: ok (spec valid, schemathesis clean)"

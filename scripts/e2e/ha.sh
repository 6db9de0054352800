#!/usr/bin/env bash
# Replicas as operators will break them (ha.py): one PostgreSQL of this
# script's own (initdb, loopback), three cronmetrics replicas sharing one
# jobs.d behind HAProxy (round robin, /ready checks), a webhook receiver, an
# event-stream client; kill -9 and SIGSTOP of the leader, a PostgreSQL
# restart, a replica killed holding notification claims.
set -euo pipefail
here=$(dirname "$0")
command -v haproxy >/dev/null || { echo "ha.sh: haproxy is not installed (apt-get install haproxy)" >&2; exit 1; }
source "$here/../testing/postgres.sh"
trap pg_test_stop EXIT
pg_test_start
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_TEST_PORT" -U cronmetrics -d postgres -c "CREATE DATABASE ha"
export PG_BIN PG_TEST_DIR PG_TEST_PORT PG_TEST_OPTIONS
python3 "$here/ha.py" "$1" "postgres://cronmetrics@127.0.0.1:$PG_TEST_PORT/ha"

#!/usr/bin/env bash
# The PostgreSQL store against a cluster of this script's own (it stops and
# restarts it, changes its TLS and authentication): kill -9 durability
# (durability.py), then the faults, start-up rules, TLS and passwords
# (postgres.py).
set -euo pipefail
here=$(dirname "$0")
source "$here/../testing/postgres.sh"
trap pg_test_stop EXIT
pg_test_start
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_TEST_PORT" -U cronmetrics -d postgres -c "CREATE DATABASE durability"
python3 "$here/durability.py" "$1" "postgres://cronmetrics@127.0.0.1:$PG_TEST_PORT/durability"
python3 "$here/postgres.py" "$1"

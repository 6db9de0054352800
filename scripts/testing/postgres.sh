#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, from Debian's postgresql
# package: initdb into a temp folder owned by the `postgres` user
# (PostgreSQL refuses to run as root, and a root-made 0700 folder is
# unreadable to it), started with pg_ctl on a free loopback port, trust
# authentication on loopback only.
#
#   source scripts/testing/postgres.sh
#   pg_test_start          # sets PG_TEST_URL, PG_TEST_DIR, PG_TEST_PORT, PG_TEST_OPTIONS
#   pg_test_stop           # stops it and removes the folder
#
# Tests create one database per test from the template cronmetrics_template
# (see Tests/CronMetricsTestSupport/StoreBackend.swift).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_test_start() {
  [[ -x $PG_BIN/initdb ]] || { echo "postgres.sh: no PostgreSQL at $PG_BIN (apt-get install postgresql)" >&2; return 1; }
  PG_TEST_DIR=$(mktemp -d /tmp/cronmetrics-pg-XXXXXX)
  chmod 0755 "$PG_TEST_DIR"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$PG_TEST_DIR"; fi
  PG_TEST_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  pg_as_owner "$PG_BIN/initdb" -D "$PG_TEST_DIR/data" -U cronmetrics --auth=trust --encoding=UTF8 --no-locale >"$PG_TEST_DIR/initdb.log" 2>&1 \
    || { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }
  # Swift Testing runs suites in parallel, each with databases of its own.
  # The options are exported for scripts that stop and start the cluster again.
  PG_TEST_OPTIONS="-c listen_addresses=127.0.0.1 -c port=$PG_TEST_PORT -c unix_socket_directories=$PG_TEST_DIR -c max_connections=1000 -c shared_buffers=64MB -c fsync=on -c synchronous_commit=on"
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 -o "$PG_TEST_OPTIONS" \
    start >/dev/null || { cat "$PG_TEST_DIR/server.log" >&2; return 1; }
  # Each test's database is a copy of this empty one (CREATE DATABASE … TEMPLATE),
  # migrated by the store under test like any new database.
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_TEST_PORT" -U cronmetrics -d postgres -c "CREATE DATABASE cronmetrics_template" \
    || { cat "$PG_TEST_DIR/server.log" >&2; return 1; }
  PG_TEST_URL="postgres://cronmetrics@127.0.0.1:$PG_TEST_PORT/postgres"
  export PG_TEST_URL PG_TEST_DIR PG_TEST_PORT PG_TEST_OPTIONS
}

pg_test_stop() {
  [[ -n ${PG_TEST_DIR:-} && -d $PG_TEST_DIR ]] || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
}

# pg_bench_setup: for the benchmark scripts: a temp folder in $work, a
# `pids` array whose processes are killed at exit (when the cluster is
# stopped and the folder removed), and a throwaway cluster.
pg_bench_setup() {
  work=$(mktemp -d)
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pg_test_stop; rm -rf "$work"' EXIT
  pg_test_start
}

# psql_admin SQL: runs SQL on the cluster's postgres database as its owner.
psql_admin() { "$PG_BIN/psql" -qAtX -h 127.0.0.1 -p "$PG_TEST_PORT" -U cronmetrics -d postgres -c "$1"; }

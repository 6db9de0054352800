# Shared helpers for the end-to-end scripts (sourced, not run).

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# e2e_workdir: a temp folder in $work, removed on exit with every server the
# script started (their pids in the `pids` array).
e2e_workdir() {
  work=$(mktemp -d)
  pids=()
  trap 'for p in "${pids[@]}"; do { kill -9 "$p"; wait "$p"; } 2>/dev/null || true; done; rm -rf "$work"' EXIT
}

# start_server BIN WORK [NAME]: the one way the scripts start cronmetrics:
# serving WORK/jobs.d with WORK/NAME.db on a free loopback port, admin key
# e2e-admin, log in WORK/NAME.log. Extra settings come from the environment
# (CRONMETRICS_*). Sets SERVER_URL and SERVER_PID, adds the pid to the
# caller's `pids` array (killed by its EXIT trap), and waits for /health.
start_server() {
  local bin=$1 work=$2 name=${3:-cronmetrics} port
  port=$(free_port)
  CRONMETRICS_SECURITY_ADMIN_API_KEYS=${CRONMETRICS_SECURITY_ADMIN_API_KEYS:-e2e-admin} \
    "$bin" serve --jobs-dir "$work/jobs.d" --database "$work/$name.db" --listen "127.0.0.1:$port" 2>>"$work/$name.log" &
  SERVER_PID=$!
  SERVER_URL="http://127.0.0.1:$port"
  pids+=("$SERVER_PID")
  wait_for_health "$SERVER_URL"
}

# wait_for_health URL: polls /health for up to 30 s.
wait_for_health() {
  for _ in $(seq 1 300); do
    curl -sf "$1/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not become healthy at $1" >&2
  return 1
}

# key_hash KEY: the api_key_sha256 of KEY.
key_hash() {
  printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it succeeds;
# fails naming WHAT after SECONDS. Assert on conditions, never after a fixed sleep.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local tries=$((seconds * 10))
  for _ in $(seq 1 "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  "$@" >/dev/null 2>&1 || fail "$what (not within ${seconds} s)"
}

# metrics_has URL LINE: whether /metrics holds exactly that line. Not
# `grep -q`: it exits at the first match, curl then dies of SIGPIPE writing the
# rest, and under pipefail the match reads as a failure (a flake under load).
metrics_has() {
  curl -s "$1/metrics" | grep -xF "$2" >/dev/null
}

# python_tools PACKAGE==VERSION...: makes PyPI tools available in a virtual
# environment of the repository's own (.build-tools, ignored by git), and puts
# it first on PATH. A venv works with pyenv and with Debian's externally
# managed Python alike, and needs no shims. Each package is pinned to an exact
# version (a new release must not change what a test finds without a commit
# saying so); an unpinned one is refused.
python_tools() {
  local venv package
  for package in "$@"; do
    [[ $package =~ ^[A-Za-z0-9._-]+==[0-9][A-Za-z0-9.]*$ ]] || {
      echo "python_tools: pin '$package' to an exact version (name==X.Y.Z)" >&2
      return 1
    }
  done
  venv="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.build-tools"
  if [[ ! -x $venv/bin/pip ]]; then
    python3 -m venv "$venv" 2>/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$venv"
    }
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "$@" >/dev/null
  PATH="$venv/bin:$PATH"
  export PATH
}

#!/usr/bin/env bash
# The Dockerfile's build, without Docker: a release binary with the Swift
# standard library linked statically. Prints its size and what it still links
# dynamically (glibc, libsqlite3 and friends: what the runtime image installs).
#   scripts/build-release.sh [OUT]     (default ./cronmetrics-release)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-./cronmetrics-release}
scratch=.build-static
swift build -c release --product cronmetrics --static-swift-stdlib --scratch-path "$scratch"
install -D "$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/cronmetrics" "$out"
strip -o "$out.stripped" "$out"
echo "binary: $out"
echo "size: $(stat -c %s "$out") bytes ($(( $(stat -c %s "$out") / 1048576 )) MiB); stripped: $(( $(stat -c %s "$out.stripped") / 1048576 )) MiB"
echo "ldd:"
ldd "$out"
if ldd "$out" | grep -q 'libswift'; then
  echo "FAIL: the Swift runtime is linked dynamically" >&2
  exit 1
fi
"$out" --help | head -1

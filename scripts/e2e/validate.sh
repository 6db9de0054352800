#!/usr/bin/env bash
# `cronmetrics validate` on the bundled tree and on a broken copy of it.
set -euo pipefail
bin=${1:?usage: validate.sh PATH_TO_CRONMETRICS}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" validate jobs.d
cp -r jobs.d "$work/jobs.d"
printf 'colour: blue\n' >> "$work/jobs.d/infra/logrotate@web1.yaml"
set +e
out=$("$bin" validate "$work/jobs.d" --format github)
code=$?
set -e
[[ $code == 1 ]] || { echo "expected exit 1, got $code"; exit 1; }
grep -q "^::error file=$work/jobs.d/infra/logrotate@web1.yaml,line=12,col=1::unknown key 'colour'" <<<"$out" \
  || { echo "missing annotation in: $out"; exit 1; }
echo "validate: ok"

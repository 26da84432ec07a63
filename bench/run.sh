#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — run every benchmark (bench/*/run.sh) against the
# binaries in BUILD_DIR. Exits non-zero if any of them failed.
set -uo pipefail

BUILD=${1:?usage: bench/run.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
status=0
for script in "$HERE"/*/run.sh; do
    name=$(basename "$(dirname "$script")")
    echo "== $name"
    if ! bash "$script" "$BUILD"; then
        echo "== $name: FAILED" >&2
        status=1
    fi
    echo
done
# reloads under HTTP load beside nginx (bench/reload.sh; bench/reload/run.sh is the echo one)
echo "== reload.sh"
if ! bash "$HERE/reload.sh" "$BUILD"; then
    echo "== reload.sh: FAILED" >&2
    status=1
fi
exit $status

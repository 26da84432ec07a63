#!/usr/bin/env bash
# bench/table/run.sh BUILD_DIR — swirl_table_t set / get / incr per second
# from 1 and 2 processes, beside a plain in-process hash table under one
# pthread mutex (1 and 2 threads). Builds nothing: runs BUILD_DIR/bench_table.
# SECONDS_EACH (default 1) is the length of each of the 16 measurements.
set -euo pipefail

BUILD=${1:?usage: bench/table/run.sh BUILD_DIR}
BIN=$(cd "$BUILD" && pwd)/bench_table
[[ -x $BIN ]] || { echo "bench/table: $BIN not built" >&2; exit 1; }
exec "$BIN" "${SECONDS_EACH:-1}"

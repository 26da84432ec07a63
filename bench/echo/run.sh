#!/usr/bin/env bash
# bench/echo/run.sh BUILD_DIR — echo round trips against the plain epoll
# reference and `swirl echo`, each server pinned to CPU 0 and driven by
# `swirl bench tcp` pinned to CPU 1. The figure that matters is round trips
# per second of server CPU (the whole process tree), compared to the reference.
set -euo pipefail

BUILD=${1:?usage: bench/echo/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SWIRL=$BUILD/swirl
REFERENCE=$BUILD/bench_reference_echo
CONNS=${CONNS:-64}
SECONDS_EACH=${SECONDS_EACH:-5}
SIZE=${SIZE:-64}
for bin in "$SWIRL" "$REFERENCE"; do
    [[ -x $bin ]] || { echo "bench/echo: $bin not built" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/swirl-bench-echo.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../lib.sh"

# Per label, space-separated samples of each round.
declare -A RT_S EFF_S CPU_S
LABELS=() FAILED=0

ROUNDS=${ROUNDS:-3}
echo "echo: $CONNS connections, $SIZE-byte messages, ${SECONDS_EACH}s per server, $ROUNDS rounds" \
    "(servers interleaved, medians shown); server on CPU 0, client on CPU 1"
REF_LABEL="reference (epoll, C)"
for ((round = 1; round <= ROUNDS; round++)); do
    measure_echo echo "$REF_LABEL" "$REFERENCE" 0
    if "$SWIRL" echo --help 2>&1 | grep -q -- '--mode'; then
        measure_echo echo "swirl base, 1 worker" "$SWIRL" echo --port 0 --mode base --workers 1
        measure_echo echo "swirl process, 1+1" "$SWIRL" echo --port 0 --mode process --workers 1 --reactors 1
    else
        measure_echo echo "swirl (single process)" "$SWIRL" echo --port 0
    fi
done

printf '\n%-24s %12s %14s %16s %8s   %s\n' server "round trips/s" "server CPU s" "rt per CPU-s" \
    "vs ref" "(rt per CPU-s of each round)"
ref_eff=$(median "${EFF_S[$REF_LABEL]:-}")
for label in "${LABELS[@]}"; do
    eff=$(median "${EFF_S[$label]}")
    ratio=$(awk -v e="$eff" -v r="$ref_eff" 'BEGIN { if (r > 0) printf "%.2f", e / r; else print "-" }')
    printf '%-24s %12.0f %14s %16.0f %8s   %s\n' "$label" "$(median "${RT_S[$label]}")" \
        "$(median "${CPU_S[$label]}")" "$eff" "$ratio" "${EFF_S[$label]}"
done
exit $FAILED

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
measure() { # measure LABEL CMD...
    local label=$1 port before after out rt reqs errors cpu
    shift
    out=$TMP/server.out
    start_server "$out" "$@"
    if ! port=$(wait_port "$out"); then
        echo "bench/echo: $label did not start: $*" >&2
        cat "$out" >&2
        stop_server
        FAILED=1
        return
    fi
    before=$(tree_cpu "$SERVER_PID")
    if ! "${CLIENT_PIN[@]}" "$SWIRL" bench tcp --host 127.0.0.1 --port "$port" \
        -c "$CONNS" -d "$SECONDS_EACH" --size "$SIZE" >"$TMP/bench.out" 2>"$TMP/bench.err"; then
        echo "bench/echo: $label: swirl bench tcp failed:" >&2
        grep -v '^[0-9]*s: ' "$TMP/bench.err" >&2 || true
        FAILED=1
    fi
    after=$(tree_cpu "$SERVER_PID")
    stop_server
    rt=$(awk '/^round_trips_per_sec:/ { print $2 }' "$TMP/bench.out")
    reqs=$(awk '/^requests:/ { print $2 }' "$TMP/bench.out")
    errors=$(awk '/^errors:/ { print $2 }' "$TMP/bench.out")
    cpu=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
    [[ -v "RT_S[$label]" ]] || LABELS+=("$label")
    RT_S[$label]+="${rt:-0} "
    CPU_S[$label]+="$cpu "
    EFF_S[$label]+="$(awk -v n="${reqs:-0}" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }') "
    [[ ${errors:-1} == 0 ]] || FAILED=1
}

ROUNDS=${ROUNDS:-3}
echo "echo: $CONNS connections, $SIZE-byte messages, ${SECONDS_EACH}s per server, $ROUNDS rounds" \
    "(servers interleaved, medians shown); server on CPU 0, client on CPU 1"
REF_LABEL="reference (epoll, C)"
for ((round = 1; round <= ROUNDS; round++)); do
    measure "$REF_LABEL" "$REFERENCE" 0
    if "$SWIRL" echo --help 2>&1 | grep -q -- '--mode'; then
        measure "swirl base, 1 worker" "$SWIRL" echo --port 0 --mode base --workers 1
        measure "swirl process, 1+1" "$SWIRL" echo --port 0 --mode process --workers 1 --reactors 1
    else
        measure "swirl (single process)" "$SWIRL" echo --port 0
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

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
SERVER_PID=
# shellcheck disable=SC2317 # called from the trap
cleanup() {
    stop_server
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Pinning needs taskset and two CPUs; without them the numbers still mean
# something, just less.
SERVER_PIN=() CLIENT_PIN=()
if command -v taskset >/dev/null && (($(nproc) >= 2)); then
    SERVER_PIN=(taskset -c 0) CLIENT_PIN=(taskset -c 1)
else
    echo "bench/echo: no taskset or fewer than 2 CPUs: running unpinned" >&2
fi

TICKS=$(getconf CLK_TCK)

# Every process in the tree under $1 (itself included), one pid a line,
# from the ppid field of /proc/*/stat.
tree_pids() {
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
        { # comm (field 2) may hold spaces and parentheses: split after the last ")"
          q = 0
          for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { q = i; break }
          split(substr($0, q + 2), f, " ")
          pid = $1 + 0; parent[pid] = f[2] + 0 }
        END {
          in_tree[root] = 1
          do { grew = 0
               for (p in parent) if (!(p in in_tree) && (parent[p] in in_tree)) { in_tree[p] = 1; grew = 1 }
          } while (grew)
          for (p in in_tree) if (p in parent) print p }'
}

# CPU seconds used so far by the tree under $1: utime+stime of every
# process (all its threads), plus cutime+cstime of children it reaped.
tree_cpu() {
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" -v hz="$TICKS" '
        { q = 0
          for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { q = i; break }
          split(substr($0, q + 2), f, " ")
          # after the comm: f[1] state, f[2] ppid, f[12] utime, f[13] stime, f[14] cutime, f[15] cstime
          pid = $1 + 0; parent[pid] = f[2] + 0; ticks[pid] = f[12] + f[13] + f[14] + f[15] }
        END {
          in_tree[root] = 1
          do { grew = 0
               for (p in parent) if (!(p in in_tree) && (parent[p] in in_tree)) { in_tree[p] = 1; grew = 1 }
          } while (grew)
          t = 0
          for (p in in_tree) t += ticks[p]
          printf "%.2f\n", t / hz }'
}

stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    local pids
    pids=$(tree_pids "$SERVER_PID")
    kill -TERM "$SERVER_PID" 2>/dev/null || true # let a master stop its own workers
    for _ in $(seq 50); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    # shellcheck disable=SC2086 # one pid a word
    kill -KILL $pids 2>/dev/null || true # whatever is left of the tree
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# start_server OUTFILE CMD...: start it on CPU 0 (sets SERVER_PID).
start_server() {
    local out=$1
    shift
    "${SERVER_PIN[@]}" "$@" >"$out" 2>&1 &
    SERVER_PID=$!
}

# wait_port OUTFILE: print the port once the server said
# "listening on 127.0.0.1:PORT"; fail if it died or took over 5 s.
wait_port() {
    for _ in $(seq 100); do
        if grep -q 'listening on 127\.0\.0\.1:[0-9]' "$1"; then
            sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1" | head -n1
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}

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

median() { # median of the numbers in $1
    tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
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

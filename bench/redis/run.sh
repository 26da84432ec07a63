#!/usr/bin/env bash
# bench/redis/run.sh BUILD_DIR — SET/GET round trips per second of client
# CPU: swirl's Redis client (bench_redis: one connection on a swirl loop)
# against redis-benchmark (one connection), at pipeline depths 1 and 16, on
# the same redis-server (started here on a free port, CPU 0; the clients on
# CPU 1). The figure is requests per client CPU-second and its ratio.
set -euo pipefail

BUILD=${1:?usage: bench/redis/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
BENCH=$BUILD/bench_redis
REQUESTS=${REQUESTS:-200000}
ROUNDS=${ROUNDS:-3}
[[ -x $BENCH ]] || { echo "bench/redis: $BENCH not built" >&2; exit 1; }
for bin in redis-server redis-benchmark; do
    command -v $bin >/dev/null || { echo "bench/redis: $bin missing (scripts/deps.sh bench)" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/swirl-bench-redis.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../lib.sh"

PORT=$(free_port)
start_server "$TMP/redis.out" redis-server --port "$PORT" --bind 127.0.0.1 --save '' \
    --appendonly no --daemonize no --dir "$TMP"
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.05
done

# client_cpu CMD...: run CMD (on CPU 1), its output to $TMP/client.out;
# print the CPU seconds (user + system) it used.
client_cpu() {
    "${CLIENT_PIN[@]}" python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "w") as out:
    rc = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT).returncode
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (r.ru_utime + r.ru_stime))
sys.exit(rc)' "$TMP/client.out" "$@"
}

declare -A EFF
FAILED=0
echo "redis: SET then GET, $REQUESTS each, one connection, $ROUNDS rounds (medians);" \
    "redis-server on CPU 0, the client on CPU 1"
for depth in 1 16; do
    for ((round = 1; round <= ROUNDS; round++)); do
        # redis-benchmark: -c 1, -P depth, the same keys and 3-byte values
        if cpu=$(client_cpu redis-benchmark -p "$PORT" -c 1 -n "$REQUESTS" -P "$depth" -t set,get -q); then
            EFF[rb$depth]+="$(awk -v n="$REQUESTS" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? 2 * n / c : 0) }') "
        else
            echo "bench/redis: redis-benchmark failed:" >&2; cat "$TMP/client.out" >&2; FAILED=1
        fi
        if cpu=$(client_cpu "$BENCH" "$PORT" "$REQUESTS" "$depth"); then
            EFF[sw$depth]+="$(awk -v n="$REQUESTS" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? 2 * n / c : 0) }') "
        else
            echo "bench/redis: bench_redis failed:" >&2; cat "$TMP/client.out" >&2; FAILED=1
        fi
    done
done

printf '\n%-8s %22s %22s %8s   %s\n' depth "redis-benchmark rt/CPU-s" "swirl rt/CPU-s" ratio "(swirl's rounds)"
for depth in 1 16; do
    rb=$(median "${EFF[rb$depth]:-}")
    sw=$(median "${EFF[sw$depth]:-}")
    ratio=$(awk -v a="$sw" -v b="$rb" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    printf '%-8s %22.0f %22.0f %8s   %s\n' "$depth" "$rb" "$sw" "$ratio" "${EFF[sw$depth]:-}"
done
exit $FAILED

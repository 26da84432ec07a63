#!/usr/bin/env bash
# bench/php_echo/run.sh BUILD_DIR — the echo benchmark of bench/echo with
# the server written in PHP on swirl.so (examples/php/echo_server.php:
# Swoole\Server, BASE mode, 1 worker, onReceive -> send) beside the C
# `swirl echo --mode base --workers 1`, in the same run: each server pinned
# to CPU 0, `swirl bench tcp` pinned to CPU 1, rounds interleaved, medians.
# The figure that matters is round trips per second of server CPU; the
# ratio PHP/C is the cost of the binding. Builds nothing: it needs
# BUILD_DIR/swirl (the C build) and php/modules/swirl.so (make php).
set -euo pipefail

BUILD=${1:?usage: bench/php_echo/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SWIRL=$BUILD/swirl
MODULE=$ROOT/php/modules/swirl.so
PHP=${PHP:-php}
CONNS=${CONNS:-64}
SECONDS_EACH=${SECONDS_EACH:-5}
SIZE=${SIZE:-64}
[[ -x $SWIRL ]] || { echo "bench/php_echo: $SWIRL not built" >&2; exit 1; }
[[ -f $MODULE ]] || { echo "bench/php_echo: $MODULE not built (make php)" >&2; exit 1; }
command -v "$PHP" >/dev/null || { echo "bench/php_echo: no $PHP" >&2; exit 1; }

TMP=$(mktemp -d /tmp/swirl-bench-php-echo.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../lib.sh"

declare -A RT_S EFF_S CPU_S
LABELS=() FAILED=0

ROUNDS=${ROUNDS:-3}
echo "php_echo: $CONNS connections, $SIZE-byte messages, ${SECONDS_EACH}s per server, $ROUNDS rounds" \
    "(servers interleaved, medians shown); server on CPU 0, client on CPU 1; $("$PHP" -n -r 'echo "PHP ", PHP_VERSION;')"
C_LABEL="C swirl base, 1 worker"
PHP_LABEL="PHP swirl.so base, 1 w."
for ((round = 1; round <= ROUNDS; round++)); do
    measure_echo php_echo "$C_LABEL" "$SWIRL" echo --port 0 --mode base --workers 1
    measure_echo php_echo "$PHP_LABEL" "$PHP" -n -d "extension=$MODULE" "$ROOT/examples/php/echo_server.php" 0
done

printf '\n%-24s %12s %14s %16s %8s   %s\n' server "round trips/s" "server CPU s" "rt per CPU-s" \
    "vs C" "(rt per CPU-s of each round)"
c_eff=$(median "${EFF_S[$C_LABEL]:-}")
for label in "${LABELS[@]}"; do
    eff=$(median "${EFF_S[$label]}")
    ratio=$(awk -v e="$eff" -v r="$c_eff" 'BEGIN { if (r > 0) printf "%.2f", e / r; else print "-" }')
    printf '%-24s %12.0f %14s %16.0f %8s   %s\n' "$label" "$(median "${RT_S[$label]}")" \
        "$(median "${CPU_S[$label]}")" "$eff" "$ratio" "${EFF_S[$label]}"
done
php_eff=$(median "${EFF_S[$PHP_LABEL]:-}")
awk -v p="$php_eff" -v c="$c_eff" 'BEGIN { if (p > 0 && c > 0)
    printf "\nPHP/C, round trips per server CPU-second: %.2f (server CPU per round trip, PHP/C: %.2f)\n", p / c, c / p }'
exit $FAILED

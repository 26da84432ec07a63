#!/usr/bin/env bash
# bench/php_http/run.sh BUILD_DIR — GET /hello from the PHP hello world on
# swirl.so (examples/php/http_server.php: Swoole\Http\Server, BASE mode, 1
# worker, every request answered "<h1>Hello Swoole. #NNNN</h1>") beside the C
# `swirl serve --mode base --workers 1` (its /hello) and Debian's nginx (1
# worker, access log off, `return 200 "hello world"`), as bench/http does:
# each server pinned to CPU 0, wrk -t1 -c$CONNS pinned to CPU 1, servers
# interleaved, ROUNDS rounds, medians. The figure that matters is requests
# per second of server CPU (the whole process tree, from /proc); the ratios
# PHP/C and each/nginx are the cost of the binding and the distance to
# nginx. Builds nothing: it needs BUILD_DIR/swirl (make build) and
# php/modules/swirl.so (make php).
set -euo pipefail

BUILD=${1:?usage: bench/php_http/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SWIRL=$BUILD/swirl
MODULE=$ROOT/php/modules/swirl.so
PHP=${PHP:-php}
CONNS=${CONNS:-64}
SECONDS_EACH=${SECONDS_EACH:-5}
ROUNDS=${ROUNDS:-3}
[[ -x $SWIRL ]] || { echo "bench/php_http: $SWIRL not built (make build)" >&2; exit 1; }
[[ -f $MODULE ]] || { echo "bench/php_http: $MODULE not built (make php)" >&2; exit 1; }
command -v "$PHP" >/dev/null || { echo "bench/php_http: no $PHP" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench/php_http: wrk is not installed (scripts/deps.sh bench)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || { echo "bench/php_http: nginx is not installed (scripts/deps.sh)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/swirl-bench-php-http.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../lib.sh"

nginx_hello() { # nginx_hello PORT
    nginx_conf "listen 127.0.0.1:$1;" \
        'location = /hello { default_type text/plain; return 200 "hello world"; }'
}

declare -A RPS_S EFF_S
LABELS=() FAILED=0
# measure LABEL CMD...: one wrk run on GET /hello of a server started by
# CMD (which prints "listening on ...127.0.0.1:PORT"; "nginx" for nginx);
# appends the round's figures to RPS_S and EFF_S.
measure() {
    local label=$1 port before after reqs cpu out=$TMP/server.out
    shift
    if [[ $1 == nginx ]]; then
        port=$(free_port)
        nginx_hello "$port"
        start_server "$out" "$NGINX" -c "$TMP/nginx.conf" -p "$TMP"
        for _ in $(seq 100); do
            curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break
            sleep 0.05
        done
    elif ! { start_server "$out" "$@" && port=$(wait_port "$out"); }; then
        echo "bench/php_http: $label did not start: $*" >&2
        cat "$out" >&2
        stop_server
        FAILED=1
        return
    fi
    before=$(tree_cpu "$SERVER_PID")
    "${CLIENT_PIN[@]}" wrk -t1 -c"$CONNS" -d"${SECONDS_EACH}s" "http://127.0.0.1:$port/hello" \
        >"$TMP/wrk.out" 2>&1 || FAILED=1
    after=$(tree_cpu "$SERVER_PID")
    stop_server
    if grep -q "Non-2xx\|Socket errors" "$TMP/wrk.out"; then
        echo "bench/php_http: $label: errors:" >&2
        grep "Non-2xx\|Socket errors" "$TMP/wrk.out" >&2
        FAILED=1
    fi
    reqs=$(awk '/requests in/ { print $1 }' "$TMP/wrk.out")
    cpu=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
    [[ -v "RPS_S[$label]" ]] || LABELS+=("$label")
    RPS_S[$label]+="$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$TMP/wrk.out") "
    EFF_S[$label]+="$(awk -v n="${reqs:-0}" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }') "
}

NGX="nginx (1 worker)" C_LABEL="C swirl serve, base 1 w." PHP_LABEL="PHP swirl.so, base 1 w."
echo "php_http: GET /hello, wrk -t1 -c$CONNS -d${SECONDS_EACH}s, $ROUNDS rounds (servers interleaved," \
    "medians); server on CPU 0, wrk on CPU 1; $("$PHP" -n -r 'echo "PHP ", PHP_VERSION;')"
for ((round = 1; round <= ROUNDS; round++)); do
    measure "$NGX" nginx
    measure "$C_LABEL" "$SWIRL" serve --port 0 --mode base --workers 1
    measure "$PHP_LABEL" "$PHP" -n -d "extension=$MODULE" "$ROOT/examples/php/http_server.php" \
        0 127.0.0.1 1 base
done

printf '\n%-26s %12s %16s %9s %9s   %s\n' server "requests/s" "req per CPU-s" "vs nginx" "vs C" \
    "(req per CPU-s of each round)"
ngx=$(median "${EFF_S[$NGX]:-}")
c_eff=$(median "${EFF_S[$C_LABEL]:-}")
vs() { awk -v e="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.2f", e / r; else print "-" }'; }
for label in "${LABELS[@]}"; do
    eff=$(median "${EFF_S[$label]}")
    printf '%-26s %12.0f %16.0f %9s %9s   %s\n' "$label" "$(median "${RPS_S[$label]}")" "$eff" \
        "$(vs "$eff" "$ngx")" "$(vs "$eff" "$c_eff")" "${EFF_S[$label]}"
done
exit $FAILED

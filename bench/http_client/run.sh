#!/usr/bin/env bash
# bench/http_client/run.sh BUILD_DIR — swirl's HTTP client against wrk: both
# load the same nginx (1 worker, a small static file, keep-alive) with
# CONNS connections for SECONDS_EACH seconds, nginx pinned to CPU 0 and the
# client to CPU 1, ROUNDS interleaved rounds, medians. The figure is
# requests per second of *client* CPU (the client process's user + system
# time: getrusage for bench_http_client, /usr/bin/time for wrk), and the
# ratio swirl / wrk (issue 20 asks for >= 0.8).
set -euo pipefail

BUILD=${1:?usage: bench/http_client/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
CLIENT=$BUILD/bench_http_client
CONNS=${CONNS:-16}
SECONDS_EACH=${SECONDS_EACH:-5}
ROUNDS=${ROUNDS:-3}
[[ -x $CLIENT ]] || { echo "bench/http_client: $CLIENT is not built (make build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench/http_client: wrk is not installed (scripts/deps.sh bench)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench/http_client: /usr/bin/time is not installed (apt-get install time)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || { echo "bench/http_client: nginx is not installed" >&2; exit 1; }

TMP=$(mktemp -d /tmp/swirl-bench-httpcli.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../lib.sh"

mkdir -p "$TMP/www"
printf 'hello from a small file\n' >"$TMP/www/small.txt"
chmod 755 "$TMP" "$TMP/www" && chmod 644 "$TMP/www/small.txt"
PORT=$(free_port)
nginx_conf "listen 127.0.0.1:$PORT;" "root $TMP/www;" "keepalive_requests 1000000;"
start_server "$TMP/nginx.out" "$NGINX" -c "$TMP/nginx.conf" -p "$TMP"
URL=http://127.0.0.1:$PORT/small.txt
for _ in $(seq 100); do
    curl -s -o /dev/null "$URL" && break
    sleep 0.05
done

SW_S="" WRK_S="" FAILED=0
for ((round = 1; round <= ROUNDS; round++)); do
    "${CLIENT_PIN[@]}" /usr/bin/time -f '%U %S' -o "$TMP/wrk.time" \
        wrk -t1 -c"$CONNS" -d"${SECONDS_EACH}s" "$URL" >"$TMP/wrk.out" 2>&1 || FAILED=1
    reqs=$(awk '/requests in/ { print $1 }' "$TMP/wrk.out")
    cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$TMP/wrk.time")
    WRK_S+="$(awk -v n="${reqs:-0}" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }') "
    "${CLIENT_PIN[@]}" "$CLIENT" "$URL" "$CONNS" "$SECONDS_EACH" >"$TMP/sw.out" 2>&1 ||
        { echo "bench/http_client: swirl's client reported errors:" >&2; head -5 "$TMP/sw.out" >&2; FAILED=1; }
    SW_S+="$(awk '/^requests_per_cpu_sec:/ { print $2 }' "$TMP/sw.out") "
done

wrk_m=$(median "$WRK_S") sw_m=$(median "$SW_S")
echo "http_client: GET a small file from nginx, $CONNS keep-alive connections, ${SECONDS_EACH}s, $ROUNDS rounds (medians); nginx on CPU 0, client on CPU 1"
printf '%-28s %18s   %s\n' client "req per client CPU-s" "(each round)"
printf '%-28s %18.0f   %s\n' "wrk -t1" "$wrk_m" "$WRK_S"
printf '%-28s %18.0f   %s\n' "swirl http client (1 loop)" "$sw_m" "$SW_S"
echo "ratio swirl/wrk: $(awk -v s="$sw_m" -v w="$wrk_m" 'BEGIN { if (w > 0) printf "%.2f", s / w; else print "-" }')"
exit $FAILED

#!/usr/bin/env bash
# bench/reload.sh BUILD_DIR — reloads under HTTP keep-alive load, beside
# nginx: `swirl serve` in BASE mode (2 workers), in PROCESS mode (2
# workers) and nginx (2 workers) each serve GET /hello to `wrk -t1 -cN`
# for SECONDS_EACH seconds while getting a reload every second (swirl:
# SIGUSR1, nginx: SIGHUP), with N = 128 and 1000 (CONNS). Prints requests,
# errors (wrk's socket errors: connect/read/write/timeout, and non-2xx
# answers), reloads sent and reloads finished per server. Fails if swirl
# lost a request or a connection under one; nginx's errors are only shown
# (it closes idle keep-alive connections on reload, racing the clients).
# Server on CPU 0, wrk on CPU 1.
set -euo pipefail

BUILD=${1:?usage: bench/reload.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SWIRL=$BUILD/swirl
SECONDS_EACH=${SECONDS_EACH:-10}
CONNS=${CONNS:-128 1000}
for tool in wrk nginx; do
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || {
        echo "bench/reload: $tool is not installed (scripts/deps.sh bench installs it)" >&2
        exit 1
    }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

TMP=$(mktemp -d /tmp/swirl-bench-reload.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
chmod 755 "$TMP" # nginx's workers may run as nobody

FAILED=0
# run CONNS LABEL SIGNAL CMD...: start the server (CMD "nginx": nginx with 2
# workers), load it with wrk while sending SIGNAL every second, print a row.
run() {
    local conns=$1 label=$2 sig=$3 port done_ out=$TMP/server.out log=$TMP/server.log
    shift 3
    rm -f "$log"
    if [[ $1 == nginx ]]; then
        port=$(free_port)
        nginx_conf "listen 127.0.0.1:$port;" \
            'location = /hello { default_type text/plain; return 200 "hello world"; }'
        sed -i -e 's/^worker_processes 1;/worker_processes 2;/' \
            -e "s|^error_log .*|error_log $log notice;|" "$TMP/nginx.conf"
        start_server "$out" "$NGINX" -c "$TMP/nginx.conf" -p "$TMP"
        for _ in $(seq 100); do
            curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break
            sleep 0.05
        done
    else
        start_server "$out" "$@" --set "log_file=$log"
        port=$(wait_port "$out") || {
            echo "bench/reload: $label did not start" >&2
            cat "$out" >&2
            stop_server
            FAILED=1
            return
        }
    fi
    (
        sent=0
        for _ in $(seq "$SECONDS_EACH"); do
            sleep 1
            kill "-$sig" "$SERVER_PID" 2>/dev/null || break
            sent=$((sent + 1))
        done
        echo "$sent" >"$TMP/sent"
    ) &
    local signaller=$!
    "${CLIENT_PIN[@]}" wrk -t1 -c"$conns" -d"${SECONDS_EACH}s" "http://127.0.0.1:$port/hello" \
        >"$TMP/wrk.out" 2>&1 || FAILED=1
    wait "$signaller" || true
    sleep 1 # the last reload finishes
    stop_server
    if [[ $label == nginx* ]]; then
        done_=$(grep -c ": reconfiguring$" "$log" || true) # one such line per SIGHUP done
    else
        done_=$(grep -c "reload done" "$log" || true)
    fi
    local reqs errs non2xx
    reqs=$(awk '/requests in/ { print $1 }' "$TMP/wrk.out")
    errs=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$TMP/wrk.out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$TMP/wrk.out")
    local detail
    detail=$(awk '/Socket errors/ { gsub(",", ""); printf "%s/%s/%s/%s", $4, $6, $8, $10 }' \
        "$TMP/wrk.out")
    printf '%6s  %-24s %10s %8s %-18s %8s %9s %9s\n' "$conns" "$label" "${reqs:-0}" \
        "${errs:-0}" "${detail:--}" "${non2xx:-0}" "$(cat "$TMP/sent")" "$done_"
    if [[ $label == swirl* ]] && { [[ ${errs:-0} != 0 ]] || [[ ${non2xx:-0} != 0 ]] ||
        [[ -z $reqs ]]; }; then
        FAILED=1
    fi
}

echo "reload under load: wrk -t1 -cN -d${SECONDS_EACH}s GET /hello, a reload every second" \
    "(swirl: SIGUSR1, nginx: SIGHUP); server on CPU 0, wrk on CPU 1"
printf '%6s  %-24s %10s %8s %-18s %8s %9s %9s\n' conns server requests errors \
    "(conn/rd/wr/tmo)" non-2xx reloads finished
for conns in $CONNS; do
    run "$conns" "swirl base, 2 workers" USR1 "$SWIRL" serve --port 0 --mode base --workers 2
    run "$conns" "swirl process, 2 workers" USR1 "$SWIRL" serve --port 0 --mode process \
        --workers 2
    run "$conns" "nginx, 2 workers" HUP nginx
done
exit $FAILED

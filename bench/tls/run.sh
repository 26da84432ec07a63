#!/usr/bin/env bash
# bench/tls/run.sh BUILD_DIR — HTTPS against plain HTTP: `swirl serve` (BASE,
# 1 worker) and Debian's nginx (1 worker, access log off, TLS session cache
# and tickets on), the same self-signed certificate (RSA 2048, made here),
# each server pinned to CPU 0 and driven by `swirl bench http` pinned to
# CPU 1, servers interleaved, ROUNDS rounds, medians shown. Loads:
#   http        GET /hello over plain HTTP, keep-alive
#   https       GET /hello over TLS 1.3, keep-alive (one handshake per connection)
#   https-new   GET /hello over TLS, a new connection per request, sessions
#               resumed (swirl bench http --keepalive off --tls)
# The figure compared is requests per second of server CPU (the whole
# process tree, from /proc), with swirl/nginx and https/http ratios.
set -euo pipefail

BUILD=${1:?usage: bench/tls/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SWIRL=$BUILD/swirl
CONNS=${CONNS:-64}
SECONDS_EACH=${SECONDS_EACH:-8}
ROUNDS=${ROUNDS:-3}
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || {
    echo "bench/tls: nginx is not installed (scripts/deps.sh bench installs it)" >&2
    exit 1
}
command -v openssl >/dev/null || { echo "bench/tls: openssl is not installed" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

TMP=$(mktemp -d /tmp/swirl-bench-tls.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../lib.sh"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 2 2>/dev/null
chmod 755 "$TMP" && chmod 644 "$TMP"/*.pem # nginx's worker may run as nobody

nginx_hello() { # nginx_hello PORT TLS(0|1)
    local listen="listen 127.0.0.1:$1;"
    [[ $2 == 1 ]] && listen="listen 127.0.0.1:$1 ssl; ssl_certificate $TMP/cert.pem; ssl_certificate_key $TMP/key.pem; ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache shared:SSL:10m; ssl_session_tickets on;"
    nginx_conf "$listen" 'location = /hello { default_type text/plain; return 200 "hello world"; }'
}

declare -A RPS_S EFF_S
LABELS=() FAILED=0
measure() { # measure LOAD LABEL swirl|nginx
    local load=$1 label=$2 who=$3 port before after reqs cpu tls=0 scheme=http
    local out=$TMP/server.out
    [[ $load == https* ]] && tls=1 scheme=https
    if [[ $who == nginx ]]; then
        port=$(free_port)
        nginx_hello "$port" "$tls"
        start_server "$out" "$NGINX" -c "$TMP/nginx.conf" -p "$TMP"
        for _ in $(seq 100); do
            curl -sk -o /dev/null "$scheme://127.0.0.1:$port/hello" && break
            sleep 0.05
        done
    else
        local args=(serve --port 0 --mode base --workers 1)
        [[ $tls == 1 ]] && args+=(--cert "$TMP/cert.pem" --key "$TMP/key.pem")
        start_server "$out" "$SWIRL" "${args[@]}"
        port=$(wait_port "$out") || {
            echo "bench/tls: $label did not start" >&2
            cat "$out" >&2
            stop_server
            FAILED=1
            return
        }
    fi
    local bench=(http "$scheme://127.0.0.1:$port/hello" -c "$CONNS" -d "$SECONDS_EACH")
    [[ $load == https-new ]] && bench+=(--keepalive off)
    before=$(tree_cpu "$SERVER_PID")
    "${CLIENT_PIN[@]}" "$SWIRL" bench "${bench[@]}" >"$TMP/bench.out" 2>"$TMP/bench.err" ||
        { echo "bench/tls: $load, $label: errors:" >&2; head -5 "$TMP/bench.err" >&2; FAILED=1; }
    after=$(tree_cpu "$SERVER_PID")
    stop_server
    reqs=$(awk '/^requests:/ { print $2 }' "$TMP/bench.out")
    cpu=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
    local key="$load|$label"
    [[ -v "RPS_S[$key]" ]] || LABELS+=("$key")
    RPS_S[$key]+="$(awk '/^requests_per_sec:/ { printf "%.0f", $2 }' "$TMP/bench.out") "
    EFF_S[$key]+="$(awk -v n="${reqs:-0}" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }') "
    if [[ $load == https-new ]]; then
        echo "  $label: $(awk '/^tls_/ { printf "%s %s ", $1, $2 }' "$TMP/bench.out")" >&2
    fi
}

NGX="nginx (1 worker)" SW="swirl base, 1 worker"
echo "tls: swirl bench http -c$CONNS -d$SECONDS_EACH, $ROUNDS rounds (servers interleaved," \
    "medians); server on CPU 0, client on CPU 1"
for load in http https https-new; do
    for ((round = 1; round <= ROUNDS; round++)); do
        measure "$load" "$NGX" nginx
        measure "$load" "$SW" swirl
    done
done

printf '\n%-10s %-22s %12s %16s %9s %10s   %s\n' load server "requests/s" "req per CPU-s" \
    "vs nginx" "vs http" "(req per CPU-s of each round)"
for key in "${LABELS[@]}"; do
    load=${key%%|*} label=${key#*|}
    eff=$(median "${EFF_S[$key]}")
    ngx=$(median "${EFF_S[$load|$NGX]:-}")
    plain=$(median "${EFF_S[http|$label]:-}")
    vs() { awk -v e="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.2f", e / r; else print "-" }'; }
    printf '%-10s %-22s %12.0f %16.0f %9s %10s   %s\n' "$load" "$label" \
        "$(median "${RPS_S[$key]}")" "$eff" "$(vs "$eff" "$ngx")" "$(vs "$eff" "$plain")" \
        "${EFF_S[$key]}"
done
exit $FAILED

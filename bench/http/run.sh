#!/usr/bin/env bash
# bench/http/run.sh BUILD_DIR — HTTP: `swirl serve` (BASE, 1 worker; PROCESS,
# 1 worker + 1 reactor) against Debian's nginx (1 worker, access log off,
# `return 200 "hello world"`) and the minimal reference server
# (bench_reference_echo --http: one canned response per request head),
# each pinned to CPU 0 and driven by wrk pinned to CPU 1, servers
# interleaved, ROUNDS rounds, medians shown. Loads:
#   hello      GET /hello, wrk -t1 -c64
#   static     GET /16k.bin (a 16 KiB file; the reference has no files)
#   pipelined  GET /hello 16 deep (wrk with a Lua script)
# On two cores wrk saturates its own core near the servers' limit, so the
# figure compared is requests per second of server CPU (the whole process
# tree, from /proc), with the ratios swirl/nginx and swirl/reference.
set -euo pipefail

BUILD=${1:?usage: bench/http/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SWIRL=$BUILD/swirl
REFERENCE=$BUILD/bench_reference_echo
CONNS=${CONNS:-64}
SECONDS_EACH=${SECONDS_EACH:-10}
ROUNDS=${ROUNDS:-3}
for tool in wrk nginx; do
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || {
        echo "bench/http: $tool is not installed (scripts/deps.sh bench installs it)" >&2
        exit 1
    }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

TMP=$(mktemp -d /tmp/swirl-bench-http.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../lib.sh"

ROOT=$TMP/root
mkdir -p "$ROOT"
head -c 16384 /dev/urandom >"$ROOT/16k.bin"
chmod 755 "$TMP" "$ROOT" && chmod 644 "$ROOT/16k.bin" # nginx's worker may run as nobody
cat >"$TMP/pipeline.lua" <<'EOF'
-- 16 requests in each write; wrk counts every response
init = function(args)
    local r = {}
    for i = 1, 16 do r[i] = wrk.format("GET", "/hello") end
    req = table.concat(r)
end
request = function() return req end
EOF

# nginx: 1 worker, /hello canned, the rest files under ROOT
nginx_http() { # nginx_http PORT
    nginx_conf "listen 127.0.0.1:$1;" \
        'location = /hello { default_type text/plain; return 200 "hello world"; }' \
        "location / { root $ROOT; }"
}

declare -A RPS_S EFF_S
LABELS=() FAILED=0
# measure LOAD LABEL CMD...: one wrk run against a server started by CMD
# (the server prints "listening on ...:PORT"; for nginx CMD is "nginx").
measure() {
    local load=$1 label=$2 port before after reqs cpu path=/hello
    shift 2
    local out=$TMP/server.out
    if [[ $1 == nginx ]]; then
        port=$(free_port)
        nginx_http "$port"
        start_server "$out" "$NGINX" -c "$TMP/nginx.conf" -p "$TMP"
        for _ in $(seq 100); do
            curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break
            sleep 0.05
        done
    else
        start_server "$out" "$@"
        port=$(wait_port "$out") || {
            echo "bench/http: $label did not start" >&2
            cat "$out" >&2
            stop_server
            FAILED=1
            return
        }
    fi
    local wrk_args=(-t1 -c"$CONNS" -d"${SECONDS_EACH}s")
    [[ $load == static ]] && path=/16k.bin
    [[ $load == pipelined ]] && wrk_args+=(-s "$TMP/pipeline.lua")
    before=$(tree_cpu "$SERVER_PID")
    "${CLIENT_PIN[@]}" wrk "${wrk_args[@]}" "http://127.0.0.1:$port$path" >"$TMP/wrk.out" 2>&1 ||
        FAILED=1
    after=$(tree_cpu "$SERVER_PID")
    stop_server
    if grep -q "Non-2xx\|Socket errors" "$TMP/wrk.out"; then
        echo "bench/http: $load, $label: errors:" >&2
        grep "Non-2xx\|Socket errors" "$TMP/wrk.out" >&2
        FAILED=1
    fi
    reqs=$(awk '/requests in/ { print $1 }' "$TMP/wrk.out")
    cpu=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
    local key="$load|$label"
    [[ -v "RPS_S[$key]" ]] || LABELS+=("$key")
    RPS_S[$key]+="$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$TMP/wrk.out") "
    EFF_S[$key]+="$(awk -v n="${reqs:-0}" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }') "
}

REF="reference (epoll, C)" NGX="nginx (1 worker)" BASE="swirl base, 1 worker"
PROC="swirl process, 1+1"
echo "http: wrk -t1 -c$CONNS -d${SECONDS_EACH}s, $ROUNDS rounds (servers interleaved, medians);" \
    "server on CPU 0, wrk on CPU 1"
for load in hello static pipelined; do
    for ((round = 1; round <= ROUNDS; round++)); do
        [[ $load == static ]] || measure "$load" "$REF" "$REFERENCE" --http 0
        measure "$load" "$NGX" nginx
        measure "$load" "$BASE" "$SWIRL" serve --port 0 --mode base --workers 1 --root "$ROOT"
        measure "$load" "$PROC" "$SWIRL" serve --port 0 --mode process --workers 1 --reactors 1 \
            --root "$ROOT"
    done
done

printf '\n%-10s %-22s %12s %16s %9s %9s   %s\n' load server "requests/s" "req per CPU-s" \
    "vs nginx" "vs ref" "(req per CPU-s of each round)"
for key in "${LABELS[@]}"; do
    load=${key%%|*} label=${key#*|}
    eff=$(median "${EFF_S[$key]}")
    ngx=$(median "${EFF_S[$load|$NGX]:-}")
    ref=$(median "${EFF_S[$load|$REF]:-}")
    vs() { awk -v e="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.2f", e / r; else print "-" }'; }
    printf '%-10s %-22s %12.0f %16.0f %9s %9s   %s\n' "$load" "$label" \
        "$(median "${RPS_S[$key]}")" "$eff" "$(vs "$eff" "$ngx")" "$(vs "$eff" "$ref")" \
        "${EFF_S[$key]}"
done
exit $FAILED

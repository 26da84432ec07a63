#!/usr/bin/env bash
# bench/ws/run.sh BUILD_DIR — WebSocket echo: `swirl serve`'s /ws (BASE, 1
# worker; PROCESS, 1 worker + 1 reactor) against a Node.js echo server on
# the npm package `ws` (installed by this script into a temp dir; no
# permessage-deflate, as swirl), each pinned to CPU 0 and driven by
# `swirl bench ws` pinned to CPU 1 (64-byte binary messages, every echo
# checked), servers interleaved, ROUNDS rounds, medians shown. The figure
# compared is messages per second of server CPU (the whole process tree,
# from /proc), with the ratio swirl/ws.
set -euo pipefail

BUILD=${1:?usage: bench/ws/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SWIRL=$BUILD/swirl
CONNS=${CONNS:-64}
SECONDS_EACH=${SECONDS_EACH:-10}
ROUNDS=${ROUNDS:-3}
SIZE=${SIZE:-64}
for tool in node npm; do
    command -v "$tool" >/dev/null || {
        echo "bench/ws: $tool is not installed (Node.js and npm are needed for the ws reference)" >&2
        exit 1
    }
done

TMP=$(mktemp -d /tmp/swirl-bench-ws.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../lib.sh"

# the reference: Node's ws, from the npm registry, in TMP
(cd "$TMP" && npm init -y >/dev/null 2>&1 && npm install --silent --no-audit --no-fund ws >/dev/null 2>&1) || {
    echo "bench/ws: npm install ws failed" >&2
    exit 1
}
WS_VERSION=$(node -e "console.log(require('$TMP/node_modules/ws/package.json').version)")
cat >"$TMP/echo.js" <<'EOF'
// a WebSocket echo server on ws: every message back as it came
const { WebSocketServer } = require(process.argv[2]);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false }, () => {
  console.log('listening on 127.0.0.1:' + wss.address().port);
});
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
EOF

declare -A MPS_S EFF_S
LABELS=() FAILED=0
measure() { # measure LABEL PATH CMD...
    local label=$1 path=$2 port before after msgs cpu
    shift 2
    start_server "$TMP/server.out" "$@"
    port=$(wait_port "$TMP/server.out") || {
        echo "bench/ws: $label did not start" >&2
        cat "$TMP/server.out" >&2
        stop_server
        FAILED=1
        return
    }
    before=$(tree_cpu "$SERVER_PID")
    "${CLIENT_PIN[@]}" "$SWIRL" bench ws "ws://127.0.0.1:$port$path" -c "$CONNS" \
        -d "$SECONDS_EACH" --size "$SIZE" >"$TMP/bench.out" 2>"$TMP/bench.err" || FAILED=1
    after=$(tree_cpu "$SERVER_PID")
    stop_server
    if ! grep -q '^errors: 0$' "$TMP/bench.out"; then
        echo "bench/ws: $label: errors:" >&2
        head -5 "$TMP/bench.err" >&2
        FAILED=1
    fi
    msgs=$(awk '/^requests:/ { print $2 }' "$TMP/bench.out")
    cpu=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
    [[ -v "MPS_S[$label]" ]] || LABELS+=("$label")
    MPS_S[$label]+="$(awk '/^requests_per_sec:/ { printf "%.0f", $2 }' "$TMP/bench.out") "
    EFF_S[$label]+="$(awk -v n="${msgs:-0}" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }') "
}

NODE="node ws $WS_VERSION" BASE="swirl base, 1 worker" PROC="swirl process, 1+1"
echo "ws: swirl bench ws -c$CONNS -d$SECONDS_EACH --size $SIZE, $ROUNDS rounds (servers" \
    "interleaved, medians); server on CPU 0, client on CPU 1"
for ((round = 1; round <= ROUNDS; round++)); do
    measure "$NODE" / node "$TMP/echo.js" "$TMP/node_modules/ws"
    measure "$BASE" /ws "$SWIRL" serve --port 0 --mode base --workers 1
    measure "$PROC" /ws "$SWIRL" serve --port 0 --mode process --workers 1 --reactors 1
done

printf '\n%-22s %12s %16s %9s   %s\n' server "messages/s" "msg per CPU-s" "vs ws" \
    "(msg per CPU-s of each round)"
for label in "${LABELS[@]}"; do
    eff=$(median "${EFF_S[$label]}")
    ref=$(median "${EFF_S[$NODE]:-}")
    printf '%-22s %12.0f %16.0f %9s   %s\n' "$label" "$(median "${MPS_S[$label]}")" "$eff" \
        "$(awk -v e="$eff" -v r="$ref" 'BEGIN { if (r > 0) printf "%.2f", e / r; else print "-" }')" \
        "${EFF_S[$label]}"
done
exit $FAILED

#!/usr/bin/env bash
# bench/ws_client/run.sh BUILD_DIR — the WebSocket client: echo round trips
# per client CPU-second of swirl's client (swirl_ws_client_t, bench/ws_client/
# wsc.c compiled here against BUILD_DIR/libswirl.a) against a reference
# client (REF=node: Node.js's npm package `ws`, installed by this script
# into a temp dir, as bench/ws does; REF=python: Debian's python3-websockets),
# both talking to the same `swirl serve` /ws (BASE, 1 worker) on CPU 0, the
# clients on CPU 1, CONNS connections each with one SIZE-byte binary message
# in flight (every echo checked), no permessage-deflate, clients
# interleaved, ROUNDS rounds, medians shown. The figure compared is round
# trips per second of the client's own CPU (user + system), with the ratio
# swirl/reference.
set -euo pipefail

BUILD=${1:?usage: bench/ws_client/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SWIRL=$BUILD/swirl
CONNS=${CONNS:-16}
SECONDS_EACH=${SECONDS_EACH:-10}
ROUNDS=${ROUNDS:-3}
SIZE=${SIZE:-64}
REF=${REF:-node}

TMP=$(mktemp -d /tmp/swirl-bench-wsc.XXXXXX)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../lib.sh"

# swirl's client, against the built static library
cc -O2 -I"$SRC/include" "$SRC/bench/ws_client/wsc.c" "$BUILD/libswirl.a" \
    $(pkg-config --libs openssl zlib) -lpthread -o "$TMP/wsc"

case $REF in
node)
    for tool in node npm; do
        command -v "$tool" >/dev/null || {
            echo "bench/ws_client: $tool is not installed (or run with REF=python)" >&2
            exit 1
        }
    done
    (cd "$TMP" && npm init -y >/dev/null 2>&1 && npm install --silent --no-audit --no-fund ws >/dev/null 2>&1) || {
        echo "bench/ws_client: npm install ws failed (or run with REF=python)" >&2
        exit 1
    }
    REF_LABEL="node ws $(node -e "console.log(require('$TMP/node_modules/ws/package.json').version)")"
    cat >"$TMP/ref.js" <<'JS'
// the reference client: CONNS ws connections, one message in flight each
const WebSocket = require(process.argv[2]);
const [url, conns, seconds, size] = [process.argv[3], +process.argv[4], +process.argv[5], +process.argv[6]];
const payload = Buffer.alloc(size);
for (let i = 0; i < size; i++) payload[i] = (i * 7) & 0xff;
let started = 0, trips = 0, errors = 0, over = false, live = conns, cpu0, t0, cpu, wall;
setTimeout(() => { over = true; cpu = process.cpuUsage(cpu0); wall = (Date.now() - t0) / 1000; }, seconds * 1000);
for (let i = 0; i < conns; i++) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  ws.on('open', () => {
    if (++started === conns) { cpu0 = process.cpuUsage(); t0 = Date.now(); }
    ws.send(payload);
  });
  ws.on('message', (d) => {
    if (!d.equals(payload)) errors++;
    if (started === conns && !over) trips++;
    if (over) { ws.close(1000); return; }
    ws.send(payload);
  });
  ws.on('error', () => errors++);
  ws.on('close', () => {
    if (--live === 0) {
      console.log(`round_trips: ${trips}\nerrors: ${errors}\ncpu_seconds: ${((cpu.user + cpu.system) / 1e6).toFixed(3)}\nwall_seconds: ${wall.toFixed(3)}`);
    }
  });
}
JS
    REF_CMD=(node "$TMP/ref.js" "$TMP/node_modules/ws")
    ;;
python)
    /usr/bin/python3 -c 'import websockets' 2>/dev/null || {
        echo "bench/ws_client: python3-websockets is not installed" >&2
        exit 1
    }
    REF_LABEL="python websockets $(/usr/bin/python3 -c 'import websockets; print(websockets.__version__)')"
    cat >"$TMP/ref.py" <<'PY'
# the reference client: CONNS websockets connections, one message in flight each
import asyncio, sys, time
import websockets
url, conns, seconds, size = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
payload = bytes((i * 7) & 0xff for i in range(size))
state = {"trips": 0, "errors": 0, "over": False}
async def one(ready):
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        ready.release()
        while not state["over"]:
            await ws.send(payload)
            if await ws.recv() != payload:
                state["errors"] += 1
            if state["timing"]:
                state["trips"] += 1
async def main():
    ready = asyncio.Semaphore(0)
    state["timing"] = False
    tasks = [asyncio.create_task(one(ready)) for _ in range(conns)]
    for _ in range(conns):
        await ready.acquire()
    state["timing"] = True
    c0, t0 = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    state["over"] = True
    state["timing"] = False
    cpu, wall = time.process_time() - c0, time.monotonic() - t0
    await asyncio.gather(*tasks)
    print("round_trips: %d\nerrors: %d\ncpu_seconds: %.3f\nwall_seconds: %.3f"
          % (state["trips"], state["errors"], cpu, wall))
asyncio.run(main())
PY
    REF_CMD=(/usr/bin/python3 "$TMP/ref.py")
    ;;
*)
    echo "bench/ws_client: REF is node or python, not $REF" >&2
    exit 1
    ;;
esac

start_server "$TMP/server.out" "$SWIRL" serve --port 0 --mode base --workers 1
PORT=$(wait_port "$TMP/server.out") || {
    echo "bench/ws_client: swirl serve did not start" >&2
    cat "$TMP/server.out" >&2
    exit 1
}
URL="ws://127.0.0.1:$PORT/ws"

declare -A RTS_S EFF_S
FAILED=0 SWIRL_LABEL="swirl ws client"
run_client() { # run_client LABEL CMD...
    local label=$1 out
    shift
    out=$("${CLIENT_PIN[@]}" "$@" "$URL" "$CONNS" "$SECONDS_EACH" "$SIZE" 2>"$TMP/client.err") || FAILED=1
    if ! grep -q '^errors: 0$' <<<"$out"; then
        echo "bench/ws_client: $label: errors:" >&2
        head -5 "$TMP/client.err" >&2
        FAILED=1
    fi
    local trips cpu wall
    trips=$(awk '/^round_trips:/ { print $2 }' <<<"$out")
    cpu=$(awk '/^cpu_seconds:/ { print $2 }' <<<"$out")
    wall=$(awk '/^wall_seconds:/ { print $2 }' <<<"$out")
    RTS_S[$label]+="$(awk -v n="${trips:-0}" -v w="${wall:-0}" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }') "
    EFF_S[$label]+="$(awk -v n="${trips:-0}" -v c="${cpu:-0}" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }') "
}

echo "ws_client: $CONNS connections, ${SIZE}-byte binary echoes, ${SECONDS_EACH} s each, $ROUNDS" \
    "rounds (clients interleaved, medians); swirl serve /ws (base, 1 worker) on CPU 0, clients on CPU 1"
for ((round = 1; round <= ROUNDS; round++)); do
    run_client "$SWIRL_LABEL" "$TMP/wsc"
    run_client "$REF_LABEL" "${REF_CMD[@]}"
done

printf '\n%-26s %14s %22s   %s\n' client "round trips/s" "round trips per CPU-s" \
    "(per CPU-s, each round)"
for label in "$SWIRL_LABEL" "$REF_LABEL"; do
    printf '%-26s %14.0f %22.0f   %s\n' "$label" "$(median "${RTS_S[$label]}")" \
        "$(median "${EFF_S[$label]}")" "${EFF_S[$label]}"
done
ratio=$(awk -v a="$(median "${EFF_S[$SWIRL_LABEL]}")" -v b="$(median "${EFF_S[$REF_LABEL]}")" \
    'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
echo "ratio (round trips per client CPU-second, swirl / $REF_LABEL): $ratio"
exit $FAILED

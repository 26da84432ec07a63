#!/usr/bin/env bash
# tests/browser/test_chat_browser.sh SWIRL_BIN BUILD_DIR — runs chat.mjs
# against a `swirl serve` started here (and always stopped). Needs Debian's
# chromium and Node.js; playwright-core comes from the npm registry into
# BUILD_DIR/node (once). Exit 77 (skipped, said why) when one is missing.
set -euo pipefail
SWIRL=${1:?usage: test_chat_browser.sh SWIRL_BIN BUILD_DIR}
BUILD=${2:?usage: test_chat_browser.sh SWIRL_BIN BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
if [[ ! -x /usr/bin/chromium ]]; then
    echo "skipped: /usr/bin/chromium is not installed (scripts/deps.sh installs Debian's chromium)"
    exit 77
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "skipped: Node.js and npm are needed to drive the browser (playwright-core)"
    exit 77
fi
NODE_DIR=$BUILD/node
if [[ ! -d $NODE_DIR/node_modules/playwright-core ]]; then
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund \
        playwright-core >/dev/null) || { echo "npm install playwright-core failed" >&2; exit 1; }
fi
OUT=$(mktemp -d /tmp/swirl-chat-browser.XXXXXX)
PID=
cleanup() {
    [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$OUT"
}
trap cleanup EXIT
"$SWIRL" serve --port 0 --workers 2 >"$OUT/serve.out" 2>&1 &
PID=$!
for _ in $(seq 100); do
    grep -q "listening on" "$OUT/serve.out" && break
    sleep 0.05
done
URL=$(sed -En 's,.*listening on (http://127\.0\.0\.1:[0-9]+)/.*,\1,p' "$OUT/serve.out" | head -n1)
[[ -n $URL ]] || { echo "swirl serve did not start:" >&2; cat "$OUT/serve.out" >&2; exit 1; }
SHOT=$BUILD/chat-browser.png
node "$HERE/chat.mjs" "$NODE_DIR" "$URL" "$SHOT"
[[ -s $SHOT ]] || { echo "no screenshot" >&2; exit 1; }
echo "ok: the message crossed between two browser pages; screenshot in $SHOT"

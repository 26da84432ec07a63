#!/usr/bin/env bash
# Install swirl into a temp prefix, then build examples/c/echo_server.c out of
# tree against it twice — with find_package(swirl) and with pkg-config — and
# run each build: it must echo over a real socket and stop on SIGTERM.
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
# A sanitized build installs sanitized libraries: consumers need the runtime too.
flags=""
if grep -q '^SWIRL_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
    flags="-fsanitize=address,undefined"
fi

cmake -S "$src/examples/c" -B "$tmp/cmake-out" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
    -DCMAKE_C_FLAGS="$flags" >/dev/null
cmake --build "$tmp/cmake-out" >/dev/null

pcdir=$(dirname "$(find "$tmp/prefix" -name swirl.pc | head -n1)")
libdir=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=libdir swirl)
# shellcheck disable=SC2046
cc $flags "$src/examples/c/echo_server.c" $(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs swirl) \
    -Wl,-rpath,"$libdir" -o "$tmp/echo_pc"

# check BIN SEND PATTERN: start BIN on a free port, send SEND, expect one
# reply line matching the shell PATTERN, then SIGTERM and a clean stop.
check() {
    local bin=$1 send=$2 pattern=$3 out=$tmp/out.$$.$RANDOM
    "$bin" 0 >"$out" 2>&1 &
    local pid=$!
    pids+=("$pid")
    local port=""
    for _ in $(seq 200); do  # up to 10 s: a sanitized build starts slowly on a busy machine
        port=$(sed -n 's/^listening on port \([0-9]*\).*/\1/p' "$out" 2>/dev/null || true)
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { echo "FAIL: $bin printed no port:"; cat "$out"; exit 1; }
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf '%b' "$send" >&3
    local reply=""
    read -r -t 5 reply <&3 || true
    exec 3>&-
    # shellcheck disable=SC2254 # the pattern is meant to match
    case "$reply" in
    $pattern) ;;
    *) echo "FAIL: $bin answered \"$reply\""; exit 1 ;;
    esac
    kill -TERM "$pid"
    wait "$pid" || { echo "FAIL: $bin exited $? after SIGTERM"; cat "$out"; exit 1; }
    grep -q '^stopped after' "$out" || { echo "FAIL: $bin did not stop cleanly"; cat "$out"; exit 1; }
    echo "ok: $bin"
}
# the loop-level echo example, built with CMake and with pkg-config
check "$tmp/cmake-out/echo_server" 'hello swirl\n' 'hello swirl'
check "$tmp/echo_pc" 'hello swirl\n' 'hello swirl'
# the server example: PROCESS mode, a line protocol answered by a worker
check "$tmp/cmake-out/line_server" 'hello\r\n' 'worker [01]: hello*'

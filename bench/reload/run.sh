#!/usr/bin/env bash
# bench/reload/run.sh BUILD_DIR — reload under load: `swirl echo` in PROCESS
# mode gets SIGUSR1 every 200 ms while `swirl bench tcp` keeps 32
# connections busy. Prints requests, errors and how many workers were
# replaced; fails if any request was lost or any connection broke. Also run
# in the same way with task workers in the path (--task-workers 2), over
# sockets (task_ipc_mode 1) and over a message queue (task_ipc_mode 3).
set -euo pipefail

BUILD=${1:?usage: bench/reload/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SWIRL=$BUILD/swirl
SECONDS_EACH=${SECONDS_EACH:-5}
CONNS=${CONNS:-32}
TMP=$(mktemp -d /tmp/swirl-bench-reload.XXXXXX)
SERVER_PID=
cleanup() {
    [[ -z $SERVER_PID ]] || kill -TERM "$SERVER_PID" 2>/dev/null || true
    [[ -z $SERVER_PID ]] || wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run() { # run LABEL EXTRA-ECHO-ARGS...
    local label=$1
    shift
    "$SWIRL" echo --port 0 --workers 2 --reactors 2 --log-file "$TMP/log" "$@" >"$TMP/out" 2>&1 &
    SERVER_PID=$!
    local port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/out" | head -n1)
        [[ -n $port ]] && break
        sleep 0.05
    done
    [[ -n $port ]] || { echo "bench/reload: $label did not start" >&2; cat "$TMP/out" >&2; return 1; }
    (
        end=$((SECONDS + SECONDS_EACH))
        n=0
        while ((SECONDS < end)); do
            kill -USR1 "$SERVER_PID" 2>/dev/null || break
            n=$((n + 1))
            sleep 0.2
        done
        echo "$n" >"$TMP/reloads"
    ) &
    local sig=$!
    local rc=0
    "$SWIRL" bench tcp --port "$port" -c "$CONNS" -d "$SECONDS_EACH" >"$TMP/bench" 2>/dev/null || rc=$?
    wait "$sig" || true
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || rc=1
    SERVER_PID=
    local req err done_
    req=$(awk '/^requests:/ { print $2 }' "$TMP/bench")
    err=$(awk '/^errors:/ { print $2 }' "$TMP/bench")
    done_=$(grep -c "reload done" "$TMP/log" || true)
    printf '%-28s %10s %8s %9s %16s\n' "$label" "${req:-0}" "${err:-?}" "$(cat "$TMP/reloads")" "$done_"
    rm -f "$TMP/log"
    return $rc
}

echo "reload under load: SIGUSR1 every 200 ms for ${SECONDS_EACH}s, $CONNS connections," \
    "every echo checked"
printf '%-28s %10s %8s %9s %16s\n' server requests errors SIGUSR1s "reloads finished"
status=0
run "process, 2 workers" || status=1
run "process, 2 workers + 2 tasks" --task-workers 2 || status=1
run "  same, task_ipc_mode 3" --task-workers 2 --task-ipc-mode 3 || status=1
ipcs -q | grep -q "^0x" && echo "bench/reload: note: message queues exist (ipcs -q)" || true
exit $status

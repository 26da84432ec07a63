#!/usr/bin/env bash
# swoole-tests.sh DIR LIST [gate]: run Swoole's own tests named in LIST (one
# path a line, relative to DIR/tests) against php/modules/swirl.so with
# DIR/run.sh (Swoole v6.2.2's tests/, read-only, never copied here). Prints
# each result, then `N passed, M failed` (a test of LIST that does not PASS,
# a skip included, counts as failed). With `gate` it fails when any failed
# twice (a test that fails is run once more, alone, and named).
# The full log stays in php/swoole-tests.log.
# run-tests' own 60 s limit is one of silence: a test whose processes keep
# printing (a worker that fails and is started again, for ever) never ends.
# A watchdog ends, with its processes, any test still running after
# SWOOLE_TEST_LIMIT seconds (60); it then fails.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: swoole-tests.sh DIR LIST [gate]}
list=${2:?usage: swoole-tests.sh DIR LIST [gate]}
gate=${3:-}
limit=${SWOOLE_TEST_LIMIT:-60}
log=php/swoole-tests.log

# the processes under $1, itself included
tree() {
    local p
    echo "$1"
    for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree "$p"; done
}
# each test is `php ... -f /tmp/swoole-tests.*/tests/....php`, run by
# run-tests under this script (never another run's)
watchdog() {
    local pid mine
    while sleep 5; do
        mine=$(tree $$)
        for pid in $(ps -eo pid=,etimes=,args= | awk -v l="$limit" \
            '$2 > l && / -f \/tmp\/swoole-tests\.[^ ]*\/tests\// { print $1 }'); do
            grep -qx "$pid" <<<"$mine" && kill -KILL $(tree "$pid") 2>/dev/null
        done
    done
}
watchdog &
dog=$!
"$dir/run.sh" php/modules/swirl.so "$list" 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g' | tee "$log" |
    grep --line-buffered -E '^\[(PASS|FAIL|SKIP|BORK|LEAK|WARN|XFAIL)\]|^run\.sh:'
kill "$dog" 2>/dev/null
wait "$dog" 2>/dev/null
# the tests of the list, and those that passed: `[PASS] title [path] `
tests() { grep -v '^\s*#' "$list" | grep .; }
passes() { sed -n 's/^\[PASS\] .* \[\([^] ]*\)\] *$/\1/p' "$log" | sort -u; }
want=$(tests | wc -l)
passed=$(passes | grep -cxF -f <(tests))
failed=$((want - passed))
echo "$passed passed, $failed failed"
if [ "$gate" = gate ] && [ "$failed" -gt 0 ]; then
    # Some of Swoole's tests race on a loaded machine, on Swoole as on swirl
    # (a parent that reads before a child writes, a 1 s idle limit checked
    # after 1.2 s): each that failed gets one more run, alone, and the gate
    # fails only on a test that fails twice. Those that needed it are named.
    again=$(mktemp)
    tests | grep -vxF -f <(passes) >"$again"
    echo "swoole-gate: running again, alone: $(tr '\n' ' ' <"$again")"
    "$dir/run.sh" php/modules/swirl.so "$again" 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g' >>"$log"
    still=$(grep -vxF -f <(passes) "$again")
    rm -f "$again"
    if [ -n "$still" ]; then
        echo "swoole-gate: $(wc -l <<<"$still") of the $want tests of $list that passed on swirl no longer pass (twice):" >&2
        echo "$still" >&2
        exit 1
    fi
    echo "swoole-gate: all $want pass ($failed only on the second run)"
fi
exit 0

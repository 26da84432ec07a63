#!/usr/bin/env bash
# Run the libFuzzer targets built in BUILD (make fuzz-build: clang,
# SWIRL_FUZZ=ON): each first replays its crash regressions
# (tests/fuzz/regressions/NAME/) and its seed corpus (tests/fuzz/corpus/NAME/)
# once, then, when SECONDS > 0, fuzzes for SECONDS, one target after the
# other. New corpus entries go to BUILD/fuzz-corpus/NAME, crashes to
# BUILD/fuzz-crashes/NAME/ (copy one to tests/fuzz/regressions/NAME/ once
# fixed). Fails on the first crash or broken invariant.
#   scripts/fuzz.sh BUILD SECONDS [NAME...]
set -euo pipefail
build=${1:?usage: scripts/fuzz.sh BUILD SECONDS [NAME...]}
secs=${2:?usage: scripts/fuzz.sh BUILD SECONDS [NAME...]}
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(http_parser http_response websocket_frame framing multipart deflate http_server)
for n in "${names[@]}"; do
    bin=$build/tests/fuzz/fuzz_$n
    [ -x "$bin" ] || { echo "fuzz: $bin is not built (make fuzz-build)" >&2; exit 1; }
    dirs=()
    for d in "$src/tests/fuzz/regressions/$n" "$src/tests/fuzz/corpus/$n"; do
        [ -d "$d" ] && [ -n "$(ls -A "$d")" ] && dirs+=("$d")
    done
    mkdir -p "$build/fuzz-logs"
    log=$build/fuzz-logs/$n.log
    # libFuzzer's progress goes to the log; a failure prints its end
    run() {
        if ! "$@" >"$log" 2>&1; then
            tail -n 60 "$log"
            echo "fuzz: $n: FAILED (whole output: $log)" >&2
            exit 1
        fi
    }
    echo "fuzz: $n: replaying ${dirs[*]:-nothing}"
    [ ${#dirs[@]} -eq 0 ] || run "$bin" -runs=0 "${dirs[@]}"
    [ "$secs" -gt 0 ] || continue
    mkdir -p "$build/fuzz-corpus/$n" "$build/fuzz-crashes/$n"
    echo "fuzz: $n: $secs s (progress in $log)"
    run "$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$build/fuzz-crashes/$n/" "$build/fuzz-corpus/$n" "${dirs[@]}"
    echo "fuzz: $n: no crash, $(sed -n 's/^stat::number_of_executed_units: *//p' "$log") runs," \
        "corpus $(ls "$build/fuzz-corpus/$n" | wc -l) inputs"
done

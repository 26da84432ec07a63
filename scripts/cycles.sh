#!/usr/bin/env bash
# File-level call cycles inside src/server, src/http, src/client, src/http_client, src/websocket and src/mysql: file A
# calls a function defined in file B of the same folder and B calls one
# defined in A (or, longer, A calls B calls C calls A). Read from the
# build's object files (nm: the functions each defines, the symbols each
# needs). Prints every cycle, a pair with the calls that make it; exits 1
# if there is any, 2 if the objects are missing.
# Usage: scripts/cycles.sh [build dir] (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
objs=$build/CMakeFiles/swirl_objects.dir
if [ ! -d "$objs/src" ]; then
    echo "cycles.sh: no object files under $objs (build first)" >&2
    exit 2
fi
found=0
for dir in src/server src/http src/client src/http_client src/websocket src/mysql; do
    files=("$objs/$dir"/*.c.o)
    [ -e "${files[0]}" ] || { echo "cycles.sh: no objects in $objs/$dir" >&2; exit 2; }
    tmp=$(mktemp -d)
    for o in "${files[@]}"; do
        f=$(basename "$o" .o)
        nm --defined-only "$o" | awk '$2 == "T" { print $3 }' | sort -u > "$tmp/$f.def"
        nm --undefined-only "$o" | awk '{ print $NF }' | sort -u > "$tmp/$f.und"
    done
    names=()
    for o in "${files[@]}"; do names+=("$(basename "$o" .o)"); done
    # every call between two files of the folder, as "caller callee" edges
    for a in "${names[@]}"; do
        for b in "${names[@]}"; do
            [ "$a" != "$b" ] && [ -n "$(comm -12 "$tmp/$a.und" "$tmp/$b.def" | head -1)" ] &&
                echo "$a $b"
        done
    done > "$tmp/edges"
    # a longer loop (A calls B calls C calls A): tsort names its files
    if ! tsort "$tmp/edges" > /dev/null 2> "$tmp/loop"; then
        awk -v dir="$dir" '/input contains a loop/ { if (l) print l; l = "cycle in " dir ":"; next }
            { sub(/^tsort: /, ""); l = l " " $0 } END { if (l) print l }' "$tmp/loop"
        found=1
    fi
    for ((i = 0; i < ${#names[@]}; i++)); do
        for ((j = i + 1; j < ${#names[@]}; j++)); do
            a=${names[i]} b=${names[j]}
            ab=$(comm -12 "$tmp/$a.und" "$tmp/$b.def" | head -3 | paste -sd, -)
            ba=$(comm -12 "$tmp/$b.und" "$tmp/$a.def" | head -3 | paste -sd, -)
            if [ -n "$ab" ] && [ -n "$ba" ]; then
                echo "cycle: $dir/$a <-> $dir/$b"
                echo "    $a calls $ab"
                echo "    $b calls $ba"
                found=1
            fi
        done
    done
    rm -rf "$tmp"
done
if [ "$found" -ne 0 ]; then
    exit 1
fi
echo "cycles.sh: no file-level cycle in src/server, src/http, src/client, src/http_client, src/websocket, src/mysql"

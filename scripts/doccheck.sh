#!/usr/bin/env bash
# Every exported declaration of the public headers (include/swirl/*.h) has its
# doc comment: each top-level function (SWIRL_API, static inline), typedef,
# enum, struct or union begins right under a comment, or under another
# declaration of the same group (no blank line between them, the first one
# commented). Prints each one that has none as file:line: text, and fails.
# Usage: scripts/doccheck.sh [header...]   (default: include/swirl/*.h)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- include/swirl/*.h
awk '
FNR == 1 { doc = 0; incomment = 0; depth = 0 }
{
    line = $0
    if (incomment) {
        if (index(line, "*/")) { incomment = 0; doc = 1 }
        next
    }
    if (line ~ /^[ \t]*$/) { doc = 0; next }
    if (line ~ /^[ \t]*\/\*/) {
        if (index(line, "*/")) doc = 1; else incomment = 1
        next
    }
    if (line ~ /^[ \t]*\/\//) { doc = 1; next }
    if (line ~ /^#/ || line ~ /^extern "C"/) next
    if (depth == 0 && line ~ /^(SWIRL_API|typedef|static inline|enum|struct|union)[ \t({]/ && !doc) {
        printf "%s:%d: no doc comment: %s\n", FILENAME, FNR, line
        bad++
    }
    n = gsub(/[{]/, "{", line); m = gsub(/[}]/, "}", line)
    depth += n - m
    if (depth < 0) depth = 0
}
END {
    if (bad) { printf "doccheck: %d exported declarations without a doc comment\n", bad; exit 1 }
}' "$@"

# bench/lib.sh — what every benchmark script shares: pinning, the CPU
# time of a server's whole process tree from /proc, starting and stopping a
# server, waiting for its port, a free port, an nginx config, medians. Sourced after TMP is set.

SERVER_PID=
# shellcheck disable=SC2317 # called from the trap
cleanup() {
    stop_server
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Pinning needs taskset and two CPUs; without them the numbers still mean
# something, just less.
SERVER_PIN=() CLIENT_PIN=()
if command -v taskset >/dev/null && (($(nproc) >= 2)); then
    SERVER_PIN=(taskset -c 0) CLIENT_PIN=(taskset -c 1)
else
    echo "bench: no taskset or fewer than 2 CPUs: running unpinned" >&2
fi

TICKS=$(getconf CLK_TCK)

# Every process in the tree under $1 (itself included), one pid a line,
# from the ppid field of /proc/*/stat.
tree_pids() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
        { # comm (field 2) may hold spaces and parentheses: split after the last ")"
          q = 0
          for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { q = i; break }
          split(substr($0, q + 2), f, " ")
          pid = $1 + 0; parent[pid] = f[2] + 0 }
        END {
          in_tree[root] = 1
          do { grew = 0
               for (p in parent) if (!(p in in_tree) && (parent[p] in in_tree)) { in_tree[p] = 1; grew = 1 }
          } while (grew)
          for (p in in_tree) if (p in parent) print p }'
}

# CPU seconds used so far by the tree under $1: utime+stime of every
# process (all its threads), plus cutime+cstime of children it reaped.
tree_cpu() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" -v hz="$TICKS" '
        { q = 0
          for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { q = i; break }
          split(substr($0, q + 2), f, " ")
          # after the comm: f[1] state, f[2] ppid, f[12] utime, f[13] stime, f[14] cutime, f[15] cstime
          pid = $1 + 0; parent[pid] = f[2] + 0; ticks[pid] = f[12] + f[13] + f[14] + f[15] }
        END {
          in_tree[root] = 1
          do { grew = 0
               for (p in parent) if (!(p in in_tree) && (parent[p] in in_tree)) { in_tree[p] = 1; grew = 1 }
          } while (grew)
          t = 0
          for (p in in_tree) t += ticks[p]
          printf "%.2f\n", t / hz }'
}

stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    local pids
    pids=$(tree_pids "$SERVER_PID")
    kill -TERM "$SERVER_PID" 2>/dev/null || true # let a master stop its own workers
    for _ in $(seq 50); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    # shellcheck disable=SC2086 # one pid a word
    kill -KILL $pids 2>/dev/null || true # whatever is left of the tree
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# start_server OUTFILE CMD...: start it on CPU 0 (sets SERVER_PID).
start_server() {
    local out=$1
    shift
    "${SERVER_PIN[@]}" "$@" >"$out" 2>&1 &
    SERVER_PID=$!
}

# wait_port OUTFILE: print the port once the server said
# "listening on [http://]127.0.0.1:PORT"; fail if it died or took over 5 s.
wait_port() {
    for _ in $(seq 100); do
        if grep -Eq 'listening on (https?://)?127\.0\.0\.1:[0-9]' "$1"; then
            sed -En 's,.*listening on (https?://)?127\.0\.0\.1:([0-9]*).*,\2,p' "$1" | head -n1
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}

free_port() { # a TCP port free on 127.0.0.1 now
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# nginx_conf SERVER-LINES...: $TMP/nginx.conf for Debian's nginx run in the
# foreground (1 worker, access log off, every temp path and the pid under
# TMP), with one server block made of the lines given (listen, locations).
nginx_conf() {
    {
        cat <<EOF
worker_processes 1;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx.error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    client_body_temp_path $TMP/ngx-body;
    proxy_temp_path $TMP/ngx-proxy;
    fastcgi_temp_path $TMP/ngx-fcgi;
    uwsgi_temp_path $TMP/ngx-uwsgi;
    scgi_temp_path $TMP/ngx-scgi;
    server {
EOF
        printf '        %s\n' "$@"
        printf '    }\n}\n'
    } >"$TMP/nginx.conf"
}

median() { # median of the numbers in $1
    tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure_echo NAME LABEL CMD...: start the echo server CMD (it prints its
# port), run `swirl bench tcp` ($SWIRL, $CONNS, $SECONDS_EACH, $SIZE) on it
# from CPU 1, stop it; append the round's figures to the caller's RT_S,
# CPU_S, EFF_S (associative, by label) and LABELS; FAILED=1 on any failure.
# NAME prefixes the messages ("bench/NAME: ...").
measure_echo() {
    local name=$1 label=$2 port before after out rt reqs errors cpu
    shift 2
    out=$TMP/server.out
    start_server "$out" "$@"
    if ! port=$(wait_port "$out"); then
        echo "bench/$name: $label did not start: $*" >&2
        cat "$out" >&2
        stop_server
        FAILED=1
        return
    fi
    before=$(tree_cpu "$SERVER_PID")
    if ! "${CLIENT_PIN[@]}" "$SWIRL" bench tcp --host 127.0.0.1 --port "$port" \
        -c "$CONNS" -d "$SECONDS_EACH" --size "$SIZE" >"$TMP/bench.out" 2>"$TMP/bench.err"; then
        echo "bench/$name: $label: swirl bench tcp failed:" >&2
        grep -v '^[0-9]*s: ' "$TMP/bench.err" >&2 || true
        FAILED=1
    fi
    after=$(tree_cpu "$SERVER_PID")
    stop_server
    rt=$(awk '/^round_trips_per_sec:/ { print $2 }' "$TMP/bench.out")
    reqs=$(awk '/^requests:/ { print $2 }' "$TMP/bench.out")
    errors=$(awk '/^errors:/ { print $2 }' "$TMP/bench.out")
    cpu=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
    [[ -v "RT_S[$label]" ]] || LABELS+=("$label")
    RT_S[$label]+="${rt:-0} "
    CPU_S[$label]+="$cpu "
    EFF_S[$label]+="$(awk -v n="${reqs:-0}" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }') "
    [[ ${errors:-1} == 0 ]] || FAILED=1
}

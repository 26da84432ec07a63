#!/usr/bin/env bash
# bench/mysql/run.sh BUILD_DIR — MySQL queries per client CPU-second: swirl's
# async client (CONNECTIONS connections, 4 queries queued on each) against the
# connector's blocking API from one process, the same QUERIES queries (a
# 10-row SELECT, every row read) against one private mariadbd started here
# on a Unix socket and stopped at the end. Prints both and the ratio.
# QUERIES (default 20000), CONNECTIONS (default 4).
set -euo pipefail

BUILD=${1:?usage: bench/mysql/run.sh BUILD_DIR}
BIN=$(cd "$BUILD" && pwd)/bench_mysql
[[ -x $BIN ]] || { echo "bench/mysql: $BIN not built" >&2; exit 1; }
command -v mariadbd >/dev/null || [[ -x /usr/sbin/mariadbd ]] || { echo "bench/mysql: mariadbd not installed (mariadb-server)" >&2; exit 1; }

TMP=$(mktemp -d)
PID=
cleanup() {
    if [[ -n $PID ]]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

user=()
[[ $(id -u) -eq 0 ]] && user=(--user=root)
mariadb-install-db --no-defaults --datadir="$TMP/data" --auth-root-authentication-method=normal \
    "${user[@]}" --skip-test-db >"$TMP/install.log" 2>&1
/usr/sbin/mariadbd --no-defaults --datadir="$TMP/data" --socket="$TMP/sock" --skip-networking \
    --pid-file="$TMP/pid" --log-error="$TMP/err.log" --skip-log-bin "${user[@]}" >/dev/null 2>&1 &
PID=$!
for _ in $(seq 300); do
    [[ -S $TMP/sock ]] && mariadb --no-defaults -S "$TMP/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.1
done
mariadb --no-defaults -S "$TMP/sock" -uroot -e "
    CREATE USER 'bench'@'localhost' IDENTIFIED BY 'bench-pw';
    GRANT ALL ON *.* TO 'bench'@'localhost';
    CREATE DATABASE bench;
    USE bench;
    CREATE TABLE bench.bench (id INT PRIMARY KEY, name VARCHAR(32), v DOUBLE);
    INSERT INTO bench.bench SELECT seq, CONCAT('name-', seq), seq / 3 FROM seq_1_to_100;"
"$BIN" "$TMP/sock" bench bench-pw bench "${QUERIES:-20000}" "${CONNECTIONS:-4}"

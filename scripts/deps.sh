#!/usr/bin/env bash
# Install the Debian packages swirl needs to build and test (and, with the
# argument `bench`, to run the benchmarks). As root it runs
# apt-get; otherwise it prints the exact command and fails if anything is missing.
set -euo pipefail

# build and test (node-llhttp: llhttp's C, the oracle of one parser test; python3: its
# http.client drives one test; python3-websockets: the strict WebSocket peer of two more
# (swirl's server, swirl's client);
# chromium: the chat page's browser test; openssl: test certificates; redis-server and
# nginx-light: real servers the client tests talk to, started by the tests themselves;
# php8.2-cli and php8.2-dev: the PHP extension, built with phpize and tested with run-tests.php;
# php8.2-mbstring and php8.2-curl: what Swoole's own tests need (make swoole-tests, swoole-gate);
# php-slim (Slim 3, with its own PSR-7) and php-symfony-http-foundation: the framework
# examples' tests (examples/php/slim, examples/php/symfony);
# clang and libclang-rt-14-dev (only recommended by clang, and so not installed with it: the
# fuzzer runtime): the libFuzzer targets `make asan` runs);
# libmariadb-dev: MariaDB Connector/C, the MySQL client's protocol (src/mysql); mariadb-server:
# the real server its tests start (mariadbd, mariadb-install-db, the mariadb command);
# `deps.sh bench` adds what the benchmarks run against
packages=(build-essential cmake pkg-config libcriterion-dev zlib1g-dev libssl-dev netcat-openbsd curl
          node-llhttp python3 python3-websockets chromium openssl ca-certificates redis-server
          nginx-light php8.2-cli php8.2-dev php8.2-mbstring php8.2-curl php-slim php-symfony-http-foundation
          clang libclang-rt-14-dev libmariadb-dev mariadb-server)
packages+=(libhiredis-dev) # the Redis client's protocol (src/redis)
if [ "${1:-}" = bench ]; then
    packages+=(wrk)
    # bench/http_client measures wrk's CPU time with /usr/bin/time
    packages+=(time)
    # bench/redis compares the Redis client with redis-benchmark
    packages+=(redis-tools)
    # bench/ws and bench/ws_client run Node's ws (from the npm registry) as their reference
    command -v node >/dev/null 2>&1 || packages+=(nodejs)
    command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: not a Debian system; make sure these are installed: ${packages[*]}" >&2
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # redis-server and nginx are only run by the tests, on ports of their
    # own: keep their packages from starting system services (on port 80,
    # 6379) while installing
    policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "deps: missing Debian packages: ${missing[*]}" >&2
    echo "deps: run as root:  $cmd" >&2
    exit 1
fi

#!/usr/bin/env bash
# Regenerate stubs/*_arginfo.h from stubs/*.stub.php with PHP's own
# gen_stub.php. gen_stub.php wants nikic/PHP-Parser beside itself and would
# download it; we point it at Debian's php-parser package instead
# (apt-get install php8.2-dev php-parser).
set -euo pipefail
cd "$(dirname "$0")"
gen=$(ls /usr/lib/php/*/build/gen_stub.php 2>/dev/null | tail -1)
[ -n "$gen" ] || { echo "gen_stub.php not found: apt-get install php8.2-dev" >&2; exit 1; }
[ -d /usr/share/php/PhpParser ] || { echo "PHP-Parser not found: apt-get install php-parser" >&2; exit 1; }
want=$(sed -n 's/.*\$version = "\([0-9.]*\)".*/\1/p' "$gen" | head -1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/PHP-Parser-$want/lib"
ln -s /usr/share/php/PhpParser "$tmp/PHP-Parser-$want/lib/PhpParser"
cp "$gen" "$tmp/gen_stub.php"
php "$tmp/gen_stub.php" "${@:-stubs}"

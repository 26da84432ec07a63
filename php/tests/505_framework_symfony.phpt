--TEST--
examples/php/symfony: Symfony HttpFoundation (Debian's php-symfony-http-foundation) on Swoole\Http\Server through a request/response bridge: sessions kept across requests and workers, several Set-Cookie headers, forms and uploads, JSON, a redirect, a StreamedResponse (write()), a BinaryFileResponse (sendfile()); asked by curl, reloaded by SIGUSR1 (the session survives), stopped by SIGTERM
--EXTENSIONS--
pcntl
--SKIPIF--
<?php
if (!is_file('/usr/share/php/Symfony/Component/HttpFoundation/autoload.php')) die('skip php-symfony-http-foundation is not installed: scripts/deps.sh installs it');
?>
--FILE--
<?php
require __DIR__ . '/frameworks.inc';
$port = free_port();
$u = "http://127.0.0.1:$port";
$sessions = sys_get_temp_dir() . '/swirl-sf-sessions-' . getmypid();
$jar = tempnam(sys_get_temp_dir(), 'swirl-jar');
[$proc, $master, $out] = fw_start('symfony/server.php', [$port, $sessions]);
var_dump(wait_port($port));

echo fw_head(fw_curl('-i', "$u/")), "\n", fw_curl("$u/");
echo fw_curl("$u/json?a=1&b[]=x"), "\n";
$file = tempnam(sys_get_temp_dir(), 'swirl-up');
file_put_contents($file, random_bytes(70000));
$r = json_decode(fw_curl('-F', 'title=report', '-F', "doc=@$file;filename=r.bin", "$u/form"), true);
echo "form: ", json_encode($r['fields']), ", ", $r['files']['doc']['name'], ' ', $r['files']['doc']['size'], ' bytes ',
     $r['files']['doc']['md5'] === md5_file($file) ? 'same md5' : 'WRONG md5', $r['files']['doc']['valid'] ? ', valid' : ', INVALID', "\n";
unlink($file);
echo "GET /form: ", fw_curl('-o', '/dev/null', '-w', '%{http_code}', "$u/form"), "\n";

/* the session: a cookie on first use, the counter kept across requests
 * (which two workers share), a new session for a client without it */
$r = fw_curl('-i', '-c', $jar, '-b', $jar, "$u/session");
echo preg_replace('/SFSESSID=[a-zA-Z0-9,-]{22,}/', 'SFSESSID=ID', fw_head($r)), "\n", explode("\r\n\r\n", $r, 2)[1], "\n";
$id = fn() => preg_match('/SFSESSID\t(\S+)/', file_get_contents($jar), $m) ? $m[1] : null;
$first = $id();
for ($i = 0; $i < 5; $i++) $last = fw_curl('-c', $jar, '-b', $jar, "$u/session");
echo $last, ", same id: ", json_encode($id() === $first), "\n";
echo "no cookie: ", fw_curl("$u/session"), "\n";
echo "bad cookie: ", fw_curl('-b', 'SFSESSID=../../etc/passwd', "$u/session"), "\n";

$r = fw_curl('-i', '-b', 'old=1; keep=2', "$u/cookies");
echo preg_replace('/expires=[^;]+/', 'expires=DATE', fw_head($r)), "\n", explode("\r\n\r\n", $r, 2)[1], "\n";
$r = fw_curl('-i', "$u/redirect");
echo "redirect: ", preg_match('/^HTTP\/1.1 302 Found\r\n.*^Location: \/json\?from=redirect\r$/sm', $r), "\n";
echo fw_curl('-L', "$u/redirect"), "\n";
$r = fw_curl('-i', "$u/stream");
echo fw_head($r), "\n", explode("\r\n\r\n", $r, 2)[1];
echo "file: ", fw_curl("$u/file") === file_get_contents(example_path('symfony/server.php')) ? 'same bytes' : 'DIFFERENT', "\n";
echo "404: ", fw_curl('-o', '/dev/null', '-w', '%{http_code}', "$u/none"), "\n";

$manager = (int)array_values(children_of($master))[0];
fw_reload($master, $manager, "$u/", 'Hello, Symfony');
echo "session after reload: ", fw_curl('-c', $jar, '-b', $jar, "$u/session"), "\n";
echo "logout: ", fw_curl('-c', $jar, '-b', $jar, "$u/logout"), ", then ", fw_curl('-c', $jar, '-b', $jar, "$u/session"),
     ", new id: ", json_encode($id() !== $first), "\n";
fw_stop($proc, $master);
echo "PHP errors: ", preg_match_all('/^(PHP )?(Warning|Fatal error|Notice|Deprecated)/m', file_get_contents($out)), "\n";
array_map('unlink', glob("$sessions/*"));
rmdir($sessions);
unlink($jar);
?>
--EXPECT--
bool(true)
HTTP/1.1 200 OK
Server: NAME
Content-Length: 15
Connection: keep-alive
Content-Type: text/plain; charset=UTF-8
Cache-Control: no-cache, private
Hello, Symfony
{"query":{"a":"1","b":["x"]},"host":"127.0.0.1","ip":"127.0.0.1","method":"GET"}
form: {"title":"report"}, r.bin 70000 bytes same md5, valid
GET /form: 405
HTTP/1.1 200 OK
Server: NAME
Content-Length: 11
Connection: keep-alive
Cache-Control: no-cache, private
Content-Type: application/json
Set-Cookie: SFSESSID=ID; path=/; httponly; samesite=lax
{"count":1}
{"count":6}, same id: true
no cookie: {"count":1}
bad cookie: {"count":1}
HTTP/1.1 200 OK
Server: NAME
Content-Length: 35
Connection: keep-alive
Cache-Control: no-cache, private
Content-Type: application/json
Set-Cookie: theme=dark; path=/; httponly; samesite=lax
Set-Cookie: lang=fr; path=/; samesite=strict
Set-Cookie: old=deleted; expires=DATE; Max-Age=0; path=/; httponly
Vary: Accept-Encoding
{"received":{"old":"1","keep":"2"}}
redirect: 1
{"query":{"from":"redirect"},"host":"127.0.0.1","ip":"127.0.0.1","method":"GET"}
HTTP/1.1 200 OK
Server: NAME
Transfer-Encoding: chunked
Connection: keep-alive
Content-Type: text/plain; charset=UTF-8
Cache-Control: no-cache, private
part 1
part 2
part 3
file: same bytes
404: 404
reload: done, 2 workers -> 2, old left 0, same pids 0, every request answered
after reload: 4/4 answered
session after reload: {"count":7}
logout: {"logged_out":true}, then {"count":1}, new id: true
SIGTERM: exit 0, left running 0
PHP errors: 0

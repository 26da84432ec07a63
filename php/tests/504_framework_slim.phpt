--TEST--
examples/php/slim: a Slim 3 app (Debian's php-slim, its PSR-7) on Swoole\Http\Server through a small bridge: routes, JSON, form posts (urlencoded, multipart, JSON), uploads, cookies (two Set-Cookie), a redirect, a streamed body (write()), 404 and 405; asked by curl, reloaded by SIGUSR1, stopped by SIGTERM
--EXTENSIONS--
pcntl
--SKIPIF--
<?php
if (!is_file('/usr/share/php/Slim/App.php')) die('skip php-slim (Slim 3) is not installed: scripts/deps.sh installs it');
?>
--FILE--
<?php
require __DIR__ . '/frameworks.inc';
$port = free_port();
$u = "http://127.0.0.1:$port";
[$proc, $master, $out] = fw_start('slim/server.php', [$port, 2]);
var_dump(wait_port($port));

echo fw_head(fw_curl('-i', "$u/")), "\n";
echo fw_curl("$u/"), fw_curl("$u/hello/ana%20b"), fw_curl("$u/json?a=1&b[]=2&b[]=3"), "\n";
echo fw_curl('-d', 'x=1&y=two+words&z[k]=v', "$u/form"), "\n";
echo fw_curl('-F', 'x=1', '-F', 'y=ü', "$u/form"), "\n";
echo fw_curl('-H', 'Content-Type: application/json', '-d', '{"k":[1,2],"s":"t"}', "$u/form"), "\n";
$file = tempnam(sys_get_temp_dir(), 'swirl-up');
file_put_contents($file, str_repeat("swirl upload\n", 20000));
$up = json_decode(fw_curl('-F', "doc=@$file;filename=notes.txt;type=text/plain", '-F', 'note=hi', "$u/upload"), true);
echo "upload: ", $up['files']['doc']['name'], ' ', $up['files']['doc']['type'], ' ', $up['files']['doc']['size'], ' bytes, ',
     $up['files']['doc']['md5'] === md5_file($file) ? 'same md5' : 'WRONG md5', ', error ', $up['files']['doc']['error'],
     ', fields ', json_encode($up['fields']), "\n";
unlink($file);
$r = fw_curl('-i', '-b', 'visits=3; other=x', "$u/cookies");
echo fw_head($r), "\n", explode("\r\n\r\n", $r, 2)[1], "\n";
echo fw_head(fw_curl('-i', "$u/redirect")), "\n";
echo fw_curl('-L', "$u/redirect");
$r = fw_curl('-i', "$u/stream?n=4");
echo fw_head($r), "\n", explode("\r\n\r\n", $r, 2)[1];
echo "404: ", fw_curl('-o', '/dev/null', '-w', '%{http_code}', "$u/nothing/here"), "\n";
echo "405: ", fw_curl('-o', '/dev/null', '-w', '%{http_code}', '-X', 'DELETE', "$u/json"), "\n";

$manager = (int)array_values(children_of($master))[0];
fw_reload($master, $manager, "$u/", 'Hello, Slim');
fw_stop($proc, $master);
echo "PHP errors: ", preg_match_all('/^(PHP )?(Warning|Fatal error|Notice|Deprecated)/m', file_get_contents($out)), "\n";
?>
--EXPECT--
bool(true)
HTTP/1.1 200 OK
Server: NAME
Content-Length: 12
Connection: keep-alive
Content-Type: text/html; charset=UTF-8
Hello, Slim
Hello, ana b
{"framework":"slim","query":{"a":"1","b":["2","3"]}}
{"type":"application\/x-www-form-urlencoded","body":{"x":"1","y":"two words","z":{"k":"v"}}}
{"type":"multipart\/form-data","body":{"x":"1","y":"\u00fc"}}
{"type":"application\/json","body":{"k":[1,2],"s":"t"}}
upload: notes.txt text/plain 260000 bytes, same md5, error 0, fields {"note":"hi"}
HTTP/1.1 200 OK
Server: NAME
Content-Length: 39
Connection: keep-alive
Content-Type: application/json
Set-Cookie: visits=4
Set-Cookie: flavour=oat+meal; path=/; HttpOnly
Vary: Accept-Encoding
{"received":{"visits":"3","other":"x"}}
HTTP/1.1 302 Found
Server: NAME
Content-Length: 0
Connection: keep-alive
Content-Type: text/html; charset=UTF-8
Location: /hello/redirected
Hello, redirected
HTTP/1.1 200 OK
Server: NAME
Transfer-Encoding: chunked
Connection: keep-alive
Content-Type: text/plain
chunk 1 of 4
chunk 2 of 4
chunk 3 of 4
chunk 4 of 4
404: 404
405: 405
reload: done, 2 workers -> 2, old left 0, same pids 0, every request answered
after reload: 4/4 answered
SIGTERM: exit 0, left running 0
PHP errors: 0

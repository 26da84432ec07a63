--TEST--
Swoole\Http\Server settings from set(): document_root with enable_static_handler (on and off), upload_tmp_dir (and a missing one), http_parse_post, http_parse_cookie, http_compression, http_compression_level, package_max_length (413, also instead of 100 Continue); bad values are warnings naming the key
--EXTENSIONS--
swoole
pcntl
zlib
--FILE--
<?php
require __DIR__ . '/http.inc';

$root = sys_get_temp_dir() . '/swirl-root-' . getmypid();
@mkdir($root);
file_put_contents("$root/style.css", "body { color: red }\n");
$handler = function ($req, $resp) {
    log_line("handler " . $req->server['request_uri']);
    $resp->end(json_encode(['post' => $req->post, 'files' => $req->files, 'cookie' => $req->cookie,
                            'raw' => $req->rawContent(), 'cookie header' => $req->header['cookie'] ?? null]));
};

echo "-- document_root, enable_static_handler\n";
foreach ([true, false] as $on) {
    [$pid, $port] = http_run(SWOOLE_PROCESS, ['document_root' => $root, 'enable_static_handler' => $on], $handler);
    $r = http_do($port, 'GET', '/style.css');
    echo "static ", var_export($on, true), ": $r[status] ", $r['headers']['content-type'], " ", json_encode($r['body']), "\n";
    $r = http_do($port, 'GET', '/missing.txt');
    echo "missing: $r[status]\n";
    server_stop($pid);
    echo http_log();
}

echo "-- upload_tmp_dir\n";
$s = new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_BASE);
var_dump($s->set(['upload_tmp_dir' => "$root/nonexistent", 'log_level' => 5]));
$s->on('request', $handler);
var_dump($s->start());
[$pid, $port] = http_run(SWOOLE_BASE, ['upload_tmp_dir' => $root], function ($req, $resp) use ($root) {
    $resp->end(dirname($req->files['f']['tmp_name']) === $root ? 'in upload_tmp_dir' : 'elsewhere');
});
[$type, $body] = multipart([], [['f', 'a.txt', 'text/plain', 'x']]);
echo http_do($port, 'POST', '/', ["Content-Type: $type"], $body)['body'], "\n";
server_stop($pid);

echo "-- http_parse_post, http_parse_cookie\n";
foreach ([true, false] as $on) {
    [$pid, $port] = http_run(SWOOLE_BASE, ['http_parse_post' => $on, 'http_parse_cookie' => $on], $handler);
    $o = json_decode(http_do($port, 'POST', '/form', ['Content-Type: application/x-www-form-urlencoded', 'Cookie: c=1'], 'a=1&b[]=2')['body'], true);
    echo "parse ", var_export($on, true), ": ", json_encode($o), "\n";
    [$type, $body] = multipart(['f' => 'v'], [['u', 'u.txt', 'text/plain', 'up']]);
    $o = json_decode(http_do($port, 'POST', '/multi', ["Content-Type: $type"], $body)['body'], true);
    echo "multipart post=", json_encode($o['post']), " files=", $o['files'] ? 'yes' : 'null',
        " raw=", $o['raw'] === false ? 'false' : (str_contains($o['raw'], 'name="u"') ? 'the body' : 'other'), "\n";
    server_stop($pid);
    echo http_log();
}

echo "-- http_compression, http_compression_level\n";
mt_srand(7);
$words = explode(' ', 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega');
$text = '';
while (strlen($text) < 20000) {
    $text .= $words[mt_rand(0, count($words) - 1)] . (mt_rand(0, 9) ? ' ' : ".\n");
}
$sizes = [];
foreach ([['http_compression' => true, 'http_compression_level' => 1],
          ['http_compression' => true, 'http_compression_level' => 9],
          ['http_compression' => false, 'http_compression_level' => 9]] as $set) {
    [$pid, $port] = http_run(SWOOLE_BASE, $set, function ($req, $resp) use ($text) {
        $resp->end($text);
    });
    $r = http_do($port, 'GET', '/', ['Accept-Encoding: gzip']);
    $enc = $r['headers']['content-encoding'] ?? 'none';
    $sizes[] = strlen($r['body']);
    echo json_encode($set), ": $enc ", var_export(($enc === 'gzip' ? gzdecode($r['body']) : $r['body']) === $text, true), "\n";
    $r = http_do($port, 'GET', '/');
    echo "  without Accept-Encoding: ", $r['headers']['content-encoding'] ?? 'none', "\n";
    server_stop($pid);
}
echo "level 9 smaller than level 1: ", var_export($sizes[1] < $sizes[0] && $sizes[0] < $sizes[2], true), "\n";

echo "-- package_max_length\n";
[$pid, $port] = http_run(SWOOLE_PROCESS, ['package_max_length' => 1024], function ($req, $resp) {
    $resp->end('got ' . strlen($req->rawContent()));
});
echo http_do($port, 'POST', '/', [], str_repeat('x', 1000))['body'], "\n";
echo "2000 bytes: ", http_do($port, 'POST', '/', [], str_repeat('x', 2000))['status'], "\n";
$c = client($port);
fwrite($c, "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n");
echo "2000 bytes, expecting 100: ", http_read($c)['status'], "\n";
fclose($c);
echo "then: ", http_do($port, 'POST', '/', [], 'small')['body'], "\n";
server_stop($pid);

echo "-- bad values\n";
$s = new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_BASE);
var_dump($s->set(['http_compression_level' => 10, 'http_parse_post' => [], 'package_max_length' => 0]));

@unlink("$root/style.css");
@rmdir($root);
echo http_log();
?>
--EXPECTF--
-- document_root, enable_static_handler
static true: 200 text/css; charset=utf-8 "body { color: red }\n"
missing: 200
handler /missing.txt
static false: 200 text/html "{\"post\":null,\"files\":null,\"cookie\":null,\"raw\":\"\",\"cookie header\":null}"
missing: 200
handler /style.css
handler /missing.txt
-- upload_tmp_dir
bool(true)

Warning: Swoole\Server::start(): upload_tmp_dir "%s/nonexistent": No such file or directory (multipart uploads are written there) in %s on line %d
bool(false)
in upload_tmp_dir
-- http_parse_post, http_parse_cookie
parse true: {"post":{"a":"1","b":["2"]},"files":null,"cookie":{"c":"1"},"raw":"a=1&b[]=2","cookie header":"c=1"}
multipart post={"f":"v"} files=yes raw=false
handler /form
handler /multi
parse false: {"post":null,"files":null,"cookie":null,"raw":"a=1&b[]=2","cookie header":"c=1"}
multipart post=null files=null raw=the body
handler /form
handler /multi
-- http_compression, http_compression_level
{"http_compression":true,"http_compression_level":1}: gzip true
  without Accept-Encoding: none
{"http_compression":true,"http_compression_level":9}: gzip true
  without Accept-Encoding: none
{"http_compression":false,"http_compression_level":9}: none true
  without Accept-Encoding: none
level 9 smaller than level 1: true
-- package_max_length
got 1000
2000 bytes: 413
2000 bytes, expecting 100: 413
then: got 5
-- bad values

Warning: Swoole\Server::set(): http_compression_level: expected an integer 1..9, got 10 in %s on line %d

Warning: Swoole\Server::set(): setting `http_parse_post`: array is not a valid value in %s on line %d

Warning: Swoole\Server::set(): package_max_length: expected a byte count 1..1073741824 (a K, M or G suffix allowed), got 0 in %s on line %d
bool(false)

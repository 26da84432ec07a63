--TEST--
Swoole\Http\Server in BASE and PROCESS mode: bad requests (garbage, no Host, Content-Length with Transfer-Encoding, a head past http_max_header_size, a target past http_max_request_line) are answered 400/431/414 without calling the handler, and the worker goes on; curl as a client (--compressed, -F upload, -b cookies, -X DELETE)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/http.inc';

$file = tempnam(sys_get_temp_dir(), 'swirl-curl-');
file_put_contents($file, str_repeat("upload data\n", 100));
foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    [$pid, $port] = http_run($mode, ['http_max_header_size' => 1024, 'http_max_request_line' => 256],
        function ($req, $resp) {
            log_line("handler " . $req->getMethod() . " " . $req->server['request_uri']);
            $resp->header('Content-Type', 'text/plain');
            $resp->end(json_encode(['post' => $req->post, 'cookie' => $req->cookie,
                'files' => array_map(fn($f) => [$f['name'], $f['size'], $f['type']], $req->files ?? []),
                'ae' => $req->header['accept-encoding'] ?? null]));
        });
    $bad = [
        'garbage' => "GARBAGE\r\n\r\n",
        'no Host' => "GET /nohost HTTP/1.1\r\n\r\n",
        'CL and TE' => "POST /smuggle HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        'big head' => "GET /big HTTP/1.1\r\nHost: h\r\nX-Big: " . str_repeat('x', 2000) . "\r\n\r\n",
        'long target' => "GET /" . str_repeat('a', 300) . " HTTP/1.1\r\nHost: h\r\n\r\n",
    ];
    foreach ($bad as $what => $raw) {
        $c = client($port);
        fwrite($c, $raw);
        $r = http_read($c);
        echo "$what: ", $r ? "$r[status] $r[reason]" : 'closed', ", then closed: ", var_export(fread($c, 10) === '' && feof($c), true), "\n";
        fclose($c);
    }
    echo "good: ", http_do($port, 'GET', '/good')['status'], "\n";
    $base = "http://127.0.0.1:$port";
    $o = json_decode(shell_exec("curl -s --compressed $base/gz"), true);
    echo "curl --compressed: ", $o['ae'] !== null ? 'gzip offered, body decoded' : 'no', "\n";
    $head = shell_exec("curl -s -o /dev/null -D - --compressed $base/gz");
    echo "  Content-Encoding: ", preg_match('/^Content-Encoding: gzip\r$/mi', $head) ? 'gzip' : 'none', "\n";
    echo "curl -F: ", shell_exec("curl -s -F 'name=x y' -F 'f=@$file;filename=data.txt;type=text/plain' $base/up"), "\n";
    echo "curl -b: ", shell_exec("curl -s -b 'a=1; b=two%20words' $base/c"), "\n";
    echo "curl -X DELETE: ", shell_exec("curl -s -o /dev/null -w '%{http_code}' -X DELETE $base/thing"), "\n";
    echo "stopped: ", server_stop($pid), "\n";
    echo http_log();
}
unlink($file);
?>
--EXPECT--
-- BASE
garbage: 400 Bad Request, then closed: true
no Host: 400 Bad Request, then closed: true
CL and TE: 400 Bad Request, then closed: true
big head: 431 Request Header Fields Too Large, then closed: true
long target: 414 URI Too Long, then closed: true
good: 200
curl --compressed: gzip offered, body decoded
  Content-Encoding: gzip
curl -F: {"post":{"name":"x y"},"cookie":null,"files":{"f":["data.txt",1200,"text\/plain"]},"ae":null}
curl -b: {"post":null,"cookie":{"a":"1","b":"two words"},"files":[],"ae":null}
curl -X DELETE: 200
stopped: 0
handler GET /good
handler GET /gz
handler GET /gz
handler POST /up
handler GET /c
handler DELETE /thing
-- PROCESS
garbage: 400 Bad Request, then closed: true
no Host: 400 Bad Request, then closed: true
CL and TE: 400 Bad Request, then closed: true
big head: 431 Request Header Fields Too Large, then closed: true
long target: 414 URI Too Long, then closed: true
good: 200
curl --compressed: gzip offered, body decoded
  Content-Encoding: gzip
curl -F: {"post":{"name":"x y"},"cookie":null,"files":{"f":["data.txt",1200,"text\/plain"]},"ae":null}
curl -b: {"post":null,"cookie":{"a":"1","b":"two words"},"files":[],"ae":null}
curl -X DELETE: 200
stopped: 0
handler GET /good
handler GET /gz
handler GET /gz
handler POST /up
handler GET /c
handler DELETE /thing

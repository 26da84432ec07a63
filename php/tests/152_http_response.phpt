--TEST--
Swoole\Http\Response in BASE and PROCESS mode: header (format, replace, arrays, null removes), cookie/setCookie/rawcookie/setRawCookie, status/setStatusCode, chunked write, sendfile (whole, a range), redirect, gzip with http_compression off, the header/cookie/fd properties, isWritable
--EXTENSIONS--
swoole
pcntl
zlib
--FILE--
<?php
require __DIR__ . '/http.inc';

$file = tempnam(sys_get_temp_dir(), 'swirl-sendfile-');
file_put_contents($file, "0123456789abcdefghijklmnopqrstuvwxyz");
$text = str_repeat("The quick brown fox jumps over the lazy dog. ", 50);

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    [$pid, $port] = http_run($mode, ['http_compression' => false],
        function ($req, $resp) use ($file, $text) {
        switch ($req->server['request_uri']) {
        case '/headers':
            $resp->header('content-type', 'text/plain');
            $resp->header('x-lower', 'as given', false);
            $resp->header('X-Replace', '1');
            $resp->header('x-replace', '2');
            $resp->header('X-Multi', ['a', 'b']);
            $resp->header('X-Gone', 'x');
            $resp->header('X-Gone', null);
            $resp->setHeader('X-NUM', 42);
            log_line("header property: " . json_encode($resp->header));
            log_line("fd: " . var_export($resp->fd === $req->fd, true));
            $resp->end('ok');
            break;
        case '/cookies':
            $resp->cookie('a', 'v w;x', 2000000000, '/p', 'example.com', true, true, 'Strict', 'High');
            $resp->setCookie('b', '1');
            $resp->rawcookie('c', 'raw+val');
            $resp->setRawCookie('d', 'x', 0, '');
            $resp->cookie('gone');
            log_line("cookie property: " . json_encode($resp->cookie));
            $resp->end('cookies');
            break;
        case '/status':
            $resp->status(201);
            $resp->end('made');
            break;
        case '/custom':
            $resp->setStatusCode(299, 'Custom Thing');
            $resp->end();
            break;
        case '/chunks':
            log_line("writable before: " . var_export($resp->isWritable(), true));
            $resp->write('one,');
            $resp->write('two,');
            $resp->end('three');
            log_line("writable after: " . var_export($resp->isWritable(), true));
            break;
        case '/sendfile':
            $resp->header('Content-Type', 'text/plain');
            $resp->sendfile($file);
            break;
        case '/range':
            $resp->sendfile($file, 5, 10);
            break;
        case '/redirect':
            $resp->redirect('/elsewhere');
            break;
        case '/moved':
            $resp->redirect('http://example.com/new', 301);
            break;
        case '/gzip':
            $resp->header('Content-Type', 'text/plain');
            $resp->gzip(6);
            $resp->end($text);
            break;
        default:
            $resp->header('Content-Type', 'text/plain');
            $resp->end($text);
        }
    });
    $r = http_do($port, 'GET', '/headers');
    $h = $r['headers'];
    echo $r['status'], " ", json_encode([$h['content-type'], $h['x-lower'], $h['x-replace'], $h['x-multi'],
        $h['x-num'], isset($h['x-gone'])]), " ", $r['body'], "\n";
    echo "lines: ", preg_match('/\r\nx-lower: as given\r\n/', $r['head']),
        preg_match('/\r\nX-Num: 42\r\n/', $r['head']), "\n";

    $r = http_do($port, 'GET', '/cookies');
    foreach ((array)$r['headers']['set-cookie'] as $c) {
        echo "Set-Cookie: ", preg_replace('/Max-Age=\d+/', 'Max-Age=N', $c), "\n";
    }

    foreach (['/status', '/custom'] as $p) {
        $r = http_do($port, 'GET', $p);
        echo "$p: $r[status] $r[reason] ", json_encode($r['body']), "\n";
    }

    $r = http_do($port, 'GET', '/chunks');
    echo "chunks: ", $r['headers']['transfer-encoding'], " ", json_encode($r['chunks']), " $r[body]\n";

    $r = http_do($port, 'GET', '/sendfile');
    echo "sendfile: $r[status] ", $r['headers']['content-length'], " $r[body]\n";
    $r = http_do($port, 'GET', '/range');
    echo "range: $r[status] ", $r['headers']['content-length'], " $r[body]\n";

    $r = http_do($port, 'GET', '/redirect');
    echo "redirect: $r[status] $r[reason] ", $r['headers']['location'], "\n";
    $r = http_do($port, 'GET', '/moved');
    echo "moved: $r[status] $r[reason] ", $r['headers']['location'], "\n";

    $r = http_do($port, 'GET', '/gzip', ['Accept-Encoding: gzip']);
    echo "gzip: ", $r['headers']['content-encoding'] ?? 'none', " ", strlen($r['body']) < strlen($text) ? 'smaller' : 'not smaller',
        " ", var_export(gzdecode($r['body']) === $text, true), "\n";
    $r = http_do($port, 'GET', '/gzip');
    echo "gzip, not accepted: ", $r['headers']['content-encoding'] ?? 'none', " ", var_export($r['body'] === $text, true), "\n";
    $r = http_do($port, 'GET', '/plain', ['Accept-Encoding: gzip']);
    echo "no gzip(), http_compression off: ", $r['headers']['content-encoding'] ?? 'none', " ", var_export($r['body'] === $text, true), "\n";

    echo "stopped: ", server_stop($pid), "\n";
    echo http_log();
}
unlink($file);
?>
--EXPECT--
-- BASE
200 ["text\/plain","as given","2",["a","b"],"42",false] ok
lines: 11
Set-Cookie: a=v%20w%3Bx; expires=Wed, 18 May 2033 03:33:20 GMT; Max-Age=N; path=/p; domain=example.com; SameSite=Strict; Priority=High; secure; HttpOnly
Set-Cookie: b=1; path=/
Set-Cookie: c=raw+val; path=/
Set-Cookie: d=x
Set-Cookie: gone=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=N; path=/
/status: 201 Created "made"
/custom: 299 Custom Thing ""
chunks: chunked [4,4,5] one,two,three
sendfile: 200 36 0123456789abcdefghijklmnopqrstuvwxyz
range: 200 10 56789abcde
redirect: 302 Found /elsewhere
moved: 301 Moved Permanently http://example.com/new
gzip: gzip smaller true
gzip, not accepted: none true
no gzip(), http_compression off: none true
stopped: 0
header property: {"Content-Type":"text\/plain","x-lower":"as given","X-Replace":"2","X-Multi":["a","b"],"X-Num":"42"}
fd: true
cookie property: {"a":"v w;x","b":"1","c":"raw+val","d":"x","gone":""}
writable before: true
writable after: false
-- PROCESS
200 ["text\/plain","as given","2",["a","b"],"42",false] ok
lines: 11
Set-Cookie: a=v%20w%3Bx; expires=Wed, 18 May 2033 03:33:20 GMT; Max-Age=N; path=/p; domain=example.com; SameSite=Strict; Priority=High; secure; HttpOnly
Set-Cookie: b=1; path=/
Set-Cookie: c=raw+val; path=/
Set-Cookie: d=x
Set-Cookie: gone=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=N; path=/
/status: 201 Created "made"
/custom: 299 Custom Thing ""
chunks: chunked [4,4,5] one,two,three
sendfile: 200 36 0123456789abcdefghijklmnopqrstuvwxyz
range: 200 10 56789abcde
redirect: 302 Found /elsewhere
moved: 301 Moved Permanently http://example.com/new
gzip: gzip smaller true
gzip, not accepted: none true
no gzip(), http_compression off: none true
stopped: 0
header property: {"Content-Type":"text\/plain","x-lower":"as given","X-Replace":"2","X-Multi":["a","b"],"X-Num":"42"}
fd: true
cookie property: {"a":"v w;x","b":"1","c":"raw+val","d":"x","gone":""}
writable before: true
writable after: false

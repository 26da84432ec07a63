--TEST--
Swoole\Http\Response in BASE and PROCESS mode is framed as its head says: write()/end() with a body after status 204 or 304 is a warning and false (nothing sent, the next response on the connection intact); bytes past a Content-Length the handler set are a warning and false, a body short of it closes the connection; a bad Content-Length or Transfer-Encoding header is refused; a cookie expiring at PHP_INT_MAX is refused
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/http.inc';

function r($v) { return var_export($v, true); }

/* $targets pipelined on one connection: each response's status and body,
 * then whether the server closed after them. */
function pipelined(int $port, array $targets): string {
    $c = client($port);
    $req = '';
    foreach ($targets as $t) {
        $req .= http_req('GET', $t);
    }
    fwrite($c, $req);
    $out = [];
    foreach ($targets as $t) {
        $r = http_read($c);
        if ($r === null) {
            $out[] = "$t: (closed)";
            break;
        }
        $out[] = "$t: $r[status] " . json_encode($r['body'])
            . (isset($r['headers']['content-length']) ? " length {$r['headers']['content-length']}" : '');
    }
    fclose($c);
    return implode("\n", $out) . "\n";
}

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    [$pid, $port] = http_run($mode, [], function ($req, $resp) {
        switch ($req->server['request_uri']) {
        case '/204':
            $resp->status(204);
            log_line("204 write: " . r($resp->write('evil')));
            log_line("204 end: " . r($resp->end('evil')));
            log_line("204 writable: " . r($resp->isWritable()));
            $resp->end();
            break;
        case '/304':
            $resp->status(304);
            log_line("304 end: " . r($resp->end('evil')));
            $resp->end();
            break;
        case '/length':
            $resp->header('Content-Length', '3');
            log_line("write past: " . r($resp->write('abcdef')));
            log_line("write: " . r($resp->write('abc')));
            log_line("end past: " . r($resp->end('x')));
            $resp->end();
            break;
        case '/short':
            $resp->header('Content-Length', '10');
            $resp->end('abc');
            break;
        case '/bad':
            log_line("length 5x: " . r($resp->header('Content-Length', '5x')));
            log_line("coding gzip: " . r($resp->header('Transfer-Encoding', 'gzip')));
            log_line("cookie PHP_INT_MAX: " . r($resp->cookie('a', '1', PHP_INT_MAX)));
            log_line("cookie 9999: " . r($resp->cookie('b', '1', 253402300799)));
            $resp->end('bad done');
            break;
        default:
            $resp->end('after');
        }
    });
    echo pipelined($port, ['/204', '/after']);
    echo pipelined($port, ['/304', '/after']);
    echo pipelined($port, ['/length', '/after']);
    echo pipelined($port, ['/short', '/after']);
    $r = http_do($port, 'GET', '/bad');
    echo "/bad: $r[status] ", json_encode($r['body']), " ", json_encode($r['headers']['set-cookie']), "\n";
    echo "stopped: ", server_stop($pid), "\n";
    echo http_log();
}
?>
--EXPECTF--
-- BASE
/204: 204 ""
/after: 200 "after" length 5
/304: 304 ""
/after: 200 "after" length 5
/length: 200 "abc" length 3
/after: 200 "after" length 5
/short: 200 "abc" length 10
/after: (closed)
/bad: 200 "bad done" "b=1; expires=Fri, 31 Dec 9999 23:59:59 GMT; Max-Age=%d; path=\/"
stopped: 0
warning: Swoole\Http\Response::write(): http response: write: a 204 response has no body (4 bytes refused)
204 write: false
warning: Swoole\Http\Response::end(): http response: end: a 204 response has no body (4 bytes refused)
204 end: false
204 writable: true
warning: Swoole\Http\Response::end(): http response: end: a 304 response has no body (4 bytes refused)
304 end: false
warning: Swoole\Http\Response::write(): http response: write: 6 bytes would pass the Content-Length 3 (0 sent)
write past: false
write: true
warning: Swoole\Http\Response::end(): http response: end: 1 bytes would pass the Content-Length 3 (3 sent)
end past: false
warning: Swoole\Http\Response::header(): http response: header "Content-Length: 5x": 1 to 18 digits expected
length 5x: false
warning: Swoole\Http\Response::header(): http response: header "Transfer-Encoding: gzip": only chunked is written
coding gzip: false
warning: Swoole\Http\Response::cookie(): http response: cookie "a": expires %d is past year 9999
cookie PHP_INT_MAX: false
cookie 9999: true
-- PROCESS
/204: 204 ""
/after: 200 "after" length 5
/304: 304 ""
/after: 200 "after" length 5
/length: 200 "abc" length 3
/after: 200 "after" length 5
/short: 200 "abc" length 10
/after: (closed)
/bad: 200 "bad done" "b=1; expires=Fri, 31 Dec 9999 23:59:59 GMT; Max-Age=%d; path=\/"
stopped: 0
warning: Swoole\Http\Response::write(): http response: write: a 204 response has no body (4 bytes refused)
204 write: false
warning: Swoole\Http\Response::end(): http response: end: a 204 response has no body (4 bytes refused)
204 end: false
204 writable: true
warning: Swoole\Http\Response::end(): http response: end: a 304 response has no body (4 bytes refused)
304 end: false
warning: Swoole\Http\Response::write(): http response: write: 6 bytes would pass the Content-Length 3 (0 sent)
write past: false
write: true
warning: Swoole\Http\Response::end(): http response: end: 1 bytes would pass the Content-Length 3 (3 sent)
end past: false
warning: Swoole\Http\Response::header(): http response: header "Content-Length: 5x": 1 to 18 digits expected
length 5x: false
warning: Swoole\Http\Response::header(): http response: header "Transfer-Encoding: gzip": only chunked is written
coding gzip: false
warning: Swoole\Http\Response::cookie(): http response: cookie "a": expires %d is past year 9999
cookie PHP_INT_MAX: false
cookie 9999: true

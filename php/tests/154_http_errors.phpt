--TEST--
Swoole\Http\Server errors in BASE and PROCESS mode: an exception in the handler is a warning and a 500, the worker serves its next requests; end twice, write/header/status after end are warnings; a handler that forgets to end gets a warning (500, or the body ended where it was); bad status, header, cookie, sendfile, gzip, redirect, write and create arguments are warnings naming them; a receive callback on a port of an HTTP server that speaks HTTP is a warning at start (the server's receive is for its ports of other protocols)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/http.inc';

function r($v) { return var_export($v, true); }

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    [$pid, $port] = http_run($mode, [], function ($req, $resp) {
        switch ($req->server['request_uri']) {
        case '/throw':
            throw new RuntimeException('boom');
        case '/throw-late':
            $resp->write('partial,');
            throw new LogicException('late boom');
        case '/pid':
            $resp->end((string)getmypid());
            break;
        case '/twice':
            log_line("end: " . r($resp->end('first')));
            log_line("end again: " . r($resp->end('second')));
            log_line("write after end: " . r($resp->write('x')));
            log_line("header after end: " . r($resp->header('X-A', 'b')));
            log_line("status after end: " . r($resp->status(404)));
            log_line("writable: " . r($resp->isWritable()));
            break;
        case '/forget':
            break;
        case '/forget-late':
            $resp->write('some,');
            break;
        case '/late-head':
            $resp->write('x');
            log_line("status after write: " . r($resp->status(404)));
            log_line("header after write: " . r($resp->header('X-Late', '1')));
            log_line("sendfile after write: " . r($resp->sendfile(__FILE__)));
            $resp->end();
            break;
        case '/bad':
            log_line("status 1000: " . r($resp->status(1000)));
            log_line("status 99: " . r($resp->setStatusCode(99)));
            log_line("reason CRLF: " . r($resp->status(200, "OK\r\nX: y")));
            log_line("header CRLF: " . r($resp->header('X-Bad', "a\r\nb")));
            log_line("header name: " . r($resp->header('Bad Name', 'v')));
            log_line("header empty name: " . r($resp->header('', 'v')));
            log_line("header NUL: " . r($resp->header('X-Nul', "a\0b")));
            log_line("header array: " . r($resp->header('X-Arr', [[1]])));
            log_line("cookie name: " . r($resp->cookie('bad name', 'v')));
            log_line("cookie samesite: " . r($resp->cookie('ok', 'v', 0, '/', '', false, false, 'Sometimes')));
            log_line("cookie None: " . r($resp->cookie('ok', 'v', 0, '/', '', false, false, 'None')));
            log_line("cookie priority: " . r($resp->setCookie('ok', 'v', 0, '/', '', false, false, '', 'Urgent')));
            log_line("cookie path: " . r($resp->cookie('ok', 'v', 0, "/a;b")));
            log_line("rawcookie value: " . r($resp->rawcookie('r', 'a b')));
            log_line("sendfile missing: " . r($resp->sendfile('/nonexistent/file.txt')));
            log_line("sendfile offset: " . r($resp->sendfile(__FILE__, -1)));
            log_line("sendfile past end: " . r($resp->sendfile(__FILE__, 100000000)));
            log_line("gzip 10: " . r($resp->gzip(10)));
            log_line("gzip 0: " . r($resp->gzip(0)));
            log_line("redirect 200: " . r($resp->redirect('/x', 200)));
            log_line("redirect CRLF: " . r($resp->redirect("/x\r\nSet-Cookie: a=b")));
            log_line("write empty: " . r($resp->write('')));
            log_line("create: " . r(Swoole\Http\Response::create(99999999)));
            log_line("still writable: " . r($resp->isWritable()));
            $resp->end('bad done');
            break;
        }
    }, function ($s) {
        log_line("server on receive: " . r($s->on('receive', function () {})));
        $p = $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP);
        log_line("port on receive: " . r($p->on('receive', function () {})));
        log_line("port on connect: " . r($p->on('connect', function () {})));
    });
    $pid1 = http_do($port, 'GET', '/pid')['body'];
    foreach (['/throw', '/throw-late', '/pid', '/twice', '/forget', '/forget-late', '/late-head', '/bad'] as $path) {
        $r = http_do($port, 'GET', $path);
        $body = $path === '/pid' ? ($r['body'] === $pid1 ? 'the same worker' : "another worker: $r[body] vs $pid1") : $r['body'];
        echo "$path: $r[status] ", json_encode($body), "\n";
    }
    echo "stopped: ", server_stop($pid), "\n";
    echo http_log();
}
?>
--EXPECTF--
-- BASE
/throw: 500 ""
/throw-late: 200 "partial,"
/pid: 200 "the same worker"
/twice: 200 "first"
/forget: 500 ""
/forget-late: 200 "some,"
/late-head: 200 "x"
/bad: 200 "bad done"
stopped: 0
server on receive: true
port on receive: true
port on connect: true
warning: Swoole\Server::start(): port 127.0.0.1:0 speaks HTTP: its bytes go to the request callback: its `receive` callback is never called
warning: Swoole\Server::start(): Uncaught RuntimeException in the request callback: boom in %s154_http_errors.php:%d
warning: Swoole\Server::start(): Uncaught LogicException in the request callback: late boom in %s154_http_errors.php:%d
end: true
warning: Swoole\Http\Response::end(): end() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
end again: false
warning: Swoole\Http\Response::write(): write() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
write after end: false
warning: Swoole\Http\Response::header(): header() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
header after end: false
warning: Swoole\Http\Response::status(): status() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
status after end: false
writable: false
warning: Swoole\Server::start(): the request callback returned without ending the response to GET /forget (call end() or detach()): ended with status 500
warning: Swoole\Server::start(): the request callback returned without ending the response to GET /forget-late (call end() or detach()): its body ended where it was
warning: Swoole\Http\Response::status(): http response: status 404: the headers are sent
status after write: false
warning: Swoole\Http\Response::header(): http response: header "X-Late": the headers are sent
header after write: false
warning: Swoole\Http\Response::sendfile(): http response: sendfile: part of the body is sent
sendfile after write: false
warning: Swoole\Http\Response::status(): status code 1000: not an HTTP status code (100..999)
status 1000: false
warning: Swoole\Http\Response::setStatusCode(): status code 99: not an HTTP status code (100..999)
status 99: false
warning: Swoole\Http\Response::status(): http response: reason "OK
X: y": no CR or LF, at most 63 bytes
reason CRLF: false
warning: Swoole\Http\Response::header(): http response: header "X-Bad": the value holds CR or LF
header CRLF: false
warning: Swoole\Http\Response::header(): http response: header name "Bad name": no spaces, colons or control characters
header name: false
warning: Swoole\Http\Response::header(): the header name is empty
header empty name: false
warning: Swoole\Http\Response::header(): header "X-Nul": the value holds a NUL byte
header NUL: false
warning: Swoole\Http\Response::header(): header "X-Arr": a value must be a string, not array
header array: false
warning: Swoole\Http\Response::cookie(): http response: cookie name "bad name": a token is expected
cookie name: false
warning: Swoole\Http\Response::cookie(): http response: cookie "ok": samesite "Sometimes": expected Strict, Lax or None
cookie samesite: false
warning: Swoole\Http\Response::cookie(): http response: cookie "ok": SameSite=None needs secure
cookie None: false
warning: Swoole\Http\Response::setCookie(): http response: cookie "ok": priority "Urgent": expected Low, Medium or High
cookie priority: false
warning: Swoole\Http\Response::cookie(): http response: cookie "ok": path or domain with ';' or control characters
cookie path: false
warning: Swoole\Http\Response::rawcookie(): http response: cookie "r": raw value with characters a cookie cannot hold
rawcookie value: false
warning: Swoole\Http\Response::sendfile(): http response: sendfile "/nonexistent/file.txt": not a readable file
sendfile missing: false
warning: Swoole\Http\Response::sendfile(): file "%s154_http_errors.php": offset -1 and length 0 must not be negative
sendfile offset: false
warning: Swoole\Http\Response::sendfile(): http response: sendfile "%s154_http_errors.php": offset 100000000 past its size %d
sendfile past end: false
warning: Swoole\Http\Response::gzip(): gzip level 10 out of range (1..9)
gzip 10: false
warning: Swoole\Http\Response::gzip(): gzip level 0 out of range (1..9)
gzip 0: false
warning: Swoole\Http\Response::redirect(): http response: redirect: status 200: expected 301, 302, 303, 307 or 308
redirect 200: false
warning: Swoole\Http\Response::redirect(): http response: header "Location": the value holds CR or LF
redirect CRLF: false
warning: Swoole\Http\Response::write(): the data to write is empty (end() finishes a response)
write empty: false
warning: Swoole\Http\Response::create(): no response to connection 99999999 is open in this process (only a response detached in this worker, or one in its request callback, can be taken up)
create: false
still writable: true
-- PROCESS
/throw: 500 ""
/throw-late: 200 "partial,"
/pid: 200 "the same worker"
/twice: 200 "first"
/forget: 500 ""
/forget-late: 200 "some,"
/late-head: 200 "x"
/bad: 200 "bad done"
stopped: 0
server on receive: true
port on receive: true
port on connect: true
warning: Swoole\Server::start(): port 127.0.0.1:0 speaks HTTP: its bytes go to the request callback: its `receive` callback is never called
warning: Swoole\Server::start(): Uncaught RuntimeException in the request callback: boom in %s154_http_errors.php:%d
warning: Swoole\Server::start(): Uncaught LogicException in the request callback: late boom in %s154_http_errors.php:%d
end: true
warning: Swoole\Http\Response::end(): end() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
end again: false
warning: Swoole\Http\Response::write(): write() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
write after end: false
warning: Swoole\Http\Response::header(): header() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
header after end: false
warning: Swoole\Http\Response::status(): status() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
status after end: false
writable: false
warning: Swoole\Server::start(): the request callback returned without ending the response to GET /forget (call end() or detach()): ended with status 500
warning: Swoole\Server::start(): the request callback returned without ending the response to GET /forget-late (call end() or detach()): its body ended where it was
warning: Swoole\Http\Response::status(): http response: status 404: the headers are sent
status after write: false
warning: Swoole\Http\Response::header(): http response: header "X-Late": the headers are sent
header after write: false
warning: Swoole\Http\Response::sendfile(): http response: sendfile: part of the body is sent
sendfile after write: false
warning: Swoole\Http\Response::status(): status code 1000: not an HTTP status code (100..999)
status 1000: false
warning: Swoole\Http\Response::setStatusCode(): status code 99: not an HTTP status code (100..999)
status 99: false
warning: Swoole\Http\Response::status(): http response: reason "OK
X: y": no CR or LF, at most 63 bytes
reason CRLF: false
warning: Swoole\Http\Response::header(): http response: header "X-Bad": the value holds CR or LF
header CRLF: false
warning: Swoole\Http\Response::header(): http response: header name "Bad name": no spaces, colons or control characters
header name: false
warning: Swoole\Http\Response::header(): the header name is empty
header empty name: false
warning: Swoole\Http\Response::header(): header "X-Nul": the value holds a NUL byte
header NUL: false
warning: Swoole\Http\Response::header(): header "X-Arr": a value must be a string, not array
header array: false
warning: Swoole\Http\Response::cookie(): http response: cookie name "bad name": a token is expected
cookie name: false
warning: Swoole\Http\Response::cookie(): http response: cookie "ok": samesite "Sometimes": expected Strict, Lax or None
cookie samesite: false
warning: Swoole\Http\Response::cookie(): http response: cookie "ok": SameSite=None needs secure
cookie None: false
warning: Swoole\Http\Response::setCookie(): http response: cookie "ok": priority "Urgent": expected Low, Medium or High
cookie priority: false
warning: Swoole\Http\Response::cookie(): http response: cookie "ok": path or domain with ';' or control characters
cookie path: false
warning: Swoole\Http\Response::rawcookie(): http response: cookie "r": raw value with characters a cookie cannot hold
rawcookie value: false
warning: Swoole\Http\Response::sendfile(): http response: sendfile "/nonexistent/file.txt": not a readable file
sendfile missing: false
warning: Swoole\Http\Response::sendfile(): file "%s154_http_errors.php": offset -1 and length 0 must not be negative
sendfile offset: false
warning: Swoole\Http\Response::sendfile(): http response: sendfile "%s154_http_errors.php": offset 100000000 past its size %d
sendfile past end: false
warning: Swoole\Http\Response::gzip(): gzip level 10 out of range (1..9)
gzip 10: false
warning: Swoole\Http\Response::gzip(): gzip level 0 out of range (1..9)
gzip 0: false
warning: Swoole\Http\Response::redirect(): http response: redirect: status 200: expected 301, 302, 303, 307 or 308
redirect 200: false
warning: Swoole\Http\Response::redirect(): http response: header "Location": the value holds CR or LF
redirect CRLF: false
warning: Swoole\Http\Response::write(): the data to write is empty (end() finishes a response)
write empty: false
warning: Swoole\Http\Response::create(): no response to connection 99999999 is open in this process (only a response detached in this worker, or one in its request callback, can be taken up)
create: false
still writable: true

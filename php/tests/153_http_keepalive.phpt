--TEST--
Swoole\Http\Server in BASE and PROCESS mode: keep-alive (one connection, one fd), pipelining (three requests in one write, HEAD among them, answers in order), Expect: 100-continue, Connection: close and HTTP/1.0 close after the answer
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/http.inc';

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    [$pid, $port] = http_run($mode, [], function ($req, $resp) {
        $body = $req->rawContent();
        $resp->end($req->getMethod() . " " . $req->server['request_uri'] . " fd=" . $req->fd
            . ($body !== '' ? " body=$body" : ''));
    });

    $c = client($port);
    fwrite($c, http_req('GET', '/one'));
    $a = http_read($c);
    fwrite($c, http_req('GET', '/two'));
    $b = http_read($c);
    preg_match('/fd=(\d+)/', $a['body'], $m1);
    preg_match('/fd=(\d+)/', $b['body'], $m2);
    echo "keep-alive: ", $a['headers']['connection'], " ", preg_replace('/fd=\d+/', 'fd', "$a[body] | $b[body]"),
        " same fd: ", var_export($m1[1] === $m2[1], true), "\n";

    /* three requests in one write: answered in order */
    fwrite($c, http_req('GET', '/p1') . http_req('HEAD', '/p2') . http_req('POST', '/p3', [], 'data'));
    $fd = $m1[1];
    foreach (['GET /p1', 'HEAD /p2', 'POST /p3'] as $i => $what) {
        $r = http_read($c, $i === 1);
        $full = "$what fd=$fd" . ($i === 2 ? ' body=data' : '');
        echo "pipelined: $r[status] length ok=", var_export((int)$r['headers']['content-length'] === strlen($full), true),
            " ", json_encode(preg_replace('/fd=\d+/', 'fd', $r['body']), JSON_UNESCAPED_SLASHES), "\n";
    }
    fclose($c);

    /* Expect: 100-continue: the interim answer, then the body */
    $c = client($port);
    fwrite($c, "POST /cont HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    $r = http_read($c);
    echo "interim: $r[status] $r[reason]\n";
    fwrite($c, "hello");
    $r = http_read($c);
    echo "after 100: $r[status] ", preg_replace('/fd=\d+/', 'fd', $r['body']), "\n";
    fclose($c);

    /* Connection: close, and HTTP/1.0: the server closes after the answer */
    foreach (["GET /close HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "GET /old HTTP/1.0\r\n\r\n"] as $req) {
        $c = client($port);
        fwrite($c, $req);
        $r = http_read($c);
        $rest = fread($c, 100);
        echo "closing: $r[status] ", $r['headers']['connection'], " then eof=", var_export($rest === '' && feof($c), true), "\n";
        fclose($c);
    }
    echo "stopped: ", server_stop($pid), "\n";
    echo http_log();
}
?>
--EXPECT--
-- BASE
keep-alive: keep-alive GET /one fd | GET /two fd same fd: true
pipelined: 200 length ok=true "GET /p1 fd"
pipelined: 200 length ok=true ""
pipelined: 200 length ok=true "POST /p3 fd body=data"
interim: 100 Continue
after 100: 200 POST /cont fd body=hello
closing: 200 close then eof=true
closing: 200 close then eof=true
stopped: 0
-- PROCESS
keep-alive: keep-alive GET /one fd | GET /two fd same fd: true
pipelined: 200 length ok=true "GET /p1 fd"
pipelined: 200 length ok=true ""
pipelined: 200 length ok=true "POST /p3 fd body=data"
interim: 100 Continue
after 100: 200 POST /cont fd body=hello
closing: 200 close then eof=true
closing: 200 close then eof=true
stopped: 0

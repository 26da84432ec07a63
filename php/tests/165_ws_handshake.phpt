--TEST--
Swoole\WebSocket\Server: the handshake callback answers through $response (BASE and PROCESS): its own 101 with the right Sec-WebSocket-Accept makes a WebSocket (open not called, push refused until it returns, defer works), a refusal, a wrong key, no answer and an exception end the connection; websocket_status is HANDSHAKE inside it
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/websocket.inc';

foreach (['BASE' => SWOOLE_BASE, 'PROCESS' => SWOOLE_PROCESS] as $name => $mode) {
    echo "-- $name\n";
    $clog = tempnam(sys_get_temp_dir(), 'swirl-clog-');
    [$pid, $port] = ws_server_run(function () use ($mode, $clog) {
        $s = new Swoole\WebSocket\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 1, 'log_level' => SWOOLE_LOG_WARNING, 'log_file' => $clog]);
        set_error_handler(function ($no, $str) {
            log_line("warning: $str");
            return true;
        });
        $s->on('handshake', function (Swoole\Http\Request $req, Swoole\Http\Response $resp) use ($s) {
            $path = $req->server['request_uri'];
            log_line("handshake $path websocket_status=" . $s->connection_info($req->fd)['websocket_status']);
            if ($path === '/deny') {
                $resp->status(403);
                $resp->end("go away");
                return false;
            }
            if ($path === '/throw') {
                throw new RuntimeException("no handshake today");
            }
            if ($path === '/silent') {
                return;
            }
            /* Swoole's manual's handshake, written by the user */
            $key = $req->header['sec-websocket-key'];
            $accept = base64_encode(sha1(($path === '/wrongkey' ? 'x' : $key) . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', true));
            $headers = ['Upgrade' => 'websocket', 'Connection' => 'Upgrade',
                        'Sec-WebSocket-Accept' => $accept, 'Sec-WebSocket-Version' => '13'];
            if (isset($req->header['sec-websocket-protocol'])) {
                $headers['Sec-WebSocket-Protocol'] = trim(explode(',', $req->header['sec-websocket-protocol'])[0]);
            }
            foreach ($headers as $k => $v) {
                $resp->header($k, $v);
            }
            $resp->status(101);
            $resp->end();
            log_line("push inside: " . var_export($s->push($req->fd, 'too early'), true));
            $s->defer(function () use ($s, $req) { /* after the callback: a WebSocket (or closed) */
                if ($s->isEstablished($req->fd)) {
                    $s->push($req->fd, "deferred welcome, websocket_status=" . $s->connection_info($req->fd)['websocket_status']);
                }
            });
            return true;
        });
        $s->on('open', function () {
            log_line("open called");
        });
        $s->on('message', function ($s, $f) {
            $s->push($f->fd, "echo:{$f->data}");
        });
        return $s;
    });

    [$c, $status, $h] = ws_request($port, '/ok', ['Sec-WebSocket-Protocol: chat, other']);
    echo "ok: $status accept=", var_export(($h['sec-websocket-accept'] ?? '') === WS_ACCEPT, true),
         " protocol=", $h['sec-websocket-protocol'] ?? '-', "\n";
    echo ws_text($c), "\n";
    ws_send($c, 'hi');
    echo ws_text($c), "\n";
    fclose($c);

    foreach (['/deny', '/wrongkey', '/silent', '/throw'] as $path) {
        [$c, $status, $h] = ws_request($port, $path);
        $body = ($h['content-length'] ?? 0) > 0 ? fread($c, (int)$h['content-length']) : '';
        echo "$path: $status ", json_encode($body), " ended=", var_export(ws_ended($c), true), "\n";
        fclose($c);
    }
    usleep(200000);
    echo "stopped: ", ws_server_stop($pid), "\n";
    echo log_take();
    preg_match_all('/WARNING\s(websocket: handshake callback.*)/', file_get_contents($clog), $m);
    echo preg_replace('/connection \d+/', 'connection N', implode("\n", $m[1])), "\n";
    unlink($clog);
}
?>
--EXPECTF--
-- BASE
ok: 101 accept=true protocol=chat
deferred welcome, websocket_status=3
echo:hi
/deny: 403 "go away" ended=true
/wrongkey: 101 "" ended=true
/silent: 500 "" ended=true
/throw: 500 "" ended=true
stopped: 0
handshake /ok websocket_status=2
warning: Swoole\WebSocket\Server::push(): websocket: push to connection %d: not an established WebSocket (status 2)
push inside: false
handshake /deny websocket_status=2
handshake /wrongkey websocket_status=2
warning: Swoole\WebSocket\Server::push(): websocket: push to connection %d: not an established WebSocket (status 2)
push inside: false
handshake /silent websocket_status=2
handshake /throw websocket_status=2
warning: Swoole\Server::start(): Uncaught RuntimeException in the handshake callback: no handshake today in %s165_ws_handshake.php:%d
websocket: handshake callback for connection N: its 101 has no Sec-WebSocket-Accept matching the request's key; closing it
websocket: handshake callback for connection N: it returned without answering (refused with 500); closing it
-- PROCESS
ok: 101 accept=true protocol=chat
deferred welcome, websocket_status=3
echo:hi
/deny: 403 "go away" ended=true
/wrongkey: 101 "" ended=true
/silent: 500 "" ended=true
/throw: 500 "" ended=true
stopped: 0
handshake /ok websocket_status=2
warning: Swoole\WebSocket\Server::push(): websocket: push to connection %d: not an established WebSocket (status 2)
push inside: false
handshake /deny websocket_status=2
handshake /wrongkey websocket_status=2
warning: Swoole\WebSocket\Server::push(): websocket: push to connection %d: not an established WebSocket (status 2)
push inside: false
handshake /silent websocket_status=2
handshake /throw websocket_status=2
warning: Swoole\Server::start(): Uncaught RuntimeException in the handshake callback: no handshake today in %s165_ws_handshake.php:%d
websocket: handshake callback for connection N: its 101 has no Sec-WebSocket-Accept matching the request's key; closing it
websocket: handshake callback for connection N: it returned without answering (refused with 500); closing it

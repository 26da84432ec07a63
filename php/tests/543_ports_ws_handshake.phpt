--TEST--
Ports of a Swoole\WebSocket\Server: a port's own handshake (the server has none: its connections get the standard one and open), an HTTP-only port (open_websocket_protocol off: an upgrade request is a request), a beforeHandshakeResponse that throws (a warning, the handshake fails)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/websocket.inc';
require __DIR__ . '/examples.inc';
$hs = free_port();
$plain = free_port();
$bad = free_port();
[$pid, $port] = ws_server_run(function () use ($hs, $plain, $bad) {
    $s = new Swoole\WebSocket\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->set(['worker_num' => 1, 'log_level' => 5]);
    $s->on('open', function ($s, $rq) { $s->push($rq->fd, "open " . $rq->server['request_uri']); });
    $s->on('message', function ($s, $f) { $s->push($f->fd, "echo:" . $f->data); });
    $s->on('request', function ($rq, $rs) { $rs->end("http " . ($rq->header['upgrade'] ?? '-')); });
    $p = $s->listen('127.0.0.1', $hs, SWOOLE_SOCK_TCP);
    $p->on('handshake', function ($rq, $rs) {
        $rs->status(403);
        $rs->end("port says no");
    });
    $h = $s->listen('127.0.0.1', $plain, SWOOLE_SOCK_TCP);
    $h->set(['open_websocket_protocol' => false, 'open_http_protocol' => true]);
    $b = $s->listen('127.0.0.1', $bad, SWOOLE_SOCK_TCP);
    $b->on('beforeHandshakeResponse', function ($s, $rq, $rs) { throw new RuntimeException("nope"); });
    return $s;
});
[$c, $status] = ws_request($port, '/main');
echo "main: $status ", ws_text($c), "\n";
ws_send($c, "a");
echo ws_text($c), "\n";
fclose($c);
[$c, $status, $h, $head] = ws_request($hs, '/p');
echo "own handshake: $status ", trim(stream_get_contents($c)), "\n";
fclose($c);
[$c, $status] = ws_request($plain, '/h');
echo "http-only port: $status\n";
fclose($c);
$c = client($plain);
fwrite($c, "GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: close\r\n\r\n");
echo "http-only port body: ", explode("\r\n\r\n", stream_get_contents($c), 2)[1], "\n";
fclose($c);
[$c, $status] = ws_request($bad, '/b');
echo "throwing beforeHandshakeResponse: $status ended=", json_encode(ws_ended($c)), "\n";
echo "stopped: ", ws_server_stop($pid), "\n";
?>
--EXPECTF--
main: 101 open /main
echo:a
own handshake: 403 port says no
http-only port: 200
http-only port body: http websocket

Warning: Swoole\Server::start(): Uncaught RuntimeException in the beforeHandshakeResponse callback: nope in %s543_ports_ws_handshake.php:%d in %s on line %d

Warning: Swoole\Server::start(): Swoole\WebSocket\Server->onBeforeHandshakeResponse handler error in %s on line %d
throwing beforeHandshakeResponse: %d ended=true
stopped: 0

--TEST--
Multi-protocol ports of a Swoole\Http\Server: a length-framed port (its own receive), a port with open_http_protocol, one with no settings; bad inputs: a plain port without receive, HTTP with a framing rule, open_websocket_protocol on an Http\Server, WebSocket events on an Http\Server's port, a request callback on a plain port
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
require __DIR__ . '/examples.inc';
$len = free_port();
$http = free_port();
$inh = free_port();
[$pid, $port] = server_run(function () use ($len, $http, $inh) {
    $s = new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'log_level' => 5]);
    $s->on('request', function ($rq, $rs) { $rs->end("main " . $rq->server['request_uri']); });
    $p = $s->addListener('127.0.0.1', $len, SWOOLE_SOCK_TCP);
    $p->set(['open_length_check' => true, 'package_length_type' => 'N', 'package_length_offset' => 0,
             'package_body_offset' => 4]);
    $p->on('receive', function ($s, $fd, $rid, $d) {
        $body = 'len:' . substr($d, 4);
        $s->send($fd, pack('N', strlen($body)) . $body);
    });
    $h = $s->listen('127.0.0.1', $http, SWOOLE_SOCK_TCP);
    $h->set(['open_http_protocol' => true]);
    $h->on('request', function ($rq, $rs) { $rs->end("port " . $rq->server['request_uri']); });
    $s->listen('127.0.0.1', $inh, SWOOLE_SOCK_TCP);
    return $s;
});
$c = client($len);
fwrite($c, pack('N', 5) . 'hello' . pack('N', 3) . 'abc');
foreach ([1, 2] as $i) {
    $n = unpack('N', client_read($c, 4))[1];
    echo client_read($c, $n), "\n";
}
fclose($c);
foreach ([$port, $http, $inh] as $p) {
    $c = client($p);
    fwrite($c, "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    $r = stream_get_contents($c);
    echo explode("\r\n", $r)[0], " | ", explode("\r\n\r\n", $r, 2)[1], "\n";
}
echo "stopped: ", server_stop($pid), "\n";

/* bad inputs, each in a child whose output is shown */
function attempt(string $what, callable $build): void {
    $proc = new Swoole\Process(function () use ($build) {
        $s = new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_BASE);
        $s->set(['worker_num' => 1, 'log_level' => 5]);
        $s->on('request', function ($rq, $rs) { $rs->end(); });
        $s->on('start', function ($s) { echo "started\n"; $s->shutdown(); });
        $build($s);
        var_dump($s->start());
    }, true, 1 /* SOCK_STREAM */, false);
    $proc->start();
    $r = Swoole\Process::wait();
    $out = '';
    while (($s = @$proc->read()) !== '' && $s !== false) {
        $out .= $s;
        if (strlen($s) < 8192) break;
    }
    echo "$what: exit {$r['code']}\n", preg_replace('/ in \S+ on line \d+/', '', trim($out)), "\n";
}
attempt('plain port without receive', function ($s) {
    $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP)->set(['open_http_protocol' => false]);
});
attempt('udp port without packet', function ($s) {
    $s->listen('127.0.0.1', 0, SWOOLE_SOCK_UDP);
});
attempt('http with a framing rule', function ($s) {
    $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP)->set(['open_http_protocol' => true, 'open_eof_check' => true]);
});
attempt('websocket port of an Http\Server', function ($s) {
    $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP)->set(['open_websocket_protocol' => true]);
});
attempt('events a port cannot have', function ($s) {
    $p = $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP);
    var_dump($p->on('message', function () {}), $p->on('nosuch', function () {}));
    $p->set(['open_eof_split' => true]);
    $p->on('receive', function () {});
    $p->on('request', function () {});
});
?>
--EXPECTF--
len:hello
len:abc
HTTP/1.1 200 OK | main /x
HTTP/1.1 200 OK | port /x
HTTP/1.1 200 OK | main /x
stopped: 0
plain port without receive: exit 255
Fatal error: Swoole\Server::start(): require onReceive callback
udp port without packet: exit 255
Fatal error: Swoole\Server::start(): require onPacket callback
http with a framing rule: exit 0
Warning: Swoole\Server::start(): listener 127.0.0.1:0 speaks HTTP and has open_eof_check, open_eof_split or open_length_check: HTTP frames its requests itself (set them on a listener of another protocol, with open_http_protocol off)
bool(false)
websocket port of an Http\Server: exit 0
Warning: Swoole\Server::start(): listener 127.0.0.1:0: open_websocket_protocol needs a WebSocket server (swirl_ws_server_new)
bool(false)
events a port cannot have: exit 0
Warning: Swoole\Server\Port::on(): unknown event types[message] (a port has connect, receive, close and packet; request on an HTTP server; handshake, beforeHandshakeResponse, open and message on a WebSocket server)

Warning: Swoole\Server\Port::on(): unknown event types[nosuch] (a port has connect, receive, close and packet; request on an HTTP server; handshake, beforeHandshakeResponse, open and message on a WebSocket server)
bool(false)
bool(false)

Warning: Swoole\Server::start(): port 127.0.0.1:0 does not speak HTTP (its settings leave open_http_protocol off): its `request` callback is never called
started
bool(true)

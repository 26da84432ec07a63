--TEST--
Multi-protocol ports of a Swoole\WebSocket\Server: a plain TCP port (EOF-framed, its own connect/receive/close), a UDP port (packet), a port given no settings (WebSocket as the main one), a WebSocket port with its own open/message/request/beforeHandshakeResponse, getCallback
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/websocket.inc';
require __DIR__ . '/examples.inc';
$tcp = free_port();
$udp = free_port();
$inh = free_port();
$own = free_port();
foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    [$pid, $port] = ws_server_run(function () use ($mode, $tcp, $udp, $inh, $own) {
        $s = new Swoole\WebSocket\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 1, 'log_level' => 5]);
        $s->on('message', function ($s, $f) { $s->push($f->fd, "main:" . $f->data); });
        $s->on('request', function ($rq, $rs) { $rs->end("main http"); });
        $s->on('beforeHandshakeResponse', function ($s, $rq, $rs) { $rs->header('X-Port', 'main'); });
        $p = $s->listen('127.0.0.1', $tcp, SWOOLE_SOCK_TCP);
        $p->set(['open_eof_split' => true, 'package_eof' => "\n"]);
        $p->on('connect', function ($s, $fd) { log_line("tcp connect"); });
        $p->on('receive', function ($s, $fd, $rid, $d) { $s->send($fd, "tcp:" . $d); });
        $p->on('close', function ($s, $fd) { log_line("tcp close"); });
        $u = $s->listen('127.0.0.1', $udp, SWOOLE_SOCK_UDP);
        $u->on('packet', function ($s, $d, $a) { $s->sendto($a['address'], $a['port'], "udp:" . $d); });
        $s->listen('127.0.0.1', $inh, SWOOLE_SOCK_TCP); /* no settings: as the main port */
        $o = $s->listen('127.0.0.1', $own, SWOOLE_SOCK_TCP);
        $o->set(['open_websocket_protocol' => true]);
        $o->on('open', function ($s, $rq) { $s->push($rq->fd, "own open"); });
        $o->on('Message', function ($s, $f) { $s->push($f->fd, "own:" . $f->data); });
        $o->on('onRequest', function ($rq, $rs) { $rs->end("own http"); });
        $o->on('beforehandshakeresponse', function ($s, $rq, $rs) { $rs->header('X-Port', 'own'); });
        if ($mode === SWOOLE_BASE) {
            echo json_encode([$o->getCallback('message') !== null, $o->getCallback('ONMESSAGE') !== null,
                              $o->getCallback('handshake'), $o->getCallback('BeforeHandshakeResponse') !== null,
                              $p->getCallback('receive') !== null, $p->getCallback('nosuch')]), "\n";
        }
        return $s;
    });
    echo $mode === SWOOLE_BASE ? "BASE\n" : "PROCESS\n";
    $c = client($tcp);
    fwrite($c, "a\nb\n");
    echo trim(client_read($c)), " ", trim(client_read($c)), "\n";
    fwrite($c, "GET / HTTP/1.1\r\n");
    echo json_encode(client_read($c)), "\n";
    fclose($c);
    $u = stream_socket_client("udp://127.0.0.1:$udp");
    fwrite($u, "ping");
    stream_set_timeout($u, 5);
    echo fread($u, 100), "\n";
    foreach (['main' => $port, 'inherited' => $inh, 'own' => $own] as $name => $p) {
        [$c, $status, $h] = ws_request($p, '/');
        echo "$name: $status x-port=", $h['x-port'] ?? '-', " ";
        if ($name === 'own') {
            echo ws_text($c), " ";
        }
        ws_send($c, "hi");
        echo ws_text($c), " ", http_get($p, '/')[1], "\n";
        fclose($c);
    }
    echo "stopped: ", ws_server_stop($pid), "\n";
}
$log = log_take();
echo substr_count($log, "tcp connect"), " connects, ", substr_count($log, "tcp close"), " closes\n";
?>
--EXPECT--
[true,true,null,true,true,null]
BASE
tcp:a tcp:b
"tcp:GET \/ HTTP\/1.1\r\n"
udp:ping
main: 101 x-port=main main:hi main http
inherited: 101 x-port=main main:hi main http
own: 101 x-port=own own open own:hi own http
stopped: 0
PROCESS
tcp:a tcp:b
"tcp:GET \/ HTTP\/1.1\r\n"
udp:ping
main: 101 x-port=main main:hi main http
inherited: 101 x-port=main main:hi main http
own: 101 x-port=own own open own:hi own http
stopped: 0
2 connects, 2 closes

--TEST--
Swoole\Server\Port: a UDP listener on a TCP server with its own packet callback
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

[$pid, $port] = server_run(function ($ready) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'log_level' => 5]);
    $s->on('receive', fn($s, $fd, $rid, $data) => $s->send($fd, "tcp: $data"));
    $u = $s->listen('127.0.0.1', 0, SWOOLE_SOCK_UDP);
    $u->on('packet', function ($s, $data, $addr) {
        $s->sendto($addr['address'], $addr['port'], "udp port: $data", $addr['server_socket']);
    });
    $s->on('start', function ($s) use ($ready) {
        log_line("udp " . $s->ports[1]->port);
        $ready($s);
    });
    return $s;
}, false);
preg_match('/udp (\d+)/', file_get_contents(log_file()), $m);
$c = client($port);
fwrite($c, "hi\n");
echo client_read($c);
$u = stream_socket_client("udp://127.0.0.1:{$m[1]}", $errno, $errstr, 5);
stream_set_timeout($u, 5);
fwrite($u, "dgram");
echo fread($u, 100), "\n";
fclose($c);
echo "stopped: ", server_stop($pid), "\n";
log_take();
?>
--EXPECT--
tcp: hi
udp port: dgram
stopped: 0

--TEST--
Swoole\Server SWOOLE_SOCK_UDP: packet with its client info, sendto, in BASE and PROCESS mode
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    [$pid, $port] = server_run(function () use ($mode) {
        $s = new swoole_server('127.0.0.1', 0, $mode, SWOOLE_SOCK_UDP);
        $s->set(['worker_num' => 1, 'log_level' => 5]);
        $s->on('packet', function ($s, $data, $client) {
            $keys = array_keys($client);
            sort($keys);
            $s->sendto($client['address'], $client['port'],
                       json_encode(['data' => $data, 'keys' => $keys, 'server_port' => $client['server_port']]));
        });
        return $s;
    });
    $c = stream_socket_client("udp://127.0.0.1:$port", $errno, $errstr, 2);
    stream_set_timeout($c, 5);
    fwrite($c, "ping $mode");
    $r = json_decode(fread($c, 1000), true);
    var_dump($r['data'], $r['keys'], $r['server_port'] === $port);
    fclose($c);
    echo "stopped: ", server_stop($pid), "\n";
}
?>
--EXPECT--
string(6) "ping 1"
array(4) {
  [0]=>
  string(7) "address"
  [1]=>
  string(4) "port"
  [2]=>
  string(11) "server_port"
  [3]=>
  string(13) "server_socket"
}
bool(true)
stopped: 0
string(6) "ping 2"
array(4) {
  [0]=>
  string(7) "address"
  [1]=>
  string(4) "port"
  [2]=>
  string(11) "server_port"
  [3]=>
  string(13) "server_socket"
}
bool(true)
stopped: 0

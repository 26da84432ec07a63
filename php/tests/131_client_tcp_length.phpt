--TEST--
Swoole\Client sync TCP with length framing (seed example 2): a 1.5 MB message whole in one recv, two messages from one read, a message over package_max_length
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = client_server();

$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump($c->set([
    'open_length_check'     => 1,
    'package_length_type'   => 'N',
    'package_length_offset' => 0,
    'package_body_offset'   => 4,
    'package_max_length'    => 2000000,
]));
var_dump($c->connect('127.0.0.1', $port, 5.0));

// 1.5 MB: one recv with the default $size gives the whole message, header included
$n = 1500000;
$c->send("len:$n\n");
$m = $c->recv();
var_dump(strlen($m) === $n + 4, unpack('N', $m)[1] === $n, substr($m, 4) === pattern($n));

// two messages in one send: one per recv
$c->send("len2\n");
var_dump(substr($c->recv(), 4), substr($c->recv(), 4));

// small and big in turn: nothing of one leaks into the next
foreach ([10, 300000, 1, 65536] as $k) {
    $c->send("len:$k\n");
    $m = $c->recv(16);
    echo $k, ': ', strlen($m) === $k + 4 && substr($m, 4) === pattern($k) ? 'ok' : 'bad', "\n";
}

// over package_max_length: false, the connection is dropped
$c->send("len:2050000\n");
var_dump($c->recv(), $c->errCode === SWOOLE_ERROR_DATA_LENGTH_TOO_LARGE, $c->isConnected(), $c->sock);

// 'package_max_length' => '4K' (a size with a suffix)
$c2 = new Swoole\Client(SWOOLE_SOCK_TCP);
$c2->set(['open_length_check' => true, 'package_body_offset' => 4, 'package_max_length' => '4K']);
$c2->connect('127.0.0.1', $port);
$c2->send("len:4092\n");
var_dump(strlen($c2->recv()));
$c2->send("len:4093\n");
var_dump(@$c2->recv(), $c2->errMsg);
unset($c2);

echo "stopped: ", server_stop($pid), "\n";
log_take();
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(3) "one"
string(6) "second"
10: ok
300000: ok
1: ok
65536: ok

Warning: Swoole\Client::recv(): recv from 127.0.0.1:%d: message longer than package_max_length 2000000; connection closed in %s on line %d
bool(false)
bool(true)
bool(false)
int(-1)
int(4096)
bool(false)
string(%d) "recv from 127.0.0.1:%d: message longer than package_max_length 4096; connection closed"
stopped: 0

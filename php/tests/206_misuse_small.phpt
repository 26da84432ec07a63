--TEST--
Misuse: an unknown socket type with SWOOLE_SSL is named in the error; Client::recv($n, MSG_WAITALL) does not allocate $n bytes up front; addProcess() refuses a Process it already has
--EXTENSIONS--
swoole
--INI--
memory_limit=64M
--FILE--
<?php
try {
    new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, 99 | SWOOLE_SSL);
} catch (Swoole\Exception $e) {
    echo $e->getMessage(), "\n";
}
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
var_dump($s->addListener('127.0.0.1', 0, 77 | SWOOLE_SSL));

// 1 TiB asked for, 5 bytes sent, then the end of the stream
$srv = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
$port = (int)substr(strrchr(stream_socket_get_name($srv, false), ':'), 1);
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump($c->connect('127.0.0.1', $port, 5.0));
$peer = stream_socket_accept($srv, 5);
fwrite($peer, "hello");
fclose($peer);
var_dump($c->recv(1 << 40, Swoole\Client::MSG_WAITALL));
var_dump(memory_get_peak_usage() < 32 << 20);
$c->close();

// MSG_WAITALL still waits for all: 3 MB sent in pieces, asked for at once
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
$c->connect('127.0.0.1', $port, 5.0);
$peer = stream_socket_accept($srv, 5);
$data = str_repeat("0123456789abcdef", 3 << 16);
foreach (str_split($data, 1 << 20) as $piece) {
    fwrite($peer, $piece);
}
$got = $c->recv(strlen($data), Swoole\Client::MSG_WAITALL);
var_dump(strlen($got), $got === $data);
fclose($peer);
$c->close();

$p = new Swoole\Process(function () {});
var_dump($s->addProcess($p));
var_dump($s->addProcess($p));
?>
--EXPECTF--
socket type 99: expected 1..6

Warning: Swoole\Server::addListener(): socket type 77: expected 1..6 in %s on line %d
bool(false)
bool(true)
string(5) "hello"
bool(true)
int(3145728)
bool(true)
int(0)

Warning: Swoole\Server::addProcess(): add_process: the process object was already added (user process 0): one object runs one process in %s on line %d
bool(false)

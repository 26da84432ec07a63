--TEST--
swoole_client_select / swoole_select: clients (and Sockets, streams) cut to those ready, keys kept, null arrays skipped, no arrays a warning; Swoole\Client::getSocket(): an ext-sockets Socket on a duplicate of the connection's fd, the same one on each call; refused for SWOOLE_KEEP and unconnected clients
--EXTENSIONS--
swoole
pcntl
sockets
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = client_server();

$a = new Swoole\Client(SWOOLE_SOCK_TCP);
$b = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump($a->connect('127.0.0.1', $port, 2.0), $b->connect('127.0.0.1', $port, 2.0));

// nothing to read yet: both writable, none readable
$r = $w = $e = ['a' => $a, 'b' => $b];
var_dump(swoole_client_select($r, $w, $e, 0));
var_dump(array_keys($r), array_keys($w), array_keys($e));

// b gets a reply: only b is readable; null arrays are skipped
$b->send("echo:hi\n");
$r = ['a' => $a, 'b' => $b];
$w = $e = null;
var_dump(swoole_select($r, $w, $e, 2.0));
var_dump(array_keys($r), $w, $b->recv());

// a timeout: 0, every array emptied
$r = [$a];
$w = $e = [];
var_dump(swoole_client_select($r, $w, $e, 0.05), $r);

// nothing to wait for
$r = $w = $e = [];
var_dump(swoole_client_select($r, $w, $e));

// getSocket: a Socket, the same one twice, on a duplicate fd
$s = $a->getSocket();
var_dump($s instanceof Socket, $s === $a->getSocket());
socket_getpeername($s, $addr, $p);
var_dump($addr, $p === $port);
// a Socket in the select arrays too
$r = [$s];
$w = $e = null;
$a->send("echo:x\n");
var_dump(swoole_select($r, $w, $e, 2.0), count($r));
$a->close();
var_dump(socket_write($s, "echo:still open\n") > 0); // its own fd outlives the client's
socket_close($s);
$b->close();

// not connected; a new connection gets a new Socket; a SWOOLE_KEEP client
var_dump($a->getSocket());
$a->connect('127.0.0.1', $port, 2.0);
$s2 = $a->getSocket();
var_dump($s2 !== $s, $s2 === $a->getSocket());
$a->close();
$k = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_KEEP);
$k->connect('127.0.0.1', $port, 2.0);
var_dump($k->getSocket());
$k->close(true);
server_stop($pid);
?>
--EXPECTF--
bool(true)
bool(true)
int(2)
array(0) {
}
array(2) {
  [0]=>
  string(1) "a"
  [1]=>
  string(1) "b"
}
array(0) {
}
int(1)
array(1) {
  [0]=>
  string(1) "b"
}
NULL
string(2) "hi"
int(0)
array(0) {
}

Warning: swoole_client_select(): no resource arrays were passed to select in %s on line %d
bool(false)
bool(true)
bool(true)
string(9) "127.0.0.1"
bool(true)
int(1)
int(1)
bool(true)

Warning: Swoole\Client::getSocket(): getSocket: the client is not connected in %s on line %d
bool(false)
bool(true)
bool(true)

Warning: Swoole\Client::getSocket(): getSocket: not on a SWOOLE_KEEP (persistent) connection in %s on line %d
bool(false)

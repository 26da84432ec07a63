--TEST--
Swoole\Client sync TCP against a swirl server: connect, send, recv (size, MSG_PEEK, MSG_WAITALL), EOF framing (split and check), sendfile, addresses, a close by the server
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = client_server();

// no framing: what has arrived, up to $size
$c = new swoole_client(SWOOLE_SOCK_TCP);
var_dump($c instanceof Swoole\Client, $c->isConnected(), $c->sock);
var_dump($c->connect('127.0.0.1', $port, 2.0));
var_dump($c->isConnected(), $c->sock > 2, $c->errCode);
$local = $c->getsockname();
$peer = $c->getpeername();
var_dump($local['host'], $local['port'] > 0, $peer === ['host' => '127.0.0.1', 'port' => $port]);
var_dump($c->send("echo:hello world\n"));
var_dump($c->recv());
$c->send("echo:0123456789\n");
usleep(100000);
var_dump($c->recv(4, Swoole\Client::MSG_PEEK), $c->recv(4), $c->recv(100));
$c->send("echo:abc\n");
usleep(100000);
$c->send("echo:def\n");
var_dump($c->recv(6, Swoole\Client::MSG_WAITALL));
// the server's fd and our port, as the server sees them
$c->send("fd\n");
[$sfd, $sport] = explode(' ', trim($c->recv()));
var_dump((int)$sport === $local['port']);
// a close by the server: "" and still "connected" until close()
$c->send("close\n");
var_dump($c->recv(), $c->errCode, $c->isConnected());
var_dump($c->close(), $c->isConnected(), $c->sock);

// EOF split: one message per recv, whatever $size; "host:port" as the seed's connect
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump($c->set(['open_eof_check' => true, 'open_eof_split' => true, 'package_eof' => "\r\n",
                  'package_max_length' => 1024 * 1024 * 2]));
var_dump($c->setting);
var_dump($c->connect("127.0.0.1:$port"));
$c->send("eof3\n");
var_dump($c->recv(), $c->recv(1), $c->recv());

// EOF check (seed example 1): the message waits for its end
$c2 = new Swoole\Client(SWOOLE_SOCK_TCP);
$c2->set(['open_eof_check' => true, 'package_eof' => "\r\n\r\n", 'package_max_length' => 1024 * 1024 * 2]);
$c2->connect('127.0.0.1', $port);
$c2->send("eofslow\n");
$t0 = microtime(true);
var_dump($c2->recv(), microtime(true) - $t0 >= 0.15);
$c2->close();

// sendfile: a file of 200 KB echoed back as one "\r\n" message
$file = tempnam(sys_get_temp_dir(), 'swirl-sendfile-');
file_put_contents($file, 'line:' . pattern(200000) . "\n");
var_dump($c->sendfile($file));
$got = $c->recv();
var_dump(strlen($got), $got === pattern(200000) . "\r\n");
// part of it: offset and length
file_put_contents($file, "xxxxline:part\nyyyy");
var_dump($c->sendfile($file, 4, 10), $c->recv());
unlink($file);
$c->close();

echo "stopped: ", server_stop($pid), "\n";
log_take();
?>
--EXPECT--
bool(true)
bool(false)
int(-1)
bool(true)
bool(true)
bool(true)
int(0)
string(9) "127.0.0.1"
bool(true)
bool(true)
int(17)
string(11) "hello world"
string(4) "0123"
string(4) "0123"
string(6) "456789"
string(6) "abcdef"
bool(true)
string(0) ""
int(0)
bool(true)
bool(true)
bool(false)
int(-1)
bool(true)
array(4) {
  ["open_eof_check"]=>
  bool(true)
  ["open_eof_split"]=>
  bool(true)
  ["package_eof"]=>
  string(2) "
"
  ["package_max_length"]=>
  int(2097152)
}
bool(true)
string(3) "a
"
string(4) "bb
"
string(5) "ccc
"
string(14) "part1part2

"
bool(true)
bool(true)
int(200002)
bool(true)
bool(true)
string(6) "part
"
stopped: 0

--TEST--
Swoole\Client::recv(0) reads nothing and returns "" at once, as Swoole's (the rest of a length-prefixed answer that came whole in the first read); a negative size is refused
--FILE--
<?php
$srv = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
$port = (int)substr(strrchr(stream_socket_get_name($srv, false), ':'), 1);
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump($c->connect('127.0.0.1', $port, 1.0));
$peer = stream_socket_accept($srv, 1.0);
fwrite($peer, pack('N', 5) . 'hello');
$ret = $c->recv();
$len = unpack('N', $ret)[1];
var_dump(strlen($ret), $len);
$ret .= $c->recv($len - (strlen($ret) - 4));   /* 0: nothing left to read */
var_dump(substr($ret, 4));
try {
    $c->recv(-1);
} catch (ValueError $e) {
    echo $e->getMessage(), "\n";
}
fwrite($peer, 'more');
var_dump($c->recv(4));
?>
--EXPECT--
bool(true)
int(9)
int(5)
string(5) "hello"
Swoole\Client::recv(): Argument #1 ($size) must be greater than or equal to 0, -1 given
string(4) "more"

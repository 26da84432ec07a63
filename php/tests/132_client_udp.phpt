--TEST--
Swoole\Client SWOOLE_SOCK_UDP against a swirl UDP server: connect/send/recv, datagram boundaries, a datagram cut to $size, sendto without connect, getpeername of the last sender, a recv timeout
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_UDP);
    $s->set(['worker_num' => 1, 'log_level' => SWOOLE_LOG_NONE]);
    $s->on('packet', function ($s, $data, $addr) {
        if ($data !== 'silent') {
            $s->sendto($addr['address'], $addr['port'], "reply:$data from " . $addr['port']);
        }
    });
    return $s;
});

// connected: send and recv, one datagram each
$c = new Swoole\Client(SWOOLE_SOCK_UDP);
var_dump($c->connect('127.0.0.1', $port, 2.0), $c->isConnected());
$me = $c->getsockname()['port'];
var_dump($c->send('a'));
var_dump($c->recv() === "reply:a from $me");
var_dump($c->getpeername() === ['host' => '127.0.0.1', 'port' => $port]);
$c->send('x');
$c->send('yy');
var_dump($c->recv(100) === "reply:x from $me", $c->recv(100) === "reply:yy from $me");
$c->send('0123456789');
var_dump($c->recv(5));       // one datagram, cut to $size
$c->send('next');
var_dump($c->recv() === "reply:next from $me");  // the rest of the cut one is gone
// sendto on the connected socket
var_dump($c->sendto('127.0.0.1', $port, 'to'), $c->recv() === "reply:to from $me");
var_dump(@$c->sendfile(__FILE__), $c->errCode === SWOOLE_ERROR_OPERATION_NOT_SUPPORT);
var_dump($c->close(), $c->isConnected());

// not connected: sendto, then recv on the same socket; getpeername is the sender
$u = new swoole_client(SWOOLE_SOCK_UDP);
var_dump($u->sendto('127.0.0.1', $port, 'b'), $u->sock > 2, $u->isConnected());
$me = $u->getsockname()['port'];
var_dump($u->recv() === "reply:b from $me");
var_dump($u->getpeername() === ['host' => '127.0.0.1', 'port' => $port]);

// nothing comes back: false after the read timeout, errCode EAGAIN as Swoole's
$t = new Swoole\Client(SWOOLE_SOCK_UDP);
$t->set(['timeout' => 0.3]);
$t->connect('127.0.0.1', $port);
$t->send('silent');
$t0 = microtime(true);
$r = @$t->recv();
$dt = microtime(true) - $t0;
var_dump($r, $t->errCode, $dt >= 0.25 && $dt < 2);

echo "stopped: ", server_stop($pid), "\n";
log_take();
?>
--EXPECT--
bool(true)
bool(true)
int(1)
bool(true)
bool(true)
bool(true)
bool(true)
string(5) "reply"
bool(true)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(false)
int(11)
bool(true)
stopped: 0

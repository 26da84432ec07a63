--TEST--
Swoole\Client SWOOLE_KEEP: a closed or freed keep-alive client's connection is reused by the next one with the same key (same local port, one server connection); close(true), another key, a connection the server closed and plain clients get new ones
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = client_server();

/* Connect a client, check it works, return its local port. */
function use_client(Swoole\Client $c, int $port): int {
    if (!$c->connect('127.0.0.1', $port, 2.0)) {
        return -1;
    }
    $c->send("echo:hi\n");
    return $c->recv() === 'hi' ? $c->getsockname()['port'] : -2;
}

$a = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_KEEP);
$pa = use_client($a, $port);
var_dump($pa > 0, $a->close(), $a->isConnected());

// the seed's spelling: SWOOLE_TCP | SWOOLE_KEEP
$b = new swoole_client(SWOOLE_TCP | SWOOLE_KEEP);
var_dump(use_client($b, $port) === $pa);
unset($b); // freeing the object puts the connection back too

$c = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_KEEP);
var_dump(use_client($c, $port) === $pa);
var_dump($c->close(true)); // forced: really closed

$d = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_KEEP);
$pd = use_client($d, $port);
var_dump($pd > 0 && $pd !== $pa);
$d->close();

// another key: another connection; the same key again: that one
$e = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_KEEP, SWOOLE_SOCK_SYNC, 'other');
$pe = use_client($e, $port);
var_dump($pe > 0 && $pe !== $pd);
$e->close();
$e2 = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_KEEP, SWOOLE_SOCK_SYNC, 'other');
var_dump(use_client($e2, $port) === $pe);
$e2->close();
$d2 = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_KEEP);
var_dump(use_client($d2, $port) === $pd);

// the server closes it: not pooled, the next one connects anew
$d2->send("close\n");
var_dump($d2->recv());
$d2->close();
$f = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_KEEP);
$pf = use_client($f, $port);
var_dump($pf > 0 && $pf !== $pd);
$f->close();

// plain clients never share
$g = new Swoole\Client(SWOOLE_SOCK_TCP);
$pg = use_client($g, $port);
$g->close();
$h = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump(use_client($h, $port) !== $pg);
$h->close();

usleep(200000);
echo "stopped: ", server_stop($pid), "\n";
// the server saw one connection per distinct local port: pa, pd, pe, pf, pg and h's
$connects = substr_count(log_take(), 'connect ');
var_dump($connects);
?>
--EXPECT--
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(0) ""
bool(true)
bool(true)
stopped: 0
int(6)

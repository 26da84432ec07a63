--TEST--
Swoole\Redis failures: a refused connect, a wrong password, the right one with a database, the server killed with a command in flight (false with errCode/errMsg, then onClose), bad calls (warnings, false), a client whose variable is dropped still answers
--EXTENSIONS--
swoole
pcntl
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server is missing (apt-get install redis-server)'); ?>
--FILE--
<?php
require __DIR__ . '/redis.inc';
[$pid, $port] = redis_start(['--requirepass', 'pw']);

$r = new Swoole\Redis();
var_dump($r->get('k', function () {}));                       /* not connected */
var_dump($r->connect('127.0.0.1', 70000, function () {}));   /* bad port */
var_dump($r->connect('', 1, function () {}));
var_dump($r->on('nothing', function () {}));

/* one step after another: each starts in the callback that ends the one before */
function step_dropped(int $port): void {
    /* a client nobody holds answers anyway */
    (function () use ($port) {
        $x = new Swoole\Redis(['password' => 'pw']);
        $x->connect('127.0.0.1', $port, function ($x, $ok) {
            $x->ping(function ($x, $res) { echo "dropped variable: $res\n"; $x->close(); });
        });
    })();
}

function step_good(int $port, int $pid, int $port2): void {
    $good = new Swoole\Redis(['password' => 'pw', 'database' => 2]);
    $good->on('close', function ($r) use ($port2) {
        echo "onClose: ", $r->getState(), "\n";
        [, $p2] = redis_start(['--requirepass', 'pw'], $port2);
        step_dropped($p2);
    });
    $good->connect('127.0.0.1', $port, function ($r, $ok) use ($pid) {
        echo "right password: ", json_encode($ok), "\n";
        var_dump($r->set('k', 'v'));                               /* no callback */
        $r->set('k', 'in db 2', function ($r, $res) { echo "set: $res\n"; });
        $r->get('k', function ($r, $res) use ($pid) {
            echo "get: $res\n";
            /* (redis answers a batch when it is done with it: the sleep goes alone) */
            $r->debug('sleep', 5, function ($r, $res) {
                echo "in flight: ", json_encode([$res, $r->errCode > 0]), "\n";
                echo preg_replace('/:\d+:/', ':PORT:', $r->errMsg), "\n";
            });
            Swoole\Timer::after(100, function () use ($pid) { redis_kill($pid); });
        });
    });
}

$free = redis_free_port();
$r->connect('127.0.0.1', $free, function ($r, $ok) use ($port, $pid) {
    echo "refused: ", json_encode([$ok, $r->errCode, str_contains($r->errMsg, 'Connection refused')]), "\n";
    $bad = new Swoole\Redis(['password' => 'nope']);
    $bad->connect('127.0.0.1', $port, function ($r, $ok) use ($port, $pid) {
        echo "wrong password: ", json_encode([$ok, $r->errCode === 13]), "\n";
        echo preg_replace('/:\d+:/', ':PORT:', $r->errMsg), "\n";
        step_good($port, $pid, redis_free_port());
    });
});
?>
--EXPECTF--
Warning: Swoole\Redis::__call(): redis client is not connected. in %s on line %d
bool(false)

Warning: Swoole\Redis::connect(): redis server port is invalid. in %s on line %d
bool(false)

Warning: Swoole\Redis::connect(): redis server host is empty. in %s on line %d
bool(false)

Warning: Swoole\Redis::on(): Unknown event type[nothing] in %s on line %d
bool(false)
refused: [false,111,true]
wrong password: [false,true]
redis 127.0.0.1:PORT: AUTH refused: WRONGPASS invalid username-password pair or user is disabled.
right password: true

Warning: Swoole\Redis::__call(): the last argument must be a callback. in %s on line %d
bool(false)
set: OK
get: in db 2
in flight: [false,true]
redis 127.0.0.1:PORT: connection closed by the server
onClose: 4
dropped variable: PONG

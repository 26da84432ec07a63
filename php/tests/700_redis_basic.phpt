--TEST--
Swoole\Redis (swoole_redis) in a plain script against a real redis-server: connect over TCP and a Unix socket, commands with the callback last, each reply type as Swoole gives it, getState, close and onClose; the loop runs at the script's end
--EXTENSIONS--
swoole
pcntl
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server is missing (apt-get install redis-server)'); ?>
--FILE--
<?php
require __DIR__ . '/redis.inc';
[$pid, $port, $sock] = redis_start();

$r = new swoole_redis(['timeout' => 2]);
var_dump($r instanceof Swoole\Redis, $r->getState() === Swoole\Redis::STATE_CONNECT);
$r->on('close', function (Swoole\Redis $r) {
    echo "closed, state ", $r->getState(), "\n";
});
var_dump($r->connect('127.0.0.1', $port, function (Swoole\Redis $r, $ok) use ($sock) {
    echo "connected: "; var_dump($ok);
    $r->set('k', "a\0b", function ($r, $res) { echo "set: "; var_dump($res); });
    echo "waiting: ", $r->getState() === SWOOLE_REDIS_STATE_WAIT_RESULT ? 'yes' : 'no', "\n";
    $r->get('k', function ($r, $res) { echo "get: ", json_encode($res), "\n"; });
    $r->get('none', function ($r, $res) { echo "nil: "; var_dump($res); });
    $r->incrBy('n', 5, function ($r, $res) { echo "incrBy: "; var_dump($res); });
    $r->rpush('l', 'x', 'y', function ($r, $res) { echo "rpush: "; var_dump($res); });
    $r->lrange('l', 0, -1, function ($r, $res) { echo "lrange: "; var_dump($res); });
    $r->nosuchcommand(function ($r, $res) {
        echo "error: "; var_dump($res, $r->errCode, $r->errMsg);
    });
    $r->ping(function ($r, $res) use ($sock) {
        echo "ping: "; var_dump($res);
        echo "ready: ", $r->getState() === SWOOLE_REDIS_STATE_READY ? 'yes' : 'no', "\n";
        $r->close();
        /* the Unix socket */
        $u = new Swoole\Redis();
        $u->connect("unix:$sock", 0, function ($u, $ok) {
            echo "unix connected: "; var_dump($ok);
            $u->get('k', function ($u, $res) {
                echo "unix get: ", json_encode($res), "\n";
                $u->close();
            });
        });
    });
}));
echo "script end\n";
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
script end
connected: bool(true)
waiting: yes
set: string(2) "OK"
get: "a\u0000b"
nil: NULL
incrBy: int(5)
rpush: int(2)
lrange: array(2) {
  [0]=>
  string(1) "x"
  [1]=>
  string(1) "y"
}
error: bool(false)
int(-1)
string(63) "ERR unknown command 'nosuchcommand', with args beginning with: "
ping: string(4) "PONG"
ready: yes
closed, state 4
unix connected: bool(true)
unix get: "a\u0000b"

--TEST--
Swoole\Client over Unix sockets: SWOOLE_SOCK_UNIX_STREAM with EOF framing against a swirl server on a path, SWOOLE_SOCK_UNIX_DGRAM against its datagram listener, a missing path
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
$dir = sys_get_temp_dir() . '/swirl-client-unix-' . getmypid();
@mkdir($dir);
$spath = "$dir/stream.sock";
$dpath = "$dir/dgram.sock";
try {
    [$pid] = server_run(function ($ready) use ($spath, $dpath) {
        $s = new Swoole\Server($spath, 0, SWOOLE_BASE, SWOOLE_SOCK_UNIX_STREAM);
        $s->set(['worker_num' => 1, 'log_level' => SWOOLE_LOG_NONE,
                 'open_eof_split' => true, 'package_eof' => "\n"]);
        $s->on('receive', 'client_server_receive');
        $s->listen($dpath, 0, SWOOLE_SOCK_UNIX_DGRAM);
        $s->on('packet', function ($s, $data, $addr) {
            $s->sendto($addr['address'], 0, "dgram:$data", $addr['server_socket']);
        });
        /* server.inc waits for a port: a Unix server has none */
        $s->on('start', function () use ($ready) { $ready((object)['port' => 1]); });
        return $s;
    }, false);

    $c = new Swoole\Client(SWOOLE_SOCK_UNIX_STREAM);
    $c->set(['open_eof_split' => true, 'package_eof' => "\r\n"]);
    var_dump($c->connect($spath, 0, 2.0), $c->isConnected());
    $c->send("eof3\n");
    var_dump($c->recv(), $c->recv(), $c->recv());
    $c->send("line:" . pattern(100000) . "\n");
    var_dump($c->recv() === pattern(100000) . "\r\n");
    var_dump($c->getpeername() === ['host' => $spath, 'port' => 0]);
    var_dump($c->close());

    $d = new Swoole\Client(SWOOLE_SOCK_UNIX_DGRAM);
    var_dump($d->connect($dpath), $d->send('ping'), $d->recv());
    var_dump($d->sendto($dpath, 0, 'pong'), $d->recv());
    $d->close();

    $m = new Swoole\Client(SWOOLE_SOCK_UNIX_STREAM);
    var_dump(@$m->connect("$dir/missing.sock"), $m->errCode, $m->errMsg);
} finally {
    echo "stopped: ", server_stop($pid), "\n";
    log_take();
    @unlink($spath);
    @unlink($dpath);
    @rmdir($dir);
}
var_dump(is_dir($dir));
?>
--EXPECTF--
bool(true)
bool(true)
string(3) "a
"
string(4) "bb
"
string(5) "ccc
"
bool(true)
bool(true)
bool(true)
bool(true)
int(4)
string(10) "dgram:ping"
bool(true)
string(10) "dgram:pong"
bool(false)
int(2)
string(%d) "connect to %s/missing.sock: No such file or directory"
stopped: 0
bool(false)

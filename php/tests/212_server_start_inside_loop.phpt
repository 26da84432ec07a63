--TEST--
Swoole\Server::start() inside the running event loop (a Timer or Event callback) or inside another server's callback is refused, as Swoole refuses it, instead of running a second server there and dropping the timers and events of the loop it was called from
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
pcntl_alarm(30); /* a nested server that never stops fails the test */
require __DIR__ . '/server.inc';

function inner_server(): Swoole\Server {
    $t = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $t->set(['worker_num' => 1, 'log_level' => 5]);
    $t->on('receive', fn() => 1);
    $t->on('workerStart', function ($t) {
        echo "the inner server runs\n";
        $t->shutdown();
    });
    return $t;
}

/* inside Event::wait(): the outer timer must still fire */
Swoole\Timer::after(10, function () {
    var_dump(inner_server()->start());
});
Swoole\Timer::after(100, function () {
    echo "outer timer fired\n";
});
Swoole\Event::wait();

/* inside a server's worker: the outer server goes on answering */
[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->set(['worker_num' => 1, 'log_level' => 5]);
    $s->on('receive', function ($s, $fd, $rid, $data) {
        set_error_handler(function ($no, $msg) { log_line("warning: $msg"); return true; });
        $r = inner_server()->start();
        restore_error_handler();
        $s->send($fd, "start: " . var_export($r, true) . "\n");
    });
    return $s;
});
foreach ([1, 2] as $i) {
    $c = client($port);
    fwrite($c, "x");
    echo "reply $i: ", client_read($c);
    fclose($c);
}
echo "stopped: ", server_stop($pid), "\n";
echo log_take();
?>
--EXPECTF--
Warning: Swoole\Server::start(): the event loop of this process is running (a callback of Swoole\Event, Swoole\Timer or a server): a server cannot start inside it in %s on line %d
bool(false)
outer timer fired
reply 1: start: false
reply 2: start: false
stopped: 0
warning: Swoole\Server::start(): the event loop of this process is running (a callback of Swoole\Event, Swoole\Timer or a server): a server cannot start inside it
warning: Swoole\Server::start(): the event loop of this process is running (a callback of Swoole\Event, Swoole\Timer or a server): a server cannot start inside it

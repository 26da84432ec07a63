--TEST--
Swoole\Server: timers made before start() run in the master of a PROCESS server (as Swoole's); after start() returns, the script's own loop works again (a timer set then runs at the script's end)
--EXTENSIONS--
swoole
--FILE--
<?php
$master = getmypid();
$n = 0;
Swoole\Timer::tick(20, function ($id) use (&$n, $master) {
    echo "before-start timer in ", getmypid() === $master ? "the master" : "another process", "\n";
    if (++$n === 3) {
        Swoole\Timer::clear($id);
    }
});
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$s->set(['worker_num' => 1, 'log_file' => '/dev/null']);
$s->on('start', function ($s) use (&$n) {
    Swoole\Timer::tick(30, function ($id) use ($s, &$n) {
        if ($n >= 3) {
            Swoole\Timer::clear($id);
            $s->shutdown();
        }
    });
});
$s->on('receive', fn() => 1);
var_dump($s->start());
echo "ticks: $n\n";
Swoole\Timer::after(10, fn() => print("after the server\n"));
?>
--EXPECT--
before-start timer in the master
before-start timer in the master
before-start timer in the master
bool(true)
ticks: 3

Deprecated: swoole_event_rshutdown(): Event::wait() in shutdown function is deprecated in Unknown on line 0
after the server

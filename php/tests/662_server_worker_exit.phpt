--TEST--
Swoole\Server workerExit (Swoole's rule): it runs while a stopping worker's loop still holds something of the user's (here a timer), again at each check until it is released; a worker that holds nothing stops without it
--EXTENSIONS--
swoole
--FILE--
<?php
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$s->set(['worker_num' => 1, 'log_file' => '/dev/null']);
$s->on('receive', function () {});
$round = new Swoole\Atomic(0);
$s->on('workerStart', function ($s, $id) use ($round) {
    $n = $round->add();
    echo "start $n\n";
    if ($n == 1) {
        $GLOBALS['exits'] = 0;
        $GLOBALS['t'] = Swoole\Timer::tick(50, function () {});
        Swoole\Timer::after(10, fn() => $s->reload());
    } else {
        Swoole\Timer::after(10, fn() => $s->shutdown());
    }
});
$s->on('workerExit', function ($s, $id) {
    $GLOBALS['exits']++;
    echo "exit {$GLOBALS['exits']}, status ", $s->getWorkerStatus(), "\n";
    if ($GLOBALS['exits'] == 2) {
        Swoole\Timer::clear($GLOBALS['t']); // released at the second call
    }
});
$s->on('workerStop', function () {
    echo "stop\n";
});
$s->start();
echo "done\n";
?>
--EXPECT--
start 1
exit 1, status 3
exit 2, status 3
stop
start 2
stop
done

--TEST--
Swoole\Server workerExit in BASE mode: a worker whose timer is never released leaves at max_wait_time (workerStop still runs); a Swoole\Event fd is user work too, released in workerExit
--EXTENSIONS--
swoole
--FILE--
<?php
$log = tempnam(sys_get_temp_dir(), 'swirl-663-');
function say($line) {
    file_put_contents($GLOBALS['log'], "$line\n", FILE_APPEND | LOCK_EX);
}
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$s->set(['worker_num' => 2, 'max_wait_time' => 1, 'log_file' => '/dev/null']);
$s->on('receive', function () {});
$s->on('workerStart', function ($s, $id) {
    $GLOBALS['said'] = false;
    if ($id == 0) {
        Swoole\Timer::tick(100, function () {}); // never cleared
        Swoole\Timer::after(10, fn() => $s->shutdown());
    } else {
        $GLOBALS['pair'] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
        Swoole\Event::add($GLOBALS['pair'][0], function () {});
    }
});
$s->on('workerExit', function ($s, $id) {
    if (!$GLOBALS['said']) {
        $GLOBALS['said'] = true;
        say("exit $id");
    }
    if ($id == 1 && Swoole\Event::isset($GLOBALS['pair'][0])) {
        Swoole\Event::del($GLOBALS['pair'][0]);
    }
});
$s->on('workerStop', function ($s, $id) {
    say("stop $id");
});
$s->start();
$lines = file($log, FILE_IGNORE_NEW_LINES);
sort($lines);
echo implode("\n", $lines), "\ndone\n";
unlink($log);
?>
--EXPECT--
exit 0
exit 1
stop 0
stop 1
done

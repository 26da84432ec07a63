--TEST--
Swoole\Server: a worker that calls exit(0) in workerStart is restarted with the growing delay of a worker that fails at start, not at once for ever (a fork storm of about a thousand workers a second, 100% CPU)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
$f = tempnam(sys_get_temp_dir(), 'swirl-starts-');
[$pid, $port] = server_run(function () use ($f) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'log_level' => 5]);
    $s->on('receive', fn() => 1);
    $s->on('workerStart', function () use ($f) {
        file_put_contents($f, "x", FILE_APPEND);
        exit(0);
    });
    return $s;
});
sleep(1);
$starts = strlen(file_get_contents($f));
/* with the delays of a failing worker (100, 200, 400 ms ...) a few starts a
 * second at most; without, hundreds */
echo "starts in a second: ", $starts <= 10 ? "a few" : "$starts", "\n";
echo "stopped: ", server_stop($pid), "\n";
unlink($f);
?>
--EXPECT--
starts in a second: a few
stopped: 0

--TEST--
Swoole\Server::task() when every task worker is busy: the task still runs, and Swoole's warning "Server::timer_callback() (ERRNO 9007): No idle task worker is available" is logged once (a 1 s timer, at most one line a second)
--EXTENSIONS--
swoole
--FILE--
<?php
$log = tempnam(sys_get_temp_dir(), 'swirl-590-');
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$s->set(['worker_num' => 1, 'task_worker_num' => 1, 'log_file' => $log,
         'log_level' => SWOOLE_LOG_NOTICE]);
$s->on('receive', function () {});
$s->on('workerStart', function ($s, $id) {
    if (!$s->taskworker) {
        $s->task(1); /* the only task worker is busy with it (or has it queued) */
        $s->task(2);
    }
});
$s->on('task', function ($s, $tid, $src, $n) use ($log) {
    if ($n === 1) { /* busy until the warning is logged */
        for ($i = 0; $i < 1000 && !str_contains(file_get_contents($log), 'No idle'); $i++) {
            usleep(10000);
        }
        return;
    }
    echo "task 2 ran\n";
    $s->shutdown();
});
$s->start();
$lines = array_values(preg_grep('/No idle/', file($log)));
echo count($lines), "\n", $lines[0];
unlink($log);
?>
--EXPECTF--
task 2 ran
1
[%s]	WARNING	Server::timer_callback() (ERRNO 9007): No idle task worker is available

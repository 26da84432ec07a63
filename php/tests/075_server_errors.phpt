--TEST--
Swoole\Server: an uncaught exception, a fatal error or exit() in a callback is reported and ends the worker, which the manager replaces (workerError); the server goes on
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

function wait_log(string $needle): void {
    for ($i = 0; $i < 500; $i++) {
        if (str_contains((string)@file_get_contents(log_file()), $needle)) {
            return;
        }
        usleep(10000);
    }
    echo "timed out waiting for $needle\n";
}

foreach ([SWOOLE_PROCESS, SWOOLE_BASE] as $mode) {
    echo "-- mode $mode\n";
    [$pid, $port] = server_run(function () use ($mode) {
        $s = new Swoole\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 1, 'task_worker_num' => 1, 'log_level' => 5]);
        $s->on('workerError', function ($s, $worker_id, $worker_pid, $exit_code, $signal) {
            log_line("workerError id=$worker_id code=$exit_code signal=$signal pid_ok=" . (int)($worker_pid > 0));
        });
        $s->on('receive', function ($s, $fd, $rid, $data) {
            switch (trim($data)) {
            case 'throw':
                throw new RuntimeException("thrown in receive");
            case 'fatal':
                ini_set('memory_limit', '4M');
                $a = str_repeat('x', 64 << 20);
                break;
            case 'exit':
                exit(3);
            case 'task':
                $s->task('boom');
                break;
            default:
                $s->send($fd, "still here\n");
            }
        });
        $s->on('task', function ($s, $id, $src, $data) {
            throw new LogicException("thrown in task: $data");
        });
        $s->on('finish', function () {});
        return $s;
    });
    foreach (['throw', 'fatal', 'exit', 'task'] as $n => $cmd) {
        $c = client($port);
        fwrite($c, "$cmd\n");
        wait_log("workerError id=" . ($cmd === 'task' ? 1 : 0) . " code=" . ($cmd === 'exit' ? 3 : 255));
        echo str_replace(' pid_ok=1', '', log_take());
        fclose($c);
        $c = client($port);
        fwrite($c, "ping\n");
        echo client_read($c);
        fclose($c);
    }
    echo "stopped: ", server_stop($pid), "\n";
}
?>
--EXPECTF--
-- mode 2

Fatal error: Uncaught RuntimeException: thrown in receive in %s:%d
Stack trace:
#0 [internal function]: {closure}(Object(Swoole\Server), %d, %d, 'throw\n')
#1 %s: Swoole\Server->start()
#2 %s: server_run(Object(Closure))
#3 {main}
  thrown in %s on line %d
workerError id=0 code=255 signal=0
still here

Fatal error: Allowed memory size of 4194304 bytes exhausted %s in %s on line %d
workerError id=0 code=255 signal=0
still here
workerError id=0 code=3 signal=0
still here

Fatal error: Uncaught LogicException: thrown in task: boom in %s:%d
Stack trace:
#0 [internal function]: {closure}(Object(Swoole\Server), %d, %d, 'boom')
#1 %s: Swoole\Server->start()
#2 %s: server_run(Object(Closure))
#3 {main}
  thrown in %s on line %d
workerError id=1 code=255 signal=0
still here
stopped: 0
-- mode 1

Fatal error: Uncaught RuntimeException: thrown in receive in %s:%d
Stack trace:
#0 [internal function]: {closure}(Object(Swoole\Server), %d, %d, 'throw\n')
#1 %s: Swoole\Server->start()
#2 %s: server_run(Object(Closure))
#3 {main}
  thrown in %s on line %d
workerError id=0 code=255 signal=0
still here

Fatal error: Allowed memory size of 4194304 bytes exhausted %s in %s on line %d
workerError id=0 code=255 signal=0
still here
workerError id=0 code=3 signal=0
still here

Fatal error: Uncaught LogicException: thrown in task: boom in %s:%d
Stack trace:
#0 [internal function]: {closure}(Object(Swoole\Server), %d, %d, 'boom')
#1 %s: Swoole\Server->start()
#2 %s: server_run(Object(Closure))
#3 {main}
  thrown in %s on line %d
workerError id=1 code=255 signal=0
still here
stopped: 0

--TEST--
Swoole\Server: an uncaught exception, a fatal error or exit() in a timer, defer or Event callback run by a worker's loop ends the worker as in any server callback (reported, exit status 255 or exit()'s, workerError, replaced); the exception was dropped without a word and the worker left with status 0 (a fatal error ran PHP's request shutdown there)
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
        $s->set(['worker_num' => 1, 'task_worker_num' => 1, 'log_level' => 5]); /* BASE: a manager */
        $s->on('task', fn() => null);
        $s->on('finish', fn() => null);
        $s->on('workerError', function ($s, $worker_id, $worker_pid, $exit_code, $signal) {
            log_line("workerError id=$worker_id code=$exit_code signal=$signal");
        });
        $s->on('receive', function ($s, $fd, $rid, $data) {
            switch (trim($data)) {
            case 'after-throw':
                $s->after(1, function () { throw new RuntimeException("thrown in a timer"); });
                break;
            case 'timer-fatal':
                Swoole\Timer::after(1, function () {
                    ini_set('memory_limit', '4M');
                    $a = str_repeat('x', 64 << 20);
                });
                break;
            case 'defer-exit':
                Swoole\Event::defer(function () { exit(3); });
                break;
            default:
                $s->send($fd, "still here\n");
            }
        });
        return $s;
    });
    foreach (['after-throw', 'timer-fatal', 'defer-exit'] as $cmd) {
        $c = client($port);
        fwrite($c, "$cmd\n");
        wait_log("workerError id=0 code=" . ($cmd === 'defer-exit' ? 3 : 255));
        echo log_take();
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

Fatal error: Uncaught RuntimeException: thrown in a timer in %s:%d
Stack trace:
#0 [internal function]: {closure}()
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
stopped: 0
-- mode 1

Fatal error: Uncaught RuntimeException: thrown in a timer in %s:%d
Stack trace:
#0 [internal function]: {closure}()
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
stopped: 0

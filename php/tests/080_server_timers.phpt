--TEST--
Swoole\Server: tick/after/defer/clearTimer in workers (after sends to a connection), in the master's start callback; no loop outside the server
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

$s0 = new Swoole\Server('127.0.0.1', 0);
var_dump($s0->tick(10, fn() => 1));
var_dump($s0->clearTimer(12345));

foreach ([[SWOOLE_PROCESS, 1], [SWOOLE_BASE, 2], [SWOOLE_BASE, 1]] as [$mode, $workers]) {
    [$pid, $port] = server_run(function ($ready) use ($mode, $workers) {
        $s = new Swoole\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => $workers, 'log_level' => 5]);
        $s->on('start', function ($s) use ($ready) {
            set_error_handler(function ($no, $msg) { log_line("start: $msg"); return true; });
            $t = $s->after(20, function () use ($s, $ready) {
                log_line("master after: " . ($s->master_pid === getmypid() ? 'in master' : 'elsewhere'));
                $ready($s);
            });
            restore_error_handler();
            if ($t === false) {
                $ready($s);
            }
        });
        $s->on('workerStart', function ($s, $id) {
            if ($id !== 0) {
                return;
            }
            $n = 0;
            $s->tick(10, function ($tid, $tag) use ($s, &$n) {
                if (++$n === 5) {
                    log_line("tick $tag ran 5 times, cleared: " . var_export($s->clearTimer($tid), true));
                }
            }, 'T');
            $t = $s->after(50, fn() => log_line("cleared timer ran"));
            $s->clearTimer($t);
            $s->defer(fn() => log_line("defer in worker $id"));
        });
        $s->on('receive', function ($s, $fd, $rid, $data) {
            $s->after(30, function ($fd, $what) use ($s) {
                $s->send($fd, "after: $what\n");
            }, $fd, trim($data));
        });
        return $s;
    }, false);
    $c = client($port);
    fwrite($c, "hello\n");
    echo client_read($c);
    usleep(150000);
    fclose($c);
    echo "stopped: ", server_stop($pid), "\n";
    $lines = explode("\n", trim(log_take()));
    sort($lines);
    echo implode("\n", $lines), "\n";
}
?>
--EXPECTF--
Warning: Swoole\Server::tick(): the server has no event loop in this process (before start(): use Swoole\Timer, or a server callback) in %s on line %d
bool(false)
bool(false)
after: hello
stopped: 0
defer in worker 0
master after: in master
tick T ran 5 times, cleared: true
after: hello
stopped: 0
defer in worker 0
master after: in master
tick T ran 5 times, cleared: true
after: hello
stopped: 0
defer in worker 0
master after: in master
tick T ran 5 times, cleared: true

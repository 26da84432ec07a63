--TEST--
Swoole\Server lifecycle in both modes: tasks, sendMessage/pipeMessage, a Swoole\Table made before start shared by the workers, reload by SIGUSR1 under traffic (no connection lost in either mode), SIGTERM shutdown with no process left
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

function server_pids(): array {
    preg_match_all('/^pid \w+ (\d+)$/m', (string)file_get_contents(log_file()), $m);
    return array_unique(array_map('intval', $m[1]));
}
function left(array $pids): array {
    return array_values(array_filter($pids, fn($p) => file_exists("/proc/$p")));
}
function wait_lines(string $needle, int $n): int {
    for ($i = 0; $i < 500; $i++) {
        $c = substr_count((string)file_get_contents(log_file()), $needle);
        if ($c >= $n) return $c;
        usleep(10000);
    }
    return $c;
}

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo $mode === SWOOLE_BASE ? "BASE\n" : "PROCESS\n";
    $table = new Swoole\Table(64);
    $table->column('n', Swoole\Table::TYPE_INT);
    $table->create();
    [$pid, $port] = server_run(function () use ($mode, $table) {
        $s = new Swoole\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 2, 'task_worker_num' => 1, 'log_level' => 5]);
        $s->on('start', fn($s) => log_line("pid master " . getmypid()));
        $s->on('managerStart', fn($s) => log_line("pid manager " . getmypid()));
        $s->on('workerStart', function ($s, $id) {
            log_line("pid worker " . getmypid());
            log_line("workerStart $id");
        });
        $s->on('shutdown', fn($s) => log_line("shutdown event"));
        $s->on('task', fn($s, $tid, $src, $data) => ['echo' => $data, 'by' => $s->worker_id]);
        $s->on('finish', fn() => null);
        $s->on('pipeMessage', function ($s, $src, $msg) use ($table) {
            $table->incr("w{$s->worker_id}", 'n');
            $table->incr('total', 'n');
            $s->send($msg['fd'], "pipe {$msg['i']} from $src\n");
        });
        $s->on('receive', function ($s, $fd, $rid, $data) use ($table) {
            foreach (explode("\n", trim($data)) as $cmd) {
                [$what, $i] = explode(' ', $cmd) + [1 => 0];
                if ($what === 'req') {
                    $table->incr("w{$s->worker_id}", 'n');
                    $table->incr('total', 'n');
                    $s->send($fd, "ok $i\n");
                } elseif ($what === 'task') {
                    $r = $s->taskwait($i, 2.0);
                    $s->send($fd, "task " . json_encode($r) . "\n");
                } elseif ($what === 'msg') {
                    $s->sendMessage(['fd' => $fd, 'i' => $i], 1 - $s->worker_id);
                } elseif ($what === 'count') {
                    $w0 = $table->get('w0', 'n');
                    $w1 = $table->get('w1', 'n');
                    $s->send($fd, "table: total={$table->get('total', 'n')} sum=" . ($w0 + $w1) . " both=" . var_export($w0 > 0 && $w1 > 0, true) . "\n");
                }
            }
        });
        return $s;
    });
    wait_lines('workerStart', 3);
    $c = client($port);
    fwrite($c, "task 7\n");
    echo client_read($c);
    $answered = 0;
    $reconnects = 0;
    for ($i = 0; $i < 200; $i++) {
        if ($i === 60) {
            Swoole\Process::kill($pid, SIGUSR1);  /* reload under traffic */
        }
        for ($try = 0; $try < 5; $try++) {
            @fwrite($c, $i % 10 === 9 ? "msg $i\n" : "req $i\n");
            $line = client_read($c);
            if ($line !== '') {
                break;
            }
            /* none expected: PROCESS keeps connections in the master, BASE hands them on */
            $reconnects++;
            fclose($c);
            $c = client($port);
        }
        if ($line === "ok $i\n" || preg_match("/^pipe $i from [01]\n$/", $line)) {
            $answered++;
        }
        usleep(2000);
    }
    echo "reconnects: $reconnects\n";
    echo "answered: $answered of 200\n";
    echo "workers started again: ", var_export(wait_lines('workerStart', 6) >= 6, true), "\n";
    fwrite($c, "count\n");
    echo client_read($c);
    fclose($c);
    $pids = server_pids();
    echo "stopped by SIGTERM: ", server_stop($pid, SIGTERM), "\n";
    usleep(100000);
    echo "processes left: ", count(left($pids)), " of ", count($pids) > 4 ? "all" : count($pids), "\n";
    $log = log_take();
    echo "shutdown events: ", substr_count($log, "shutdown event"), "\n";
}
?>
--EXPECT--
BASE
task {"echo":"7","by":2}
reconnects: 0
answered: 200 of 200
workers started again: true
table: total=200 sum=200 both=true
stopped by SIGTERM: 0
processes left: 0 of all
shutdown events: 1
PROCESS
task {"echo":"7","by":2}
reconnects: 0
answered: 200 of 200
workers started again: true
table: total=200 sum=200 both=true
stopped by SIGTERM: 0
processes left: 0 of all
shutdown events: 1

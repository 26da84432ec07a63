--TEST--
Swoole\Server\Task (task_use_object): onTask($server, Task) with data, id, worker_id, flags, dispatch_time; Task::finish() gives a result (several for task(), one for taskwait) only during its onTask; Task::pack()/unpack() round trip; unpack() of other bytes fails
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

foreach (['', str_repeat('ab', 40000), ['k' => [1, 2.5, null], 's' => 'x'], 42] as $v) {
    $p = Swoole\Server\Task::pack($v);
    echo gettype($p), " ", var_export(Swoole\Server\Task::unpack($p) === $v, true), "\n";
}
set_error_handler(function ($no, $m) { echo "warning: $m\n"; return true; });
var_dump(Swoole\Server\Task::unpack('not a task'));
var_dump(Swoole\Server\Task::unpack(substr(Swoole\Server\Task::pack('abc'), 0, -1)));
restore_error_handler();

[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'task_worker_num' => 1, 'log_level' => 5, 'task_use_object' => true]);
    $s->on('receive', function ($s, $fd, $rid, $data) {
        if (trim($data) === 'wait') {
            $s->send($fd, "taskwait: " . json_encode($s->taskwait(['fd' => $fd, 'n' => 2], 3.0)) . "\n");
            return;
        }
        $s->task(['fd' => $fd, 'n' => 1]);
    });
    $s->on('task', function (Swoole\Server $s, Swoole\Server\Task $t) {
        static $kept;
        set_error_handler(function ($no, $m) { log_line("warning: $m"); return true; });
        if ($kept) {
            log_line("finish of an earlier task: " . var_export($kept->finish('late'), true));
        }
        log_line(sprintf("task: id=%s worker_id=%d nonblock=%s noreply=%s time=%s data=%s",
            var_export($t->id > 0, true), $t->worker_id,
            var_export(($t->flags & SWOOLE_TASK_NONBLOCK) !== 0, true),
            var_export(($t->flags & SWOOLE_TASK_NOREPLY) !== 0, true),
            var_export(abs($t->dispatch_time - microtime(true)) < 60, true), json_encode($t->data)));
        $r1 = $t->finish(['fd' => $t->data['fd'], 'doubled' => $t->data['n'] * 2]);
        $r2 = $t->finish('again');
        restore_error_handler();
        log_line("finish: " . var_export($r1, true) . ", again: " . var_export($r2, true));
        $kept = $t;
    });
    $s->on('finish', function ($s, $id, $result) {
        if (!is_array($result)) {
            return; /* the second result of the task() */
        }
        $s->send($result['fd'], "finish: " . json_encode($result['doubled']) . "\n");
    });
    return $s;
});

$c = client($port);
fwrite($c, "task\n");
echo client_read($c);
fwrite($c, "wait\n");
echo preg_replace('/"fd":\d+/', '"fd":FD', client_read($c));
fclose($c);
echo "stopped: ", server_stop($pid), "\n";
echo preg_replace(['/"fd":\d+/', '/task \d+/'], ['"fd":FD', 'task N'], log_take());
?>
--EXPECT--
string true
string true
string true
string true
warning: Swoole\Server\Task::unpack(): task unpack: 10 bytes: not a task message
bool(false)
warning: Swoole\Server\Task::unpack(): task unpack: 27 bytes: not a task message
bool(false)
finish: 2
taskwait: {"fd":FD,"doubled":4}
stopped: 0
task: id=true worker_id=0 nonblock=true noreply=false time=true data={"fd":FD,"n":1}
finish: true, again: true
warning: Swoole\Server\Task::finish(): finish: task N is not running (a result is given during its onTask)
finish of an earlier task: false
task: id=true worker_id=0 nonblock=false noreply=false time=true data={"fd":FD,"n":2}
warning: Swoole\Server\Task::finish(): finish: task N already has its result (a taskwait takes one)
finish: true, again: false

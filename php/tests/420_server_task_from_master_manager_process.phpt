--TEST--
Swoole\Server::task() from the master (onStart and its timers), the manager (onManagerStart) and a user process: each reaches a task worker, flagged SWOOLE_TASK_NOREPLY, ids from 0 per process; finish() for it is refused; task() in a task worker and a bad destination are refused
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

function wait_lines(int $n): void {
    for ($i = 0; $i < 500 && substr_count((string)@file_get_contents(log_file()), "\n") < $n; $i++) usleep(10000);
}

[$pid, $port] = server_run(function ($ready) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'task_worker_num' => 2, 'log_level' => 5, 'task_use_object' => true]);
    $s->on('start', function ($s) use ($ready) {
        log_line("master task id: " . var_export($s->task(['from' => 'master']), true));
        Swoole\Timer::after(10, function () use ($s, $ready) {
            log_line("master timer task id: " . var_export($s->task(['from' => 'master timer'], 1), true));
            set_error_handler(function ($no, $msg) { log_line("warning: $msg"); return true; });
            log_line("bad destination: " . var_export($s->task('x', 5), true));
            restore_error_handler();
            $ready($s);
        });
    });
    $s->on('managerStart', function ($s) {
        log_line("manager task id: " . var_export($s->task(['from' => 'manager']), true));
    });
    $s->addProcess(new Swoole\Process(function () use ($s) {
        static $once = false;
        if (!$once) {
            $once = true;
            log_line("user process task id: " . var_export($s->task(['from' => 'user process']), true));
        }
        sleep(100);
    }));
    $s->on('receive', function () {});
    $s->on('task', function (Swoole\Server $s, Swoole\Server\Task $t) {
        set_error_handler(function ($no, $msg) { log_line("warning: $msg"); return true; });
        $fin = $t->finish('result');
        $again = $s->task('from a task worker');
        restore_error_handler();
        log_line(sprintf("task from %s: id=%d noreply=%s nonblock=%s serialized=%s finish=%s task()=%s",
            $t->data['from'], $t->id, var_export(($t->flags & SWOOLE_TASK_NOREPLY) !== 0, true),
            var_export(($t->flags & SWOOLE_TASK_NONBLOCK) !== 0, true),
            var_export(($t->flags & SWOOLE_TASK_SERIALIZE) !== 0, true),
            var_export($fin, true), var_export($again, true)));
    });
    $s->on('finish', function () {});
    return $s;
}, false);

wait_lines(16);
echo "stopped: ", server_stop($pid), "\n";
$lines = explode("\n", trim(preg_replace('/finish: task \d+/', 'finish: task N', log_take())));
sort($lines);
echo implode("\n", array_unique($lines)), "\n";
?>
--EXPECT--
stopped: 0
bad destination: false
manager task id: 0
master task id: 0
master timer task id: 1
task from manager: id=0 noreply=true nonblock=true serialized=true finish=false task()=false
task from master timer: id=1 noreply=true nonblock=true serialized=true finish=false task()=false
task from master: id=0 noreply=true nonblock=true serialized=true finish=false task()=false
task from user process: id=0 noreply=true nonblock=true serialized=true finish=false task()=false
user process task id: 0
warning: Swoole\Server::task(): task: a task worker cannot send tasks
warning: Swoole\Server::task(): task: destination task worker 5: expected -1 (any) or 0..1
warning: Swoole\Server\Task::finish(): finish: task N came from the master, the manager or a user process: there is no worker to send its result to

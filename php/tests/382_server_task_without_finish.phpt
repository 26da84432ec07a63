--TEST--
Swoole\Server: task_worker_num needs only onTask; a task result with no finish callback is Swoole's warning "require 'onFinish' callback", and the server goes on; a finish callable given to task() still gets its result; no onTask is refused at start
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'task_worker_num' => 1, 'log_file' => '/dev/null']);
    $s->on('receive', function ($s, $fd, $rid, $data) {
        $data = trim($data);
        if ($data === 'plain') {
            $s->task('plain');
            $s->after(300, fn() => $s->send($fd, "sent\n"));
        } else {
            $s->task('cb', -1, fn($s, $id, $r) => $s->send($fd, "finish callable: $r\n"));
        }
    });
    $s->on('task', fn($s, $id, $from, $data) => "$data done");
    return $s;
});
$c = client($port);
fwrite($c, "plain\n");
echo client_read($c, 5);
fwrite($c, "cb\n");
echo client_read($c, strlen("finish callable: cb done\n"));
echo "stopped: ", server_stop($pid), "\n";

$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$s->set(['task_worker_num' => 1]);
$s->on('receive', fn() => 1);
var_dump($s->start());
?>
--EXPECTF--
Warning: %s: require 'onFinish' callback in %s on line %d
sent
finish callable: cb done
stopped: 0

Warning: Swoole\Server::start(): start: task_worker_num 1 needs a task callback (on "task") in %s on line %d
bool(false)

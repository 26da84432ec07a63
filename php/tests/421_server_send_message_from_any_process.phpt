--TEST--
Swoole\Server: sendMessage() from the manager and a user process to workers and task workers; send(), exist() and close() from a user process and from a manager timer; a task worker's send() in BASE and PROCESS mode; getWorkerPid($id); bad destinations
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

foreach ([SWOOLE_PROCESS, SWOOLE_BASE] as $mode) {
    echo $mode === SWOOLE_PROCESS ? "PROCESS\n" : "BASE\n";
    [$pid, $port] = server_run(function () use ($mode) {
        $s = new Swoole\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 2, 'task_worker_num' => 2, 'log_level' => 5]);
        $proc = new Swoole\Process(function (Swoole\Process $p) use ($s) {
            while (true) {
                [$cmd, $fd] = explode(':', $p->read());
                $fd = (int)$fd;
                if ($cmd === 'messages') {
                    for ($i = 0; $i < 4; $i++) {
                        $s->sendMessage("from process to $i:$fd", $i);
                    }
                    set_error_handler(function ($no, $m) use ($s, $fd) { $s->send($fd, "warning: $m\n"); return true; });
                    $r = $s->sendMessage('x', 4);
                    restore_error_handler();
                    $s->send($fd, "bad destination: " . var_export($r, true) . "\n");
                } elseif ($cmd === 'pids') {
                    $ok = [];
                    for ($i = 0; $i < 5; $i++) {
                        $ok[] = $s->getWorkerPid($i) > 0 ? 'pid' : 'none';
                    }
                    $ok[] = var_export($s->getWorkerPid(4) === getmypid(), true);
                    $ok[] = var_export($s->getWorkerPid(5), true);
                    $s->send($fd, "pids: " . implode(' ', $ok) . "\n");
                } elseif ($cmd === 'close') {
                    $s->send($fd, "exist: " . var_export($s->exist($fd), true) . "\n");
                    $s->close($fd);
                }
            }
        }, false, 2);
        $s->addProcess($proc);
        $s->on('managerStart', function ($s) {
            Swoole\Timer::tick(20, function ($id) use ($s) {
                $fds = iterator_to_array($s->connections);
                if (!$fds) {
                    return;
                }
                Swoole\Timer::clear($id);
                foreach ($fds as $fd) {
                    $s->send($fd, "manager timer: hello\n");
                    $s->sendMessage("from manager to 3:$fd", 3);
                }
            });
        });
        $s->on('receive', function ($s, $fd, $rid, $data) use ($proc) {
            $proc->write(trim($data) . ":$fd");
        });
        $s->on('pipeMessage', function ($s, $src, $data) {
            [$text, $fd] = explode(':', $data);
            $s->send((int)$fd, "pipeMessage in " . ($s->taskworker ? 'task worker' : 'worker') . " {$s->worker_id}: $text\n");
            if ($s->taskworker && $text === 'from manager to 3') {
                set_error_handler(function ($no, $m) use ($s, $fd) { $s->send((int)$fd, "warning: $m\n"); return true; });
                $r = $s->sendfile((int)$fd, __FILE__);
                restore_error_handler();
                $s->send((int)$fd, "sendfile in a task worker: " . var_export($r, true) . "\n");
            }
        });
        $s->on('task', function () {});
        $s->on('finish', function () {});
        return $s;
    });
    $c = client($port);
    $lines = [];
    for ($i = 0; $i < 4; $i++) {
        $lines[] = client_read($c);
    }
    fwrite($c, "messages\n");
    for ($i = 0; $i < 6; $i++) {
        $lines[] = client_read($c);
    }
    fwrite($c, "pids\n");
    $lines[] = client_read($c);
    sort($lines);
    echo implode('', $lines);
    fwrite($c, "close\n");
    echo client_read($c);
    echo "closed: ", var_export(fread($c, 100) === '' && feof($c), true), "\n";
    echo "stopped: ", server_stop($pid), "\n";
}
?>
--EXPECTF--
PROCESS
bad destination: false
manager timer: hello
pids: pid pid pid pid pid true false
pipeMessage in task worker 2: from process to 2
pipeMessage in task worker 3: from manager to 3
pipeMessage in task worker 3: from process to 3
pipeMessage in worker 0: from process to 0
pipeMessage in worker 1: from process to 1
sendfile in a task worker: false
warning: Swoole\Server::sendMessage(): send_message: destination worker 4: expected 0..3 and not this worker (-1)
warning: Swoole\Server::sendfile(): sendfile to connection %d: only a worker sends files (not a task worker, the master, the manager or a user process)
exist: true
closed: true
stopped: 0
BASE
bad destination: false
manager timer: hello
pids: pid pid pid pid pid true false
pipeMessage in task worker 2: from process to 2
pipeMessage in task worker 3: from manager to 3
pipeMessage in task worker 3: from process to 3
pipeMessage in worker 0: from process to 0
pipeMessage in worker 1: from process to 1
sendfile in a task worker: false
warning: Swoole\Server::sendMessage(): send_message: destination worker 4: expected 0..3 and not this worker (-1)
warning: Swoole\Server::sendfile(): sendfile to connection %d: only a worker sends files (not a task worker, the master, the manager or a user process)
exist: true
closed: true
stopped: 0

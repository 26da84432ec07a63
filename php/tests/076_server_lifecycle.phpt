--TEST--
Swoole\Server: start/managerStart/workerStart/workerStop/shutdown events and pid properties, sendMessage/pipeMessage with PHP values, reload, shutdown() from a callback
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

[$pid, $port] = server_run(function ($ready) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 2, 'log_level' => 5]);
    $s->on('start', function (Swoole\Server $s) use ($ready) {
        log_line("start master_pid_ok=" . (int)($s->master_pid === getmypid()) . " port_ok=" . (int)($s->port > 0));
        $ready($s);
    });
    $s->on('managerStart', function ($s) {
        log_line("managerStart manager_pid_ok=" . (int)($s->manager_pid === getmypid()));
    });
    $s->on('workerStart', function ($s, $id) {
        log_line("workerStart $id manager_ok=" . (int)($s->manager_pid === posix_getppid_compat()));
    });
    $s->on('workerStop', function ($s, $id) {
        log_line("workerStop $id");
    });
    $s->on('pipeMessage', function ($s, $src, $msg) {
        $s->send($msg['fd'], "pipeMessage in {$s->worker_id} from $src: " . json_encode($msg['v']) . "\n");
    });
    $s->on('receive', function ($s, $fd, $rid, $data) {
        $cmd = trim($data);
        if ($cmd === 'message') {
            $s->sendMessage(['fd' => $fd, 'v' => [1, 'two']], 1 - $s->worker_id);
        } elseif ($cmd === 'reload') {
            $s->send($fd, "reload: " . var_export($s->reload(), true) . "\n");
        } elseif ($cmd === 'shutdown') {
            $s->send($fd, "shutting down\n");
            $s->shutdown();
        }
    });
    $s->on('shutdown', function ($s) {
        log_line("shutdown");
    });
    return $s;
}, false);

function posix_getppid_compat(): int {
    $stat = file_get_contents('/proc/self/stat');
    return (int)explode(' ', substr($stat, strrpos($stat, ')') + 2))[1];
}

$c = client($port);
fwrite($c, "message\n");
echo preg_replace('/in \d from \d/', 'in W from V', client_read($c));
fwrite($c, "reload\n");
echo client_read($c);
usleep(500000);
fwrite($c, "shutdown\n");
echo client_read($c);
echo "stopped: ", server_stop($pid, 0), "\n";
$lines = explode("\n", trim(log_take()));
$count = array_count_values($lines);
ksort($count);
print_r($count);
?>
--EXPECT--
pipeMessage in W from V: [1,"two"]
reload: true
shutting down
stopped: 0
Array
(
    [managerStart manager_pid_ok=1] => 1
    [shutdown] => 1
    [start master_pid_ok=1 port_ok=1] => 1
    [workerStart 0 manager_ok=1] => 2
    [workerStart 1 manager_ok=1] => 2
    [workerStop 0] => 2
    [workerStop 1] => 2
)

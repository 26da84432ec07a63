--TEST--
Swoole\Server: connections, heartbeat(), pause/resume, bind + getClientInfo uid, sendfile, sendwait, taskWaitMulti, task() with a finish callback, getLastError, stop()
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

$file = tempnam(sys_get_temp_dir(), 'swirl-sf-');
file_put_contents($file, "0123456789");

[$pid, $port] = server_run(function () use ($file) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'task_worker_num' => 2, 'log_level' => 5, 'heartbeat_idle_time' => 1]);
    $s->on('workerStart', function ($s, $id) { log_line("workerStart $id"); });
    $s->on('task', function ($s, $tid, $src, $data) {
        if ($data === 'slow') {
            usleep(600000);
        }
        return is_int($data) ? $data * 2 : "done $data";
    });
    $s->on('finish', function ($s, $tid, $r) { $s->send($r['fd'], "onFinish\n"); });
    $s->on('receive', function ($s, $fd, $rid, $data) use ($file) {
        $cmd = trim($data);
        switch ($cmd) {
        case 'conns':
            $n = 0;
            foreach ($s->connections as $c) { $n++; }
            $s->send($fd, "connections: " . count($s->connections) . " $n " . var_export(in_array($fd, $s->connections), true) . "\n");
            break;
        case 'bind':
            $r = $s->bind($fd, 4242);
            $s->send($fd, "bind: " . var_export($r, true) . " uid " . $s->getClientInfo($fd)['uid'] . "\n");
            break;
        case 'sendfile':
            $s->sendfile($fd, $file, 2, 5);
            $s->sendfile($fd, $file, 8);
            $s->send($fd, "\n");
            break;
        case 'sendwait':
            $s->sendwait($fd, "sendwait: " . var_export(true, true) . "\n");
            break;
        case 'multi':
            $r = $s->taskWaitMulti(['a' => 1, 'b' => 'x', 7 => 20], 2.0);
            ksort($r);
            $s->send($fd, "multi: " . json_encode($r) . "\n");
            break;
        case 'multi-timeout':
            $r = $s->taskWaitMulti(['slow', 'quick'], 0.3);
            $s->send($fd, "multi-timeout: " . json_encode($r) . "\n");
            break;
        case 'taskcb':
            $s->task(21, -1, function ($s, $tid, $r) use ($fd) { $s->send($fd, "finish callback: $r\n"); });
            break;
        case 'lasterr':
            $r = $s->send(987654, "x");
            $s->send($fd, "send to nobody: " . var_export($r, true) . ", last error: " . var_export($s->getLastError() > 0, true) . "\n");
            break;
        case 'pause':
            $s->send($fd, "paused: " . var_export($s->pause($fd), true) . "\n");
            $s->after(400, fn() => $s->resume($fd));
            break;
        case 'ping':
            $s->send($fd, "pong\n");
            break;
        case 'heartbeat':
            $r = $s->heartbeat();
            $s->send($fd, "heartbeat closed " . count($r) . "\n");
            break;
        case 'stop':
            $s->send($fd, "stop: " . var_export($s->stop(), true) . "\n");
            break;
        }
    });
    return $s;
});

$c = client($port);
$idle = client($port);
foreach (['conns', 'bind', 'sendfile', 'sendwait', 'multi', 'multi-timeout', 'taskcb', 'lasterr'] as $cmd) {
    fwrite($c, "$cmd\n");
    echo client_read($c);
}
fwrite($c, "pause\n");
echo client_read($c);
$t = microtime(true);
fwrite($c, "ping\n");
echo client_read($c);
echo "resumed after the pause: ", var_export(microtime(true) - $t > 0.25, true), "\n";
sleep(1);
fwrite($c, "ping\n");          /* $c is busy, $idle is not */
echo client_read($c);
usleep(300000);
fwrite($c, "heartbeat\n");
echo client_read($c);
echo "idle connection closed: ", var_export(fread($idle, 10) === '' && feof($idle), true), "\n";
fwrite($c, "stop\n");
echo client_read($c);
usleep(500000);
fclose($c);
echo "stopped: ", server_stop($pid), "\n";
unlink($file);
$lines = array_count_values(explode("\n", trim(log_take())));
ksort($lines);
print_r($lines);
?>
--EXPECT--
connections: 2 2 true
bind: true uid 4242
2345689
sendwait: true
multi: {"7":40,"a":2,"b":"done x"}
multi-timeout: {"1":"done quick"}
finish callback: 42
send to nobody: false, last error: true
paused: true
pong
resumed after the pause: true
pong
heartbeat closed 1
idle connection closed: true
stop: true
stopped: 0
Array
(
    [workerStart 0] => 2
    [workerStart 1] => 1
    [workerStart 2] => 1
)

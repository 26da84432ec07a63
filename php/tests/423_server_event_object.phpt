--TEST--
Swoole\Server with event_object: connect, receive and close get a Server\Event, packet a Server\Packet, pipeMessage a Server\PipeMessage, finish a Server\TaskResult, task a Server\Task (implied), workerError a Server\StatusInfo
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 2, 'task_worker_num' => 1, 'log_level' => 5, 'event_object' => true]);
    $udp = $s->listen('127.0.0.1', 0, SWOOLE_SOCK_UDP);
    $s->on('connect', function ($s, $e) {
        log_line(get_class($e) . " connect: fd=" . var_export($e->fd > 0, true) . " reactor_id=" . var_export(is_int($e->reactor_id), true) . " data=" . var_export($e->data, true));
    });
    $s->on('receive', function ($s, $e) {
        $cmd = trim($e->data);
        log_line(get_class($e) . " receive: $cmd time=" . var_export($e->dispatch_time > 0, true));
        if ($cmd === 'port') {
            $s->send($e->fd, "udp " . $s->ports[1]->port . "\n");
        } elseif ($cmd === 'task') {
            $s->task(['fd' => $e->fd]);
        } elseif ($cmd === 'message') {
            $s->sendMessage(['fd' => $e->fd], 1 - $s->worker_id);
        } elseif ($cmd === 'die') {
            $s->send($e->fd, "dying\n");
            Swoole\Process::kill($s->getWorkerPid(1 - $s->worker_id), SIGKILL);
        }
    });
    $s->on('close', function ($s, $e) { log_line(get_class($e) . " close"); });
    $s->on('packet', function ($s, $p) {
        $s->sendto($p->address, $p->port, get_class($p) . " " . $p->data . " from " . $p->address . " server_port=" . var_export($p->server_port > 0, true));
    });
    $s->on('pipeMessage', function ($s, $m) {
        $s->send($m->data['fd'], get_class($m) . " from the other worker: " . var_export($m->source_worker_id === 1 - $s->worker_id && $m->worker_id === $m->source_worker_id, true) . "\n");
    });
    $s->on('task', function ($s, $t) {
        return ['fd' => $t->data['fd'], 'class' => get_class($t)];
    });
    $s->on('finish', function ($s, $r) {
        $s->send($r->data['fd'], get_class($r) . " of " . $r->data['class'] . " task_id=" . var_export($r->task_id > 0, true) . "\n");
    });
    $s->on('workerError', function ($s, $info) {
        log_line(get_class($info) . " signal=" . $info->signal . " exit_code=" . $info->exit_code . " status=" . $info->status . " pid=" . var_export($info->worker_pid > 0, true));
    });
    return $s;
});

$c = client($port);
foreach (['port', 'task', 'message', 'die'] as $cmd) {
    fwrite($c, "$cmd\n");
    $line = client_read($c);
    if ($cmd === 'port') {
        $u = stream_socket_client("udp://127.0.0.1:" . (int)substr($line, 4));
        fwrite($u, "ping");
        stream_set_timeout($u, 5);
        echo fread($u, 1000), "\n";
        fclose($u);
        continue;
    }
    echo $line;
}
for ($i = 0; $i < 500 && !str_contains((string)@file_get_contents(log_file()), 'StatusInfo'); $i++) usleep(10000);
fclose($c);
for ($i = 0; $i < 500 && !str_contains((string)@file_get_contents(log_file()), 'close'); $i++) usleep(10000);
echo "stopped: ", server_stop($pid), "\n";
echo log_take();
?>
--EXPECT--
Swoole\Server\Packet ping from 127.0.0.1 server_port=true
Swoole\Server\TaskResult of Swoole\Server\Task task_id=true
Swoole\Server\PipeMessage from the other worker: true
dying
stopped: 0
Swoole\Server\Event connect: fd=true reactor_id=true data=NULL
Swoole\Server\Event receive: port time=true
Swoole\Server\Event receive: task time=true
Swoole\Server\Event receive: message time=true
Swoole\Server\Event receive: die time=true
Swoole\Server\StatusInfo signal=9 exit_code=0 status=9 pid=true
Swoole\Server\Event close

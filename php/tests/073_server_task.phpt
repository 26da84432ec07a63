--TEST--
Swoole\Server: task/finish with PHP values, onTask's return value as the result, finish() (twice: two results, as Swoole's), taskwait, task worker properties, bad destination
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'task_worker_num' => 2, 'log_level' => 5]);
    $s->on('workerStart', function ($s, $id) {
        if ($id >= 1) {
            log_line("task worker start: id=$id taskworker=" . var_export($s->taskworker, true));
        }
    });
    $s->on('receive', function ($s, $fd, $rid, $data) {
        $cmd = trim($data);
        if ($cmd === 'array') {
            $id = $s->task(['fd' => $fd, 'nums' => [1, 2, 3.5], 'nested' => ['k' => null, 't' => true]]);
            log_line("task id is int: " . var_export(is_int($id) && $id > 0, true));
        } elseif ($cmd === 'string') {
            $s->task("fd=$fd", 1);
        } elseif ($cmd === 'object') {
            $o = new ArrayObject(['fd' => $fd, 'what' => 'object']);
            $s->task($o, 0);
        } elseif ($cmd === 'wait') {
            $r = $s->taskwait(['wait' => 21], 3.0);
            $s->send($fd, "taskwait: " . json_encode($r) . "\n");
        } elseif ($cmd === 'bad') {
            set_error_handler(function ($no, $msg) use ($s, $fd) {
                $s->send($fd, "warning: " . (strpos($msg, 'Swoole\Server::task()') === 0 ? 'named' : $msg) . "\n");
                return true;
            });
            $r = $s->task('x', 7);
            restore_error_handler();
            $s->send($fd, "bad dst: " . var_export($r, true) . "\n");
        }
    });
    $s->on('task', function (Swoole\Server $s, int $task_id, int $src_worker_id, $data) {
        $where = ['task_id' => $task_id > 0, 'src' => $src_worker_id,
                  'taskworker' => $s->taskworker, 'worker_id' => $s->worker_id >= 1];
        if (is_string($data)) {
            $r = $s->finish(['via' => 'finish()', 'data' => $data, 'where' => $where]);
            $again = $s->finish("again $data");
            log_line("finish returned " . var_export($r, true) . ", again " . var_export($again, true));
            return null;
        }
        if ($data instanceof ArrayObject) {
            return ['via' => 'return', 'class' => get_class($data), 'fd' => $data['fd'], 'data' => $data->getArrayCopy()];
        }
        if (isset($data['wait'])) {
            return $data['wait'] * 2;
        }
        return ['via' => 'return', 'data' => $data, 'where' => $where, 'fd' => $data['fd']];
    });
    $s->on('finish', function ($s, $task_id, $result) {
        if (is_string($result)) {
            $s->send((int)substr($result, 9), "second result: " . substr($result, 0, 9) . "\n");
            return;
        }
        $fd = $result['fd'] ?? (int)substr($result['data'], 3);
        unset($result['fd']);
        $s->send($fd, "finish: task_id_ok=" . var_export($task_id > 0, true) . " " . json_encode($result) . "\n");
    });
    return $s;
});

$c = client($port);
foreach (['array', 'string', 'object', 'wait', 'bad'] as $cmd) {
    fwrite($c, "$cmd\n");
    $line = client_read($c);
    echo preg_replace('/fd=\d+/', 'fd=FD', preg_replace('/"fd":\d+/', '"fd":FD', $line));
    if ($cmd === 'bad' || $cmd === 'string') {
        echo client_read($c);
    }
}
fclose($c);
echo "stopped: ", server_stop($pid), "\n";
$lines = explode("\n", trim(log_take()));
sort($lines);
echo implode("\n", $lines), "\n";
?>
--EXPECT--
finish: task_id_ok=true {"via":"return","data":{"fd":FD,"nums":[1,2,3.5],"nested":{"k":null,"t":true}},"where":{"task_id":true,"src":0,"taskworker":true,"worker_id":true}}
finish: task_id_ok=true {"via":"finish()","data":"fd=FD","where":{"task_id":true,"src":0,"taskworker":true,"worker_id":true}}
second result: again fd=
finish: task_id_ok=true {"via":"return","class":"ArrayObject","data":{"fd":FD,"what":"object"}}
taskwait: 42
warning: named
bad dst: false
stopped: 0
finish returned true, again true
task id is int: true
task worker start: id=1 taskworker=true
task worker start: id=2 taskworker=true

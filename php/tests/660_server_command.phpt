--TEST--
Swoole\Server::addCommand()/command(): the master asks itself, the manager, a worker and a task worker (PROCESS mode); data goes as JSON, the reply comes back decoded or raw; false for an unknown command, a type the command does not take, an id out of range
--EXTENSIONS--
swoole
--FILE--
<?php
var_dump(SWOOLE_SERVER_COMMAND_MASTER, SWOOLE_SERVER_COMMAND_REACTOR_THREAD, SWOOLE_SERVER_COMMAND_EVENT_WORKER,
    SWOOLE_SERVER_COMMAND_TASK_WORKER, SWOOLE_SERVER_COMMAND_MANAGER, SWOOLE_SERVER_COMMAND_WORKER);
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$all = SWOOLE_SERVER_COMMAND_MASTER | SWOOLE_SERVER_COMMAND_MANAGER | SWOOLE_SERVER_COMMAND_EVENT_WORKER
    | SWOOLE_SERVER_COMMAND_TASK_WORKER;
var_dump($s->addCommand('who', $all, function ($server, $data) {
    $in = json_decode($data, true);
    return json_encode(['pid' => getmypid(), 'worker' => $server->getWorkerId(),
        'task' => $server->taskworker, 'in' => $in]);
}));
var_dump($s->addCommand('who', $all, fn() => '')); // a name already added
var_dump($s->addCommand('raw', SWOOLE_SERVER_COMMAND_EVENT_WORKER, fn($server, $data) => "raw:$data"));
var_dump(@$s->command('who', 0, SWOOLE_SERVER_COMMAND_MASTER, 1)); // not started
$s->set(['worker_num' => 2, 'task_worker_num' => 1, 'log_file' => '/dev/null']);
$s->on('receive', function () {});
$s->on('task', function () {});
$s->on('start', function ($s) use ($all) {
    $r = $s->command('who', 0, SWOOLE_SERVER_COMMAND_MASTER, ['a' => 1]);
    echo "master: ", $r['pid'] === $s->master_pid ? "ok" : "bad", " ", json_encode($r['in']), "\n";
    $r = $s->command('who', 0, SWOOLE_SERVER_COMMAND_MANAGER, 'm');
    echo "manager: ", $r['pid'] === $s->manager_pid ? "ok" : "bad", " ", json_encode($r['in']), "\n";
    $r = $s->command('who', 1, SWOOLE_SERVER_COMMAND_EVENT_WORKER, [1, 2]);
    echo "worker: ", $r['pid'] === $s->getWorkerPid(1) ? "ok" : "bad", " ", $r['worker'], " ", json_encode($r['in']), "\n";
    $r = $s->command('who', 0, SWOOLE_SERVER_COMMAND_TASK_WORKER, null);
    echo "task: ", $r['pid'] === $s->getWorkerPid(2) ? "ok" : "bad", " ", $r['worker'], " ", var_export($r['task'], true), "\n";
    var_dump($s->command('raw', 0, SWOOLE_SERVER_COMMAND_EVENT_WORKER, ['x' => 'y'], false));
    var_dump($s->command('raw', 0, SWOOLE_SERVER_COMMAND_EVENT_WORKER, 'not json')); // decode fails
    var_dump($s->command('nope', 0, SWOOLE_SERVER_COMMAND_EVENT_WORKER, 1));
    var_dump($s->command('raw', 0, SWOOLE_SERVER_COMMAND_MASTER, 1));
    var_dump($s->command('who', 2, SWOOLE_SERVER_COMMAND_EVENT_WORKER, 1));
    var_dump($s->command('who', 1, SWOOLE_SERVER_COMMAND_TASK_WORKER, 1));
    var_dump($s->command('who', -1, SWOOLE_SERVER_COMMAND_EVENT_WORKER, 1));
    var_dump($s->addCommand('late', $all, fn() => ''));
    $s->shutdown();
});
$s->start();
echo "done\n";
?>
--EXPECTF--
int(2)
int(4)
int(8)
int(16)
int(32)
int(8)
bool(true)
bool(false)
bool(true)
bool(false)
master: ok {"a":1}
manager: ok "m"
worker: ok 1 [1,2]
task: ok 2 true
string(13) "raw:{"x":"y"}"
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)

Warning: Swoole\Server::command(): invalid process_id[-1] in %s on line %d
bool(false)

Warning: Swoole\Server::addCommand(): server is running, can't add command in %s on line %d
bool(false)
done

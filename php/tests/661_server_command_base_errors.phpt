--TEST--
Swoole\Server::command() in BASE mode from worker 0 (its own id runs in place), a handler that throws or returns no string (Swoole's error replies), refused from another worker, REACTOR_THREAD refused by addCommand
--EXTENSIONS--
swoole
--FILE--
<?php
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$w = SWOOLE_SERVER_COMMAND_EVENT_WORKER;
var_dump($s->addCommand('bad', SWOOLE_SERVER_COMMAND_REACTOR_THREAD, fn() => ''));
var_dump($s->addCommand('bad', $w, 'no_such_function'));
var_dump($s->addCommand('bad', $w, null));
var_dump($s->addCommand('', $w, fn() => ''));
$s->addCommand('id', $w | SWOOLE_SERVER_COMMAND_MASTER, fn($s, $d) => json_encode([$s->getWorkerId(), getmypid(), json_decode($d)]));
$s->addCommand('throws', $w, function () { throw new RuntimeException('boom'); });
$s->addCommand('int', $w, fn() => 42);
$s->set(['worker_num' => 2, 'log_file' => '/dev/null']);
$s->on('receive', function () {});
$s->on('workerStart', function ($s, $id) use ($w) {
    if ($id === 1) {
        var_dump($s->command('id', 0, $w, 'from 1')); // only worker 0 may ask
        $s->sendMessage('go', 0);
        return;
    }
});
$s->on('pipeMessage', function ($s) use ($w) {
    [$id, $pid] = $s->command('id', 0, $w, 'self');
    echo "self: $id ", $pid === getmypid() ? "here" : "elsewhere", "\n";
    [$id, $pid, $d] = $s->command('id', 1, $w, 'one');
    echo "one: $id ", $pid === $s->getWorkerPid(1) ? "ok" : "bad", " $d\n";
    var_dump($s->command('throws', 1, $w, 1));
    var_dump($s->command('int', 1, $w, 1));
    var_dump($s->command('id', 0, SWOOLE_SERVER_COMMAND_MANAGER, 1));
    $s->shutdown();
});
$s->start();
echo "done\n";
?>
--EXPECTF--
Warning: Swoole\Server::addCommand(): only support worker/task_worker process in %s on line %d
bool(false)

Warning: Swoole\Server::addCommand(): function 'no_such_function' is not callable in %s on line %d
bool(false)

Warning: Swoole\Server::addCommand(): illegal callback function in %s on line %d
bool(false)

Warning: Swoole\Server::addCommand(): add_command: a name of 1 to 63 bytes, got 0 in %s on line %d
bool(false)
bool(false)
self: 0 here
one: 1 ok one

Warning: Swoole\Server::start(): Uncaught RuntimeException in the command callback: boom in %s:%d in %s on line %d

Warning: Swoole\Server::start(): Swoole\Server: command handler error in %s on line %d
array(2) {
  ["data"]=>
  string(23) "failed to call function"
  ["code"]=>
  int(-1)
}
array(2) {
  ["data"]=>
  string(17) "wrong return type"
  ["code"]=>
  int(-2)
}
bool(false)
done

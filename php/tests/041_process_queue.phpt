--TEST--
Swoole\Process: message queue (useQueue, push, pop, statQueue, freeQueue), close, name, setaffinity, bad input
--EXTENSIONS--
swoole
--FILE--
<?php
// the seed's example: workers competing for messages from one queue (the
// default key: ftok() of this script, shared by every process object here)
$workers = [];
for ($i = 0; $i < 2; $i++) {
    $process = new swoole_process(function (swoole_process $worker) {
        $recv = $worker->pop();
        $worker->write("From Master: $recv");
        $worker->exit(0);
    });
    var_dump($process->useQueue());
    $pid = $process->start();
    $workers[$pid] = $process;
}
foreach ($workers as $pid => $process) {
    $process->push("hello worker[$pid]");
}
$got = [];
foreach ($workers as $pid => $process) {
    $got[] = $process->read();
}
for ($i = 0; $i < 2; $i++) {
    $ret = swoole_process::wait();
    unset($workers[$ret['pid']]);
}
sort($got);
var_dump(count($workers), count($got), preg_match('/^From Master: hello worker\[\d+\]$/', $got[0]) === 1);

$q = new Swoole\Process(fn() => null, false, false);
$q->useQueue(0, 2 | Swoole\Process::IPC_NOWAIT);
var_dump($q->push('a'), $q->push('bcd'), $q->statQueue());
var_dump($q->pop(), $q->pop(), $q->pop());          // IPC_NOWAIT: false when empty
var_dump($q->freeQueue(), @$q->push('x'), @$q->statQueue());

// close: the child reads end of file
$p = new Swoole\Process(function ($w) { $w->exit($w->read() === '' ? 42 : 1); });
$p->start();
var_dump($p->close(), $p->pipe);
var_dump(@$p->write('x'));
var_dump(Swoole\Process::wait()['code']);

var_dump($p->name('swirl queue test'));
var_dump(Swoole\Process::setaffinity([0]));
var_dump(Swoole\Process::setaffinity([swoole_cpu_num() + 5]));
foreach ([fn() => new Swoole\Process('no_such_function'), fn() => new Swoole\Process(fn() => 1, false, 7),
          fn() => new Swoole\Process(), fn() => $p->read(0), fn() => $p->write(''),
          fn() => Swoole\Process::kill('x'), fn() => Swoole\Process::setaffinity([]),
          fn() => clone $p] as $f) {
    try {
        $f();
        echo "no error\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump(Swoole\Process::kill(-1));
?>
--EXPECTF--
bool(true)
bool(true)
int(0)
int(2)
bool(true)
bool(true)
bool(true)
array(2) {
  ["queue_num"]=>
  int(2)
  ["queue_bytes"]=>
  int(4)
}
string(1) "a"
string(3) "bcd"
bool(false)
bool(true)
bool(false)
bool(false)
bool(true)
NULL
bool(false)
int(42)
bool(true)
bool(true)

Warning: Swoole\Process::setaffinity(): %s in %s on line %d
bool(false)
TypeError: Swoole\Process::__construct(): Argument #1 ($callback) must be a valid callback, function "no_such_function" not found or invalid function name
ValueError: Swoole\Process::__construct(): Argument #3 ($pipe_type) must be false/0 (no pipe), true/1 (SOCK_STREAM) or 2 (SOCK_DGRAM)
ArgumentCountError: Swoole\Process::__construct() expects at least 1 argument, 0 given
ValueError: Swoole\Process::read(): Argument #1 ($size) must be between 1 and 67108864
ValueError: Swoole\Process::write(): Argument #1 ($data) must not be empty
TypeError: Swoole\Process::kill(): Argument #1 ($pid) must be of type int, string given
ValueError: Swoole\Process::setaffinity(): Argument #1 ($cpu_settings) must not be empty
Error: Trying to clone an uncloneable object of class Swoole\Process

Warning: Swoole\Process::kill(): %s in %s on line %d
bool(false)

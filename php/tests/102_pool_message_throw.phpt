--TEST--
Swoole\Process\Pool: start callback in the master feeds a keyed queue; a message callback that throws ends only that worker, which is replaced, and the next messages are handled; shutdown() from a worker
--EXTENSIONS--
pcntl
--FILE--
<?php
$key = 0x5b000000 | (getmypid() & 0xffffff);
$pool = new Swoole\Process\Pool(1, SWOOLE_IPC_MSGQUEUE, $key);
$in_master = null;
$pool->on('start', function ($pool) use ($key, &$in_master) {
    $in_master = $pool->master_pid === getmypid(); /* said after start(): the worker prints concurrently */
    $q = new Swoole\Process(function () {}, false, false);
    $q->useQueue($key);
    foreach (['one', 'throw', 'two', 'stop'] as $m) $q->push($m);
});
$pool->on('workerStart', function ($pool, $id) { echo "workerStart $id\n"; });
$pool->on('message', function ($pool, $data) {
    echo "message $data\n";
    if ($data === 'throw') throw new LogicException("bad message");
    if ($data === 'stop') $pool->shutdown();
});
$pool->on('workerStop', function ($pool, $id) { echo "workerStop $id\n"; });
var_dump($pool->start());
echo "start ran in the master: ", var_export($in_master, true), "\n";
$q = new Swoole\Process(function () {}, false, false);
$q->useQueue($key);
var_dump($q->statQueue()['queue_num']);
$q->freeQueue();
?>
--EXPECTF--
workerStart 0
message one
message throw

Fatal error: Uncaught LogicException: bad message in %s:%d
Stack trace:
%A
workerStart 0
message two
message stop
workerStop 0
bool(true)
start ran in the master: true
int(0)

--TEST--
Swoole\Process\Pool: getProcess() (pid follows a restart, its own pipe per worker with SWOOLE_IPC_UNIXSOCK), sendMessage(), their errors, the coroutine flag
--EXTENSIONS--
pcntl
--FILE--
<?php
use Swoole\Process\Pool;
use Swoole\Process;

// worker 0 writes 70000 bytes to worker 1's pipe; worker 1 answers on worker 0's,
// which worker 0 reads itself in its workerStart
$pool = new Pool(2, SWOOLE_IPC_UNIXSOCK, 0, true);
$pool->on('workerStart', function (Pool $pool, int $id) {
    if ($id !== 0) {
        return;
    }
    $self = $pool->getProcess();
    var_dump($self instanceof Process, $self->pid === getmypid(), $self->id, $self === $pool->getProcess(0));
    var_dump(@$pool->getProcess(2));
    $pool->getProcess(1)->write(str_repeat('A', 70000));
    $r = $self->read();
    echo "worker 0 read: $r\n";
    var_dump(@$self->close());
    // worker 1 is stopped by SIGTERM and replaced at once: getProcess(1) follows
    $p1 = $pool->getProcess(1);
    $pid1 = $p1->pid;
    Process::kill($pid1, SIGTERM);
    for ($i = 0; $i < 200 && $pool->getProcess(1)->pid === $pid1; $i++) {
        usleep(20000);
    }
    var_dump($pool->getProcess(1)->pid !== $pid1, $p1 === $pool->getProcess(1));
    $bad = @$pool->sendMessage("x", 7);
    $ok = $pool->sendMessage("bye", 1);
    $r = $self->read();
    echo "worker 0 read: $r\n";
    var_dump($ok, $bad);
    $pool->shutdown();
});
$pool->on('message', function (Pool $pool, string $data) {
    echo "worker ", $pool->workerId, " got ", strlen($data), " bytes\n";
    $pool->getProcess(0)->write($data === 'bye' ? 'bye too' : 'got it');
});
var_dump($pool->start());

// sendMessage needs a running SWOOLE_IPC_UNIXSOCK pool
$q = new Pool(1, SWOOLE_IPC_MSGQUEUE);
var_dump($q->sendMessage("x", 0));
$q->on('message', function () {});
$q->on('workerStart', function (Pool $pool) {
    var_dump($pool->sendMessage("x", 0));
    $pool->shutdown();
});
$q->start();
?>
--EXPECTF--
bool(true)
bool(true)
int(0)
bool(true)
bool(false)
worker 1 got 70000 bytes
worker 0 read: got it
bool(false)
bool(true)
bool(true)
worker 1 got 3 bytes
worker 0 read: bye too
bool(true)
bool(false)
bool(true)

Warning: Swoole\Process\Pool::sendMessage(): process pool is not started. in %s on line %d
bool(false)

Warning: Swoole\Process\Pool::sendMessage(): unsupported ipc type[2], sendMessage requires SWOOLE_IPC_UNIXSOCK in %s on line %d
bool(false)

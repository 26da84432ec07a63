--TEST--
Swoole\Lock::lock($operation, $timeout) as Swoole 6: LOCK_NB, LOCK_SH (readers share an rwlock across processes), a time-out (false, errCode SOCKET_ETIMEDOUT) for the mutex and the spinlock
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
use Swoole\Lock;

$lock = new Lock();
var_dump($lock->errCode, $lock->lock(), $lock->lock(LOCK_EX | LOCK_NB), $lock->errCode === 16 /* EBUSY */);
var_dump($lock->unlock(), $lock->lock(LOCK_EX | LOCK_NB), $lock->unlock());

foreach ([SWOOLE_MUTEX, SWOOLE_SPINLOCK] as $type) {
    $l = new Lock($type);
    var_dump($l->lock());
    var_dump($l->lock(LOCK_EX, 0.1), $l->errCode === 110 /* ETIMEDOUT */);
    var_dump($l->unlock());
}

// readers share an rwlock: a child takes the shared side while the parent holds it; a writer waits
$rw = new Lock(SWOOLE_RWLOCK);
var_dump($rw->lock(LOCK_SH));
$pid = pcntl_fork();
if ($pid === 0) {
    $ok = $rw->lock(LOCK_SH | LOCK_NB) && $rw->unlock() && $rw->lock(LOCK_SH, 1) && $rw->unlock()
        && !$rw->lock(LOCK_EX | LOCK_NB) && !$rw->lock(LOCK_EX, 0.05) && $rw->errCode === 110;
    exit($ok ? 0 : 1);
}
pcntl_waitpid($pid, $status);
var_dump(pcntl_wexitstatus($status));
var_dump($rw->unlock(), $rw->lock(LOCK_EX), $rw->unlock());

try {
    $lock->lock('x');
} catch (TypeError $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
int(0)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
int(0)
bool(true)
bool(true)
bool(true)
Swoole\Lock::lock(): Argument #1 ($operation) must be of type int, string given

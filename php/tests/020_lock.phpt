--TEST--
Swoole\Lock: every type; lock, trylock, unlock, lockwait, lock_read, trylock_read; bad input
--EXTENSIONS--
swoole
--FILE--
<?php
$file = sys_get_temp_dir() . '/swirl_020_lock_' . getmypid();
$types = ['SWOOLE_MUTEX' => SWOOLE_MUTEX, 'SWOOLE_RWLOCK' => SWOOLE_RWLOCK,
          'SWOOLE_SPINLOCK' => SWOOLE_SPINLOCK, 'SWOOLE_SEM' => SWOOLE_SEM,
          'SWOOLE_FILELOCK' => SWOOLE_FILELOCK];
foreach ($types as $name => $type) {
    $l = $type === SWOOLE_FILELOCK ? new Swoole\Lock($type, $file) : new swoole_lock($type);
    $r = [$l->lock(), $l->unlock(), $l->trylock(), $l->unlock(), $l->lockwait(0.1), $l->unlock(),
          $l->lock_read(), $l->unlock(), $l->trylock_read(), $l->unlock()];
    echo $name, ': ', implode(' ', array_map(fn($b) => var_export($b, true), $r)), "\n";
}
$l = new Swoole\Lock();   // SWOOLE_MUTEX by default
var_dump($l->lock());
// held, even by this process: trylock says no (no warning: that is not an error)
var_dump($l->trylock());
var_dump($l->unlock());

$l = new Swoole\Lock(SWOOLE_SPINLOCK);
$l->lock();
$t = microtime(true);
var_dump($l->lockwait(0.2), $l->trylock());
var_dump(microtime(true) - $t >= 0.15);
$l->unlock();

$rw = new Swoole\Lock(SWOOLE_RWLOCK);
var_dump($rw->lock_read(), $rw->trylock_read(), $rw->trylock());   // readers share, a writer waits
$rw->unlock(); $rw->unlock();
var_dump($rw->trylock());
$rw->unlock();

foreach ([fn() => new Swoole\Lock(99), fn() => new Swoole\Lock(SWOOLE_FILELOCK),
          fn() => new Swoole\Lock(SWOOLE_FILELOCK, '/nonexistent/dir/lock'),
          fn() => new Swoole\Lock('mutex'), fn() => (new Swoole\Lock)->lockwait('x'),
          fn() => clone new Swoole\Lock] as $f) {
    try {
        $f();
        echo "no error\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
@unlink($file);
?>
--EXPECTF--
SWOOLE_MUTEX: true true true true true true true true true true
SWOOLE_RWLOCK: true true true true true true true true true true
SWOOLE_SPINLOCK: true true true true true true true true true true
SWOOLE_SEM: true true true true true true true true true true
SWOOLE_FILELOCK: true true true true true true true true true true
bool(true)
bool(false)
bool(true)
bool(false)
bool(false)
bool(true)
bool(true)
bool(true)
bool(false)
bool(true)
Swoole\Exception: lock type[99] is not supported
Swoole\Exception: filelock requires file name of the lock
Swoole\Exception: %s/nonexistent/dir/lock%s
TypeError: Swoole\Lock::__construct(): Argument #1 ($type) must be of type int, string given
TypeError: Swoole\Lock::lockwait(): Argument #1 ($timeout) must be of type float, string given
Error: Trying to clone an uncloneable object of class Swoole\Lock

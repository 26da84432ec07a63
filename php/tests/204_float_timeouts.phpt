--TEST--
Float arguments: Lock::lockwait() with a negative, -INF or NAN timeout on a held lock returns false at once (every type), INF waits as long as it may; Atomic::wait(NAN) returns false at once; Table::incr/decr by INF or NAN on an int column is refused with a warning naming it
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
pcntl_alarm(20);   // a hang fails the test
$file = sys_get_temp_dir() . '/swirl_204_lock_' . getmypid();
foreach (['MUTEX' => SWOOLE_MUTEX, 'SPINLOCK' => SWOOLE_SPINLOCK, 'RWLOCK' => SWOOLE_RWLOCK,
          'SEM' => SWOOLE_SEM, 'FILELOCK' => SWOOLE_FILELOCK] as $name => $type) {
    $lock = new Swoole\Lock($type, $file);
    $r = [];
    foreach ([-1.0, -INF, NAN, -0.001] as $t) {
        var_dump($lock->lockwait(1.0));   // free: taken
        if ($type == SWOOLE_FILELOCK || $type == SWOOLE_RWLOCK) {
            // a file lock excludes other processes only, an rwlock refuses
            // its own holder: ask from a child
            if (($pid = pcntl_fork()) === 0) {
                exit($lock->lockwait($t) ? 1 : 0);
            }
            pcntl_waitpid($pid, $st);
            $r[] = pcntl_wexitstatus($st) ? 'true' : 'false';
        } else {
            $r[] = var_export($lock->lockwait($t), true);   // held: false at once
        }
        $lock->unlock();
    }
    $r[] = var_export($lock->lockwait(INF), true);   // free: taken
    $lock->unlock();
    $r[] = var_export($lock->lockwait(-1.0), true);  // free: a negative timeout still takes it
    $lock->unlock();
    echo "$name: ", implode(' ', $r), "\n";
}
@unlink($file);

$a = new Swoole\Atomic(0);
var_dump($a->wait(NAN));
$l = new Swoole\Atomic\Long(0);
var_dump($l->wait(NAN));
$a->set(1);
var_dump($a->wait(-1.0));   // already woken: true at once

$t = new Swoole\Table(4);
$t->column('i', Swoole\Table::TYPE_INT);
$t->column('f', Swoole\Table::TYPE_FLOAT);
$t->create();
$t->set('k', ['i' => 5, 'f' => 1.5]);
var_dump($t->incr('k', 'i', INF));
var_dump($t->decr('k', 'i', NAN));
var_dump($t->incr('k', 'i', 1e300));
var_dump($t->incr('k', 'i', 2.9));   // truncated, as PHP's (int)
var_dump($t->incr('k', 'f', 0.25));
var_dump($t->get('k'));
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
bool(true)
MUTEX: false false false false true true
bool(true)
bool(true)
bool(true)
bool(true)
SPINLOCK: false false false false true true
bool(true)
bool(true)
bool(true)
bool(true)
RWLOCK: false false false false true true
bool(true)
bool(true)
bool(true)
bool(true)
SEM: false false false false true true
bool(true)
bool(true)
bool(true)
bool(true)
FILELOCK: false false false false true true
bool(false)
bool(false)
bool(true)

Warning: Swoole\Table::incr(): column i is an int column: cannot add INF in %s on line %d
bool(false)

Warning: Swoole\Table::decr(): column i is an int column: cannot subtract NAN in %s on line %d
bool(false)

Warning: Swoole\Table::incr(): column i is an int column: cannot add 1.0E+300 in %s on line %d
bool(false)
int(7)
float(1.75)
array(2) {
  ["i"]=>
  int(7)
  ["f"]=>
  float(1.75)
}

--TEST--
Swoole\Lock: every type excludes forked processes from one another (exact total of a read-modify-write)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
const N = 3000;
$file = sys_get_temp_dir() . '/swirl_021_lock_' . getmypid();
$t = new Swoole\Table(4);
$t->column('v', Swoole\Table::TYPE_INT);
$t->create();
foreach (['MUTEX' => SWOOLE_MUTEX, 'RWLOCK' => SWOOLE_RWLOCK, 'SPINLOCK' => SWOOLE_SPINLOCK,
          'SEM' => SWOOLE_SEM, 'FILELOCK' => SWOOLE_FILELOCK] as $name => $type) {
    $lock = new Swoole\Lock($type, $file);
    $t->set('n', ['v' => 0]);
    $pids = [];
    for ($w = 0; $w < 2; $w++) {
        if (($pid = pcntl_fork()) === 0) {
            for ($i = 0; $i < N; $i++) {
                $lock->lock();
                $v = $t->get('n', 'v');     // not atomic: only the lock keeps the sum exact
                $t->set('n', ['v' => $v + 1]);
                $lock->unlock();
            }
            exit(0);
        }
        $pids[] = $pid;
    }
    foreach ($pids as $pid) {
        pcntl_waitpid($pid, $st);
    }
    echo $name, ': ', $t->get('n', 'v'), "\n";
}

// held by the parent: a child cannot take it; released: it can
$lock = new Swoole\Lock(SWOOLE_MUTEX);
$lock->lock();
if (($pid = pcntl_fork()) === 0) {
    $r = (int)$lock->trylock() . (int)$lock->lockwait(0.05);
    usleep(300000);
    $r .= (int)$lock->lockwait(2.0);   // the parent unlocked meanwhile
    $lock->unlock();
    $t->set('child', ['v' => (int)$r]);
    exit(0);
}
usleep(150000);
$lock->unlock();
pcntl_waitpid($pid, $st);
printf("child: %03d\n", $t->get('child', 'v'));
@unlink($file);
?>
--EXPECT--
MUTEX: 6000
RWLOCK: 6000
SPINLOCK: 6000
SEM: 6000
FILELOCK: 6000
child: 001

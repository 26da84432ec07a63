--TEST--
Swoole\Lock SWOOLE_MUTEX (and SPINLOCK): locked by one process, unlocked by another, the waiter in a third gets it; a holder that dies is taken over
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
pcntl_alarm(30);   // a hang fails the test
$t = new Swoole\Table(8);
$t->column('v', Swoole\Table::TYPE_INT);
$t->create();
foreach (['MUTEX' => SWOOLE_MUTEX, 'SPINLOCK' => SWOOLE_SPINLOCK] as $name => $type) {
    $lock = new Swoole\Lock($type);
    var_dump($lock->lock());
    if (($waiter = pcntl_fork()) === 0) {
        $t->set('waiting', ['v' => 1]);
        $ok = $lock->lockwait(10.0);   // woken by the other child's unlock
        $t->set('got', ['v' => (int)$ok]);
        $lock->unlock();
        exit(0);
    }
    while (!$t->exist('waiting')) {
        usleep(1000);
    }
    usleep(50000);   // most likely asleep in the lock by now; either way it must get it
    if (($unlocker = pcntl_fork()) === 0) {
        exit($lock->unlock() ? 0 : 1);
    }
    pcntl_waitpid($unlocker, $st);
    echo "$name unlocked by another process: ", pcntl_wexitstatus($st) == 0 ? "yes" : "no", "\n";
    pcntl_waitpid($waiter, $st);
    echo "$name waiter got it: ", $t->get('got', 'v') ? "yes" : "no", "\n";
    var_dump($lock->trylock());
    var_dump($lock->unlock());
    var_dump($lock->unlock());   // free: nothing to release
    $t->del('waiting');

    // a holder killed: the next locker takes it over
    if (($holder = pcntl_fork()) === 0) {
        $lock->lock();
        $t->set('held', ['v' => 1]);
        sleep(30);
        exit(0);
    }
    while (!$t->exist('held')) {
        usleep(1000);
    }
    var_dump($lock->trylock());
    Swoole\Process::kill($holder, SIGKILL);
    pcntl_waitpid($holder, $st);
    var_dump($lock->lockwait(5.0));
    var_dump($lock->unlock());
    $t->del('held');
}
?>
--EXPECTF--
bool(true)
MUTEX unlocked by another process: yes
MUTEX waiter got it: yes
bool(true)
bool(true)

Warning: Swoole\Lock::unlock(): %s in %s on line %d
bool(false)
bool(false)
%Amutex holder %d died; lock taken over%A
bool(true)
bool(true)
bool(true)
SPINLOCK unlocked by another process: yes
SPINLOCK waiter got it: yes
bool(true)
bool(true)

Warning: Swoole\Lock::unlock(): %s in %s on line %d
bool(false)
bool(false)
%Aspinlock holder %d died; lock taken over%A
bool(true)
bool(true)

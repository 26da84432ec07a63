--TEST--
swirl: constants with Swoole's names and values; class aliases
--EXTENSIONS--
swoole
--FILE--
<?php
foreach (['SWOOLE_RWLOCK', 'SWOOLE_FILELOCK', 'SWOOLE_MUTEX', 'SWOOLE_SEM', 'SWOOLE_SPINLOCK',
          'SWOOLE_IPC_NONE', 'SWOOLE_IPC_UNIXSOCK', 'SWOOLE_IPC_UNSOCK', 'SWOOLE_IPC_MSGQUEUE',
          'SWOOLE_IPC_PREEMPTIVE', 'SWOOLE_IPC_SOCKET',
          'SWOOLE_MSGQUEUE_ORIENT', 'SWOOLE_MSGQUEUE_BALANCE'] as $c) {
    echo $c, ' = ', constant($c), "\n";
}
var_dump(SWOOLE_VERSION_ID === SWOOLE_MAJOR_VERSION * 10000 + SWOOLE_MINOR_VERSION * 100 + SWOOLE_RELEASE_VERSION);
var_dump(Swoole\Table::TYPE_INT, Swoole\Table::TYPE_FLOAT, Swoole\Table::TYPE_STRING);
var_dump(Swoole\Lock::MUTEX === SWOOLE_MUTEX, Swoole\Lock::FILELOCK === SWOOLE_FILELOCK);
foreach (['swoole_table' => 'Swoole\Table', 'swoole_lock' => 'Swoole\Lock',
          'swoole_atomic' => 'Swoole\Atomic', 'swoole_atomic_long' => 'Swoole\Atomic\Long',
          'swoole_exception' => 'Swoole\Exception'] as $alias => $class) {
    $r = new ReflectionClass($alias);
    echo $alias, ' -> ', $r->getName(), ' ', var_export($r->getName() === $class, true), "\n";
}
var_dump(new swoole_table(1) instanceof Swoole\Table, new Swoole\Atomic instanceof swoole_atomic);
var_dump(is_subclass_of('Swoole\Exception', 'Exception'));
var_dump(in_array('Iterator', class_implements('swoole_table')), in_array('Countable', class_implements('swoole_table')));
?>
--EXPECT--
SWOOLE_RWLOCK = 1
SWOOLE_FILELOCK = 2
SWOOLE_MUTEX = 3
SWOOLE_SEM = 4
SWOOLE_SPINLOCK = 5
SWOOLE_IPC_NONE = 0
SWOOLE_IPC_UNIXSOCK = 1
SWOOLE_IPC_UNSOCK = 1
SWOOLE_IPC_MSGQUEUE = 2
SWOOLE_IPC_PREEMPTIVE = 3
SWOOLE_IPC_SOCKET = 3
SWOOLE_MSGQUEUE_ORIENT = 1
SWOOLE_MSGQUEUE_BALANCE = 2
bool(true)
int(1)
int(2)
int(3)
bool(true)
bool(true)
swoole_table -> Swoole\Table true
swoole_lock -> Swoole\Lock true
swoole_atomic -> Swoole\Atomic true
swoole_atomic_long -> Swoole\Atomic\Long true
swoole_exception -> Swoole\Exception true
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)

--TEST--
Swoole\Process: setPriority/getPriority (Swoole's errors), getAffinity
--EXTENSIONS--
swoole
--FILE--
<?php
use Swoole\Process;

$p = new Process(function (Process $w) {
    var_dump($w->setPriority(PRIO_PROCESS, 12));
    var_dump($w->getPriority(PRIO_PROCESS));
    var_dump($w->getPriority(PRIO_PROCESS, 0));
});
$p->start();
Process::wait();

// a bad $which: false, EINVAL in swoole_last_error()
var_dump($p->getPriority(-1000, getmypid()), swoole_last_error() === 22 /* EINVAL */);
var_dump($p->setPriority(-1000, 5, getmypid()), swoole_last_error() === 22 /* EINVAL */);
// a null $who is only for PRIO_PROCESS
var_dump($p->getPriority(PRIO_USER, null));
var_dump(@$p->setPriority(PRIO_USER, 12, null));

$cpus = Process::getAffinity();
var_dump(is_array($cpus), count($cpus) >= 1, $cpus === array_values($cpus));
var_dump(Process::setAffinity([0]), Process::getAffinity());
?>
--EXPECTF--
bool(true)
int(12)
int(12)
bool(false)
bool(true)
bool(false)
bool(true)

Warning: Swoole\Process::getPriority(): process: priority: $who must not be null in %s on line %d
bool(false)
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
array(1) {
  [0]=>
  int(0)
}

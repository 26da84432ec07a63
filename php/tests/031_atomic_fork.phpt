--TEST--
Swoole\Atomic: wait in one process, wakeup from another; add from two processes gives the exact total
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
const N = 50000;
$sum = new Swoole\Atomic(0);
$sum64 = new Swoole\Atomic\Long(0);
$pids = [];
for ($w = 0; $w < 2; $w++) {
    if (($pid = pcntl_fork()) === 0) {
        for ($i = 0; $i < N; $i++) {
            $sum->add();
            $sum64->sub(2);
        }
        exit(0);
    }
    $pids[] = $pid;
}
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $st);
}
var_dump($sum->get(), $sum64->get());

// the child sleeps in wait() until the parent's wakeup()
$gate = new Swoole\Atomic(0);
$done = new Swoole\Atomic(0);
if (($pid = pcntl_fork()) === 0) {
    $t = microtime(true);
    $ok = $gate->wait(10.0);
    $done->set($ok ? (int)((microtime(true) - $t) * 1000) + 1 : 0);
    exit(0);
}
usleep(200000);
var_dump($done->get());           // still waiting
var_dump($gate->wakeup());
pcntl_waitpid($pid, $st);
$ms = $done->get() - 1;
var_dump($ms >= 150 && $ms < 5000, $gate->get());

// a waiter that is never woken times out
if (($pid = pcntl_fork()) === 0) {
    $done->set($gate->wait(0.1) ? 1 : 2);
    exit(0);
}
pcntl_waitpid($pid, $st);
var_dump($done->get());
?>
--EXPECT--
int(100000)
int(-200000)
int(0)
bool(true)
bool(true)
int(0)
int(2)

--TEST--
Swoole\Atomic::wakeup($n) wakes up to $n waiting processes, each returns (as Swoole): the one that takes the wakeup true, the others false (EAGAIN, not a time-out)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
$a = new Swoole\Atomic(0);
$pids = [];
for ($i = 0; $i < 3; $i++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $took = $a->wait(20);
        exit($took ? 0 : (swoole_last_error() === 11 /* EAGAIN */ ? 1 : 2));
    }
    $pids[] = $pid;
}
$codes = [];
while (count($codes) < 3) {
    if ($a->get() === 0) {
        $a->wakeup(3);
    }
    $pid = pcntl_waitpid(-1, $status, WNOHANG);
    if ($pid > 0) {
        $codes[] = pcntl_wexitstatus($status);
    } else {
        usleep(10000);
    }
}
sort($codes);
var_dump(min($codes), max($codes) <= 1);
var_dump($a->wakeup(0));
?>
--EXPECTF--
int(0)
bool(true)

Fatal error: Uncaught ValueError: %s
%A

--TEST--
Swoole\Process::signal: SIGCHLD reaps 3 children with wait(false) in the loop (seed 002); removing with null; alarm; bad input
--EXTENSIONS--
swoole
--FILE--
<?php
$reaped = [];
swoole_process::signal(SIGCHLD, function ($sig) use (&$reaped) {
    while ($ret = swoole_process::wait(false)) {
        $reaped[] = $ret['code'];
    }
    if (count($reaped) == 3) {
        swoole_process::signal(SIGCHLD, null);   // nothing left to watch: the loop ends
    }
});
foreach ([1, 2, 3] as $code) {
    (new swoole_process(function () use ($code) { usleep(20000 * $code); exit($code); }, false, false))->start();
}
swoole_event_wait();
sort($reaped);
echo "reaped: ", implode(' ', $reaped), "\n";

// alarm: SIGALRM every 10 ms, stopped after 5
$n = 0;
Swoole\Process::signal(SIGALRM, function ($signo) use (&$n) {
    if (++$n == 5) {
        Swoole\Process::alarm(-1);
        Swoole\Process::signal(SIGALRM, null);
    }
});
var_dump(Swoole\Process::alarm(10 * 1000));
$t = microtime(true);
Swoole\Event::wait();
var_dump($n, microtime(true) - $t >= 0.045);

// a signal sent to ourselves arrives in the loop, with its number
Swoole\Process::signal(SIGUSR1, function ($signo) {
    var_dump($signo === SIGUSR1);
    Swoole\Process::signal(SIGUSR1, null);
});
Swoole\Process::kill(getmypid(), SIGUSR1);
Swoole\Event::wait();

var_dump(Swoole\Process::signal(SIGUSR2, null));
var_dump(Swoole\Process::signal(SIGKILL, fn() => 1));
var_dump(Swoole\Process::signal(0, fn() => 1));
var_dump(Swoole\Process::alarm(1000, 7));
try { Swoole\Process::signal(SIGUSR1, 'nope'); } catch (TypeError $e) { echo $e->getMessage(), "\n"; }
?>
--EXPECTF--
reaped: 1 2 3
bool(true)
int(5)
bool(true)
bool(true)
bool(true)

Warning: Swoole\Process::signal(): %s9%s in %s on line %d
bool(false)

Warning: Swoole\Process::signal(): invalid signal number 0 in %s on line %d
bool(false)

Warning: Swoole\Process::alarm(): %s in %s on line %d
bool(false)
Swoole\Process::signal(): Argument #2 ($callback) must be a valid callback or null, function "nope" not found or invalid function name

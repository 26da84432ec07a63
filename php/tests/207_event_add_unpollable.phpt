--TEST--
Swoole\Event::add(STDIN) with STDIN from /dev/null or a regular file, in a process with Process::signal handlers: false with a warning naming the fd, and the loop sleeps (CPU time a small fraction of the wall time), never spins
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
$code = <<<'PHP'
pcntl_alarm(20);
Swoole\Process::signal(SIGUSR1, function () { echo "never\n"; });
var_dump(Swoole\Event::add(STDIN, function () { echo "never read\n"; }));
var_dump(Swoole\Event::isset(STDIN));
$cpu = function () {
    $r = getrusage();
    return $r['ru_utime.tv_sec'] + $r['ru_stime.tv_sec'] + ($r['ru_utime.tv_usec'] + $r['ru_stime.tv_usec']) / 1e6;
};
$c0 = $cpu();
$t0 = microtime(true);
Swoole\Timer::after(500, function () { Swoole\Process::signal(SIGUSR1, null); });
Swoole\Event::wait();   // the signal handler and the timer: sleeps 0.5 s
$wall = microtime(true) - $t0;
$used = $cpu() - $c0;
echo $used < $wall / 2 ? "sleeping, not spinning\n" : sprintf("spinning: %.3f s CPU in %.3f s\n", $used, $wall);
PHP;
$php = getenv('TEST_PHP_EXECUTABLE') . ' ' . getenv('TEST_PHP_EXTRA_ARGS');
foreach (['/dev/null', __FILE__] as $stdin) {
    echo "== STDIN < ", basename($stdin), "\n";
    exec("$php -r " . escapeshellarg($code) . ' < ' . escapeshellarg($stdin) . ' 2>&1', $out, $rc);
    echo implode("\n", $out), "\nexit $rc\n";
    $out = [];
}
?>
--EXPECTF--
== STDIN < null
%AWarning: Swoole\Event::add(): loop add fd 0: epoll cannot watch it (a regular file or /dev/null is always ready: read or write it directly): Operation not permitted in %s on line 3
bool(false)
bool(false)
sleeping, not spinning
exit 0
== STDIN < 207_event_add_unpollable.php
%AWarning: Swoole\Event::add(): loop add fd 0: epoll cannot watch it (a regular file or /dev/null is always ready: read or write it directly): Operation not permitted in %s on line 3
bool(false)
bool(false)
sleeping, not spinning
exit 0

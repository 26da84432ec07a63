--TEST--
Swoole\Process\Pool: start and shutdown events in Swoole's order, running/workerRunning/workerId/workerPid/master_pid, shutdown() from a worker stops the pool, start() again, a master timer, max_wait_time, set() errors
--EXTENSIONS--
pcntl
--FILE--
<?php
use Swoole\Process\Pool;

$pool = new Pool(1);
var_dump($pool->master_pid, $pool->running, $pool->getProcess(0));
$pool->on('workerStart', function (Pool $pool, int $id) {
    echo "worker start: running ", var_export($pool->running, true), ", workerRunning ",
        var_export($pool->workerRunning, true), ", id ", $pool->workerId,
        ", pid ok ", var_export($pool->workerPid === getmypid(), true), "\n";
    pcntl_signal(SIGTERM, function () {});   // its own handler: the sleep ends, the worker goes on
    $pool->shutdown();
    sleep(20);
    echo "worker exit\n";
});
$pool->on('workerStop', function (Pool $pool, int $id) {
    echo "worker stop: workerRunning ", var_export($pool->workerRunning, true), "\n";
});
$pool->on('start', function (Pool $pool) {
    echo "start: running ", var_export($pool->running, true), ", master ",
        var_export($pool->master_pid === getmypid(), true), "\n";
});
$pool->on('shutdown', function (Pool $pool) {
    echo "shutdown: running ", var_export($pool->running, true), "\n";
});
var_dump($pool->start());
echo "again\n";
var_dump($pool->start());

// without a handler a worker still in workerStart ends at once; a timer set in start
// runs on the master's loop; a stuck worker is killed after max_wait_time
$pool = new Pool(2);
$pool->set(['max_wait_time' => 1, 'enable_coroutine' => false]);
$pool->on('workerStart', function (Pool $pool, int $id) {
    if ($id === 1) {
        pcntl_signal(SIGTERM, SIG_IGN);
    }
    sleep(30);
    echo "not reached\n";
});
$pool->on('start', function (Pool $pool) {
    Swoole\Timer::tick(50, function () {}); // still pending when the pool stops: released with its loop
    Swoole\Timer::after(200, function () use ($pool) {
        echo "timer in the master\n";
        $pool->shutdown();
    });
});
var_dump($pool->start());

$pool->set(['max_wait_time' => -5]); // clamped to 0 as Swoole
$pool->set(['no_such_setting' => 1]);
$pool->set([1]);
// after the pool, timers run on the script's own loop again
Swoole\Timer::after(10, function () { echo "own loop timer\n"; });
?>
--EXPECTF--
int(-1)
bool(false)
bool(false)
start: running true, master true
worker start: running true, workerRunning true, id 0, pid ok true
shutdown: running false
worker exit
worker stop: workerRunning false
bool(true)
again
start: running true, master true
worker start: running true, workerRunning true, id 0, pid ok true
shutdown: running false
worker exit
worker stop: workerRunning false
bool(true)
timer in the master
%Aworker 1 (pid %d) did not stop in 1000 ms: killed
bool(true)

Warning: Swoole\Process\Pool::set(): unknown pool setting 'no_such_setting': a pool has enable_coroutine, max_wait_time, max_package_size and enable_message_bus in %s on line %d

Warning: Swoole\Process\Pool::set(): settings are named: got a numeric key in %s on line %d

Deprecated: swoole_event_rshutdown(): Event::wait() in shutdown function is deprecated in Unknown on line 0
own loop timer

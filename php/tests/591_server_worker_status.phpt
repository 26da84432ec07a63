--TEST--
Swoole\Server::getWorkerStatus(): SWOOLE_WORKER_IDLE in workerStart, SWOOLE_WORKER_BUSY inside a request's callback (and seen so from another worker), SWOOLE_WORKER_EXIT in workerExit; false for a bad id, a warning before start
--EXTENSIONS--
swoole
--FILE--
<?php
var_dump(SWOOLE_WORKER_BUSY, SWOOLE_WORKER_IDLE, SWOOLE_WORKER_EXIT);
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
var_dump(@$s->getWorkerStatus());
$s->set(['worker_num' => 1, 'task_worker_num' => 1, 'log_level' => SWOOLE_LOG_ERROR]);
$s->on('receive', function () {});
$s->on('workerStart', function ($s, $id) {
    if ($s->taskworker) {
        return;
    }
    echo "start: ", $s->getWorkerStatus(), " ", $s->getWorkerStatus(0), "\n";
    var_dump($s->getWorkerStatus(99));
    $GLOBALS['tick'] = Swoole\Timer::tick(1000, fn() => null); // workerExit runs while it is held
    $s->task('x');
});
$s->on('task', function ($s, $tid, $src, $data) {
    echo "task: ", $s->getWorkerStatus(), " ", $s->getWorkerStatus(1), "\n";
    Swoole\Timer::after(1, fn() => $s->shutdown());
});
$s->on('finish', function () {});
$s->on('workerExit', function ($s, $id) {
    if (!$s->taskworker) {
        echo "exit: ", $s->getWorkerStatus(), "\n";
        Swoole\Timer::clear($GLOBALS['tick']);
    }
});
$s->start();
?>
--EXPECTF--
int(1)
int(2)
int(3)
bool(false)
start: 2 2
bool(false)
task: 1 1
exit: 3

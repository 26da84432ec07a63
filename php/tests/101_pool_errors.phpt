--TEST--
Swoole\Process\Pool: bad arguments, a worker callback that throws or exits is replaced and does not hang the pool, output and shutdown in workers, shutdown() from a worker, swoole_process_pool alias
--EXTENSIONS--
pcntl
--FILE--
<?php
var_dump(get_class(new swoole_process_pool(1)), new swoole_process_pool(1) instanceof Swoole\Process\Pool);
foreach ([[0], [1, 9], [1, SWOOLE_IPC_MSGQUEUE, 0, true]] as $args) {
    try { new Swoole\Process\Pool(...$args); } catch (Error $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }
}
try { new Swoole\Process\Pool("x"); } catch (TypeError $e) { echo "TypeError\n"; }
$p = new Swoole\Process\Pool(1);
var_dump($p->on('bogus', fn() => 1));
var_dump($p->on('message', fn() => 1));
try { $p->on('workerStart', 'no_such_function'); } catch (TypeError $e) { echo "TypeError: ", $e->getMessage(), "\n"; }
var_dump($p->start());
var_dump($p->shutdown());

/* IPC_NONE: each run of workerStart is one life of the worker. The first
 * throws, the second exits with 3, the third echoes, registers a shutdown
 * function and asks the master to stop. */
$f = tempnam(sys_get_temp_dir(), 'swirl-pool');
$pool = new Swoole\Process\Pool(1);
$pool->on('workerStart', function ($pool, $id) use ($f) {
    $n = count(file($f));
    file_put_contents($f, "run\n", FILE_APPEND);
    if ($n === 0) throw new RuntimeException("boom in worker $id");
    if ($n === 1) exit(3);
    register_shutdown_function(function () { echo "shutdown function of the worker\n"; });
    echo "third life of worker $id\n";
    $pool->shutdown();
    sleep(5); /* SIGTERM from the master ends the worker here (Swoole's rule:
               * no handler while in workerStart): no workerStop, no shutdown function */
});
$pool->on('workerStop', function ($pool, $id) { echo "workerStop $id\n"; });
$t = microtime(true);
var_dump($pool->start());
echo "lives: ", count(file($f)), ", took < 4 s: ", var_export(microtime(true) - $t < 4, true), "\n";
unlink($f);
?>
--EXPECTF--
string(19) "Swoole\Process\Pool"
bool(true)
ValueError: Swoole\Process\Pool::__construct(): Argument #1 ($worker_num) must be between 1 and 1024
ValueError: Swoole\Process\Pool::__construct(): Argument #2 ($ipc_type) must be SWOOLE_IPC_NONE, SWOOLE_IPC_MSGQUEUE, SWOOLE_IPC_UNIXSOCK or SWOOLE_IPC_SOCKET
Error: the parameter $ipc_type must be SWOOLE_IPC_UNIXSOCK when enable coroutine
TypeError

Warning: Swoole\Process\Pool::on(): unknown event 'bogus': a pool has workerStart, workerStop, message, start and shutdown in %s on line %d
bool(false)

Warning: Swoole\Process\Pool::on(): a pool without a queue (SWOOLE_IPC_NONE) gets no message event in %s on line %d
bool(false)
TypeError: Swoole\Process\Pool::on(): Argument #2 ($callback) must be a valid callback, function "no_such_function" not found or invalid function name

Warning: Swoole\Process\Pool::start(): a pool without a queue needs a workerStart callback in %s on line %d
bool(false)

Warning: Swoole\Process\Pool::shutdown(): the pool is not running in %s on line %d
bool(false)
%A
Fatal error: Uncaught RuntimeException: boom in worker 0 in %s:%d
Stack trace:
%A
third life of worker 0
bool(true)
lives: 3, took < 4 s: true

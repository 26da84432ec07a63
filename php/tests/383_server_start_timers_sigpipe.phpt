--TEST--
Swoole\Server: in BASE mode with one worker (the process is the worker) timers set in the start callback run, start before workerStart; a SIGPIPE sent to the master of a PROCESS server is logged as Swoole logs an unregistered signal and the server goes on
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$s->set(['worker_num' => 1, 'log_file' => '/dev/null']);
$s->on('start', function ($s) {
    echo "start\n";
    $n = 0;
    Swoole\Timer::tick(20, function ($id) use (&$n, $s) {
        echo "tick ", ++$n, "\n";
        if ($n === 3) {
            Swoole\Timer::clear($id);
            $s->shutdown();
        }
    });
});
$s->on('workerStart', fn() => print("workerStart\n"));
$s->on('receive', fn() => 1);
var_dump($s->start());

$log = tempnam(sys_get_temp_dir(), 'swirl-sigpipe-');
[$pid, $port] = server_run(function () use ($log) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'log_file' => $log]);
    $s->on('receive', fn($s, $fd) => $s->send($fd, "alive\n"));
    return $s;
});
Swoole\Process::kill($pid, SIGPIPE);
for ($i = 0; $i < 300 && !str_contains(file_get_contents($log), 'Broken pipe'); $i++) {
    usleep(10000);
}
$c = client($port);
fwrite($c, "x");
echo client_read($c, 6);
echo "stopped: ", server_stop($pid), "\n";
echo preg_replace('/^\[[^\]]+\]/', '[...]', file_get_contents($log));
unlink($log);
?>
--EXPECT--
start
workerStart
tick 1
tick 2
tick 3
bool(true)
alive
stopped: 0
[...]	WARNING	signal (ERRNO 721): Unable to find callback function for signal Broken pipe: 13

--TEST--
Swoole\Server: the events beforeReload, afterReload (manager), beforeShutdown (master), workerExit and managerStop; getCallback; start() a second time; a start, reload and SIGTERM shutdown at the default log level print only Swoole's one INFO line for the reload, in Swoole's layout
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
$serverLog = tempnam(sys_get_temp_dir(), 'swirl-stderr-');
[$pid, $port] = server_run(function () use ($serverLog) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'log_file' => $serverLog]);
    $s->on('receive', function ($s, $fd, $rid, $data) {
        if (trim($data) === 'reload') {
            $s->reload();
        }
        $s->send($fd, "ok\n");
    });
    $s->on('beforeReload', fn($s) => log_line("beforeReload " . ($s->manager_pid === getmypid() ? "in the manager" : "elsewhere")));
    $s->on('AfterReload', fn($s) => log_line("afterReload"));
    $s->on('onBeforeShutdown', fn($s) => log_line("beforeShutdown " . ($s->master_pid === getmypid() ? "in the master" : "elsewhere")));
    /* workerExit runs while the stopping worker holds something of the user's: a timer */
    $s->on('workerStart', function () {
        $GLOBALS['tick'] = Swoole\Timer::tick(1000, fn() => null);
    });
    $s->on('workerExit', function ($s, $id) {
        log_line("workerExit $id");
        Swoole\Timer::clear($GLOBALS['tick']);
    });
    $s->on('managerStop', fn($s) => log_line("managerStop"));
    return $s;
});
$c = client($port);
fwrite($c, "reload\n");
echo client_read($c, 3);
for ($i = 0; $i < 500 && !str_contains(file_get_contents(log_file()), 'afterReload'); $i++) {
    usleep(10000);
}
echo "stopped: ", server_stop($pid), "\n";
$all = explode("\n", log_take());
echo "workerExit 0 seen: ", in_array('workerExit 0', $all) ? "yes" : "no", "\n";
$events = array_values(array_filter($all, fn($l) => $l !== '' && $l !== 'workerExit 0'));
echo implode("\n", $events), "\n";
/* what the server logged: Swoole's reload line, nothing else */
$lines = array_filter(explode("\n", file_get_contents($serverLog)));
unlink($serverLog);
foreach ($lines as $l) {
    echo preg_match('/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \$\d+\.0\]\tINFO\tServer is reloading all workers now$/', $l) ? "reload line\n" : "other: $l\n";
}

/* getCallback: what on() set, by any spelling of the name; null for none */
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$cb = function () {};
$s->on('Receive', $cb);
var_dump($s->getCallback('receive') === $cb, $s->getCallback('onReceive') === $cb);
var_dump($s->getCallback('close'), $s->getCallback('noSuchEvent'));
$s->on('beforeReload', 'strlen');
var_dump($s->getCallback('BeforeReload'));
$h = new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_BASE);
$h->on('request', $cb);
var_dump($h->getCallback('Request') === $cb);
try {
    $s->getCallback();
} catch (ArgumentCountError $e) {
    echo get_class($e), "\n";
}

/* start() again once the server ran: Swoole's warning, false */
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$s->set(['worker_num' => 1]);
$s->on('workerStart', fn($s) => $s->shutdown());
$s->on('receive', fn() => 1);
var_dump($s->start());
var_dump($s->start());
?>
--EXPECTF--
ok
stopped: 0
workerExit 0 seen: yes
beforeReload in the manager
afterReload
beforeShutdown in the master
managerStop
reload line
bool(true)
bool(true)
NULL
NULL
string(6) "strlen"
bool(true)
ArgumentCountError
bool(true)

Warning: Swoole\Server::start(): The server have been shutdown, unable to execute Swoole\Server->start() in %s on line %d
bool(false)

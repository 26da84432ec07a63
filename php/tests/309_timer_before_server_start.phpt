--TEST--
Swoole\Timer: timers made before Server::start() keep running in the master after it, with their ids (as Swoole); cleared by the id it had
--EXTENSIONS--
swoole
--FILE--
<?php
$s = stream_socket_server('tcp://127.0.0.1:0');
$port = (int)substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
fclose($s);
foreach ([SWOOLE_PROCESS, SWOOLE_BASE] as $mode) {
    $server = new Swoole\Server('127.0.0.1', $port, $mode);
    $server->set(['worker_num' => 1, 'log_file' => '/dev/null']);
    $master = getmypid();
    $n = 0;
    $tick = Swoole\Timer::tick(20, function (int $id) use (&$n, &$tick, $master, $server) {
        if (++$n == 2) {
            echo "tick before start: runs in the master ", var_export(getmypid() === $master, true),
                 ", same id ", var_export($id === $tick, true), "\n";
            Swoole\Timer::clear($tick);
            echo "cleared by its id ", var_export(!Swoole\Timer::exists($tick), true), "\n";
            $server->shutdown();
        }
    });
    $server->on('start', function (Swoole\Server $server) use (&$tick) {
        echo "start: the tick exists ", var_export(Swoole\Timer::exists($tick), true), "\n";
    });
    $server->on('receive', function () {});
    $server->start();
    echo "end\n";
}
?>
--EXPECT--
start: the tick exists true
tick before start: runs in the master true, same id true
cleared by its id true
end
start: the tick exists true
tick before start: runs in the master true, same id true
cleared by its id true
end

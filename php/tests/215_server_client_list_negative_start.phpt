--TEST--
Swoole\Server::getClientList() from a negative start lists the connections only, as from 0: the free slots of the connection table came back as 100 ids 0
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    [$pid, $port] = server_run(function () use ($mode) {
        $s = new Swoole\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 1, 'log_level' => 5]);
        $s->on('receive', function ($s, $fd) {
            $all = $s->getClientList(0, 100);
            $out = [];
            foreach ([-1, PHP_INT_MIN] as $start) {
                $l = $s->getClientList($start, 100);
                $out[] = ($l === $all ? "same" : "differs: " . json_encode($l)) . ", " . count($l);
            }
            $s->send($fd, implode("; ", $out) . "\n");
        });
        return $s;
    });
    $c = [client($port), client($port)];
    fwrite($c[1], "list");
    echo client_read($c[1]);
    echo "stopped: ", server_stop($pid), "\n";
}
?>
--EXPECT--
same, 2; same, 2
stopped: 0
same, 2; same, 2
stopped: 0

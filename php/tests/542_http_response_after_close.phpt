--TEST--
Swoole\Http\Response::end()/write() after the connection is gone (closed by the heartbeat while the worker was busy, or by close()): false, no warning, getLastError() is Swoole's SESSION_NOT_EXIST (1005) after the heartbeat's close
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
foreach (['heartbeat' => SWOOLE_PROCESS, 'close() PROCESS' => SWOOLE_PROCESS, 'close() BASE' => SWOOLE_BASE] as $case => $mode) {
    [$pid, $port] = server_run(function () use ($mode, $case) {
        $s = new Swoole\Http\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 1, 'log_level' => 5]
                + ($case === 'heartbeat' ? ['heartbeat_check_interval' => 1, 'heartbeat_idle_time' => 1] : []));
        $s->on('request', function ($rq, $rs) use ($s, $case) {
            if ($case === 'heartbeat') {
                /* the reactor closes the idle connection meanwhile (waited for, bounded) */
                for ($i = 0; $i < 1000 && $s->exist($rq->fd); $i++) {
                    usleep(10000);
                }
            } else {
                $s->close($rq->fd);
            }
            $r = ['write' => $rs->write('x'), 'end' => $rs->end('hello')];
            if ($case === 'heartbeat') {
                $r['error'] = $s->getLastError();
            }
            log_line("$case: " . json_encode($r));
        });
        return $s;
    });
    $c = client($port);
    fwrite($c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    echo $case, ": ", json_encode(stream_get_contents($c)), "\n"; /* nothing, then the close */
    fclose($c);
    for ($i = 0; $i < 1000 && !str_contains((string)@file_get_contents(log_file()), $case); $i++) usleep(10000);
    echo "stopped: ", server_stop($pid), "\n";
    echo log_take();
}
?>
--EXPECT--
heartbeat: ""
stopped: 0
heartbeat: {"write":false,"end":false,"error":1005}
close() PROCESS: ""
stopped: 0
close() PROCESS: {"write":false,"end":false}
close() BASE: ""
stopped: 0
close() BASE: {"write":false,"end":false}

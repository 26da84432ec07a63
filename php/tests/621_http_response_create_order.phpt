--TEST--
Response::create($server, $fd) in a request callback after its own response ended: the two answers reach the client in the order they were ended (BASE and PROCESS); create() for a connection that is gone or never was: false with a warning
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
foreach (['BASE' => SWOOLE_BASE, 'PROCESS' => SWOOLE_PROCESS] as $name => $mode) {
    [$pid, $port] = server_run(function () use ($mode, $name) {
        $s = new Swoole\Http\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 1, 'log_level' => 5]);
        $s->on('request', function ($rq, $rs) use ($s, $name) {
            $rs->end('first');
            $again = Swoole\Http\Response::create($s, $rq->fd);
            $again->end('second');
            $r = [];
            foreach ([999999, -1] as $fd) {
                $r[$fd] = @Swoole\Http\Response::create($s, $fd);
            }
            log_line("$name: " . json_encode($r));
        });
        return $s;
    });
    $c = client($port);
    fwrite($c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    $got = '';
    while (substr_count($got, "\r\n\r\n") < 2 || !str_ends_with($got, 'second') && !str_ends_with($got, 'first')) {
        $b = fread($c, 8192);
        if ($b === '' || $b === false)
            break;
        $got .= $b;
    }
    preg_match_all('/\r\n\r\n(first|second)/', $got, $m);
    echo $name, ": ", implode(',', $m[1]), "\n";
    fclose($c);
    for ($i = 0; $i < 1000 && !str_contains((string)@file_get_contents(log_file()), $name); $i++) usleep(10000);
    echo "stopped: ", server_stop($pid), "\n";
    echo log_take();
}
?>
--EXPECT--
BASE: first,second
stopped: 0
BASE: {"999999":false,"-1":false}
PROCESS: first,second
stopped: 0
PROCESS: {"999999":false,"-1":false}

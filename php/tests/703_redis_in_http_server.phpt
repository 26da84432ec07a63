--TEST--
Swoole\Redis in an Http\Server worker (BASE and PROCESS, one worker): a request waiting on a slow command (BLPOP) does not block the worker; a second request is answered meanwhile, then a third pushes the value the first was waiting for; the server stops cleanly with a request still waiting on Redis
--EXTENSIONS--
swoole
pcntl
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server is missing (apt-get install redis-server)'); ?>
--FILE--
<?php
require __DIR__ . '/redis.inc';
require __DIR__ . '/http.inc';
[$rpid, $rport, $rsock] = redis_start();

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    [$pid, $port] = http_run($mode, [], function ($req, $resp) use ($rport, $rsock, $mode) {
        /* swirl ends a response its callback left open unless detached */
        $resp->detach();
        $redis = new Swoole\Redis();
        $path = $req->server['request_uri'];
        /* the Unix socket in one mode, TCP in the other */
        [$h, $p] = $mode === SWOOLE_BASE ? ["unix:$rsock", 0] : ['127.0.0.1', $rport];
        $redis->connect($h, $p, function ($redis, $ok) use ($path, $resp, $mode) {
            if (!$ok) {
                $resp->end("connect failed: $redis->errMsg");
                return;
            }
            $done = function ($redis, $res) use ($resp, $path) {
                $resp->end("$path: " . json_encode($res));
                $redis->close();
            };
            match ($path) {
                '/slow' => $redis->blpop("q$mode", 10, $done),
                '/fast' => $redis->incr("hits$mode", $done),
                '/push' => $redis->lpush("q$mode", 'pushed', $done),
                '/hang' => $redis->blpop('never', 0, $done),
            };
        });
    });
    $a = client($port);
    fwrite($a, http_req('GET', '/slow'));
    usleep(100000); /* (not needed for the outcome: /slow is answered only after /push either way) */
    $r = http_do($port, 'GET', '/fast');
    echo "fast: $r[body]\n";
    $r = http_do($port, 'GET', '/push');
    echo "push: $r[body]\n";
    $r = http_read($a);
    echo "slow: $r[body]\n";
    fclose($a);
    /* the server stops with a request waiting on Redis: the worker lets its client go */
    $h = client($port);
    fwrite($h, http_req('GET', '/hang'));
    usleep(100000);
    echo "exit ", server_stop($pid), "\n";
    fclose($h);
}
echo log_take();
?>
--EXPECTF--
-- BASE
fast: /fast: 1
push: /push: 1
slow: /slow: ["q1","pushed"]
exit 0
-- PROCESS
fast: /fast: 1
push: /push: 1
slow: /slow: ["q2","pushed"]
exit 0

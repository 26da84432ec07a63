--TEST--
Swoole\Http\Response detach in BASE and PROCESS mode: ended later from a timer (a pipelined request behind it waits, answers in order), taken up with Response::create($fd) and create($server, $fd) from a timer and from a task's finish callback (a task worker cannot), two objects for one response, a client that leaves before the end
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/http.inc';

function r($v) { return var_export($v, true); }

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    [$pid, $port] = http_run($mode, ['task_worker_num' => 1], function ($req, $resp) {
        global $server;
        switch ($req->server['request_uri']) {
        case '/later':
            log_line("detach: " . r($resp->detach()));
            Swoole\Timer::after(150, function () use ($resp) {
                log_line("later writable: " . r($resp->isWritable()));
                $resp->end('later');
            });
            break;
        case '/create':
            $resp->detach();
            $fd = $resp->fd;
            Swoole\Timer::after(50, function () use ($fd) {
                $r = Swoole\Http\Response::create($fd);
                log_line("create: " . get_class($r) . " fd ok=" . r($r->fd === $fd));
                $r->header('X-Created', 'yes');
                $r->end('created');
            });
            break;
        case '/create2':
            $resp->detach();
            $fd = $resp->fd;
            Swoole\Timer::after(50, function () use ($fd) {
                global $server;
                Swoole\Http\Response::create($server, $fd)->end('created with the server');
            });
            break;
        case '/task':
            $resp->detach();
            $server->task($resp->fd);
            break;
        case '/two':
            $resp->detach();
            $other = Swoole\Http\Response::create($resp->fd);
            Swoole\Timer::after(50, function () use ($resp, $other) {
                log_line("other end: " . r($other->end('by the other')));
                log_line("first writable: " . r($resp->isWritable()));
                log_line("first end: " . r($resp->end('no')));
            });
            break;
        case '/gone':
            $resp->detach();
            Swoole\Timer::after(300, function () use ($resp) {
                log_line("gone writable: " . r($resp->isWritable()));
                log_line("gone end: " . r($resp->end('nobody')));
                log_line("gone done");
            });
            break;
        default:
            $resp->end('next');
        }
    }, function ($s) {
        $GLOBALS['server'] = $s;
        $s->on('task', function ($s, $id, $src, $fd) {
            log_line("create in a task worker: " . r(Swoole\Http\Response::create($fd)));
            return $fd;
        });
        $s->on('finish', function ($s, $id, $fd) {
            Swoole\Http\Response::create((string)$fd)->end("from finish");
        });
    });
    $c = client($port);
    fwrite($c, http_req('GET', '/later') . http_req('GET', '/next'));
    echo "pipelined: ", http_read($c)['body'], ", ", http_read($c)['body'], "\n";
    fclose($c);
    $r = http_do($port, 'GET', '/create');
    echo "create: ", $r['body'], " ", $r['headers']['x-created'], "\n";
    echo "create with the server: ", http_do($port, 'GET', '/create2')['body'], "\n";
    echo "task: ", http_do($port, 'GET', '/task')['body'], "\n";
    echo "two: ", http_do($port, 'GET', '/two')['body'], "\n";
    $c = client($port);
    fwrite($c, http_req('GET', '/gone'));
    usleep(50000);
    fclose($c);
    wait_log("gone done");
    echo "after: ", http_do($port, 'GET', '/next')['body'], "\n";
    echo "stopped: ", server_stop($pid), "\n";
    echo http_log();
}
?>
--EXPECTF--
-- BASE
pipelined: later, next
create: created yes
create with the server: created with the server
task: from finish
two: by the other
after: next
stopped: 0
detach: true
later writable: true
create: Swoole\Http\Response fd ok=true
warning: Swoole\Http\Response::create(): no response to connection %d is open in this process (only a response detached in this worker, or one in its request callback, can be taken up)
create in a task worker: false
other end: true
first writable: false
warning: Swoole\Http\Response::end(): end() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
first end: false
gone writable: false
gone end: false
gone done
-- PROCESS
pipelined: later, next
create: created yes
create with the server: created with the server
task: from finish
two: by the other
after: next
stopped: 0
detach: true
later writable: true
create: Swoole\Http\Response fd ok=true
warning: Swoole\Http\Response::create(): no response to connection %d is open in this process (only a response detached in this worker, or one in its request callback, can be taken up)
create in a task worker: false
other end: true
first writable: false
warning: Swoole\Http\Response::end(): end() after the end of the response to connection %d (end(), sendfile() or redirect() was called, or its request callback returned without detach())
first end: false
gone writable: false
gone end: false
gone done

<?php
/* Seed 000 (Swoole's four callback forms), form 1: a closure with `use`.
 * Completed: the server's construction (host and port from argv, default
 * 127.0.0.1:9501, one worker), newlines after the echo, a workerStart that
 * shuts the server down so the script ends, an empty receive callback
 * (a TCP server needs one, in Swoole too), and $server->start(). */
$server = new Swoole\Server('127.0.0.1', (int)($argv[1] ?? 9501));
$server->set(['worker_num' => 1]);
$server->on('workerStart', function ($serv) { $serv->shutdown(); });
$server->on('receive', function ($serv, $fd, $reactor_id, $data) {});

    $a = 'lampol';

    $server->on('start',function($serv) use($a){  //use向匿名函数传递参数
            echo 'hello....'.$a."\n";
    });

$server->start();

<?php
/* Seed 000, form 3: [$object, 'method']. Completed as callback_closure.php. */
$server = new Swoole\Server('127.0.0.1', (int)($argv[1] ?? 9501));
$server->set(['worker_num' => 1]);
$server->on('workerStart', function ($serv) { $serv->shutdown(); });
$server->on('receive', function ($serv, $fd, $reactor_id, $data) {});

    $test = new Test();
    $server->on('start',[$test,'test_start']);

    class Test{

        public  function test_start($serv){
            echo 'master_pid......========'.$serv->master_pid."\n";
        }
    }

$server->start();

<?php
/* Seed 002 §2 `on`: a TCP server with connect, receive and close callbacks,
 * the seed's code as it is. Completed: the port comes from argv (default
 * the seed's 9501; 0 picks a free one) and a start callback says where the
 * server listens, so that a client (or a test) knows when to connect. */
$serv = new swoole_server("127.0.0.1", (int)($argv[1] ?? 9501));
$serv->on('start', function ($serv) {
    echo "listening on 127.0.0.1:{$serv->port}\n";
});
$serv->on('connect', function ($serv, $fd){
    echo "Client:Connect.\n";
});
$serv->on('receive', function ($serv, $fd, $from_id, $data) {
    $serv->send($fd, 'Swoole: '.$data);
    $serv->close($fd); //非长连接请求可以返回结果后直接关闭, 长连接请求close掉
});
$serv->on('close', function ($serv, $fd) {
    echo "Client: Close.\n";
});
$serv->start();

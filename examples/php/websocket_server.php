<?php
/* Seed 002 §8.2: a WebSocket server with open, message and close callbacks,
 * the seed's code as it is. Completed: the address 127.0.0.1 and the port
 * from argv (default the seed's 9501; 0 picks a free one) instead of
 * 0.0.0.0:9501, and a start callback that says where the server listens,
 * so that a client (or a test) knows when to connect; one line for PHP 8
 * (marked): the seed reads {$_frame->data}, a variable that does not exist
 * (a notice in PHP 5, two warnings in PHP 8), where $frame is meant. */
$server = new swoole_websocket_server("127.0.0.1", (int)($argv[1] ?? 9501));

$server->on('start', function ($server) {
    echo "listening on 127.0.0.1:{$server->port}\n";
});

$server->on('open', function (swoole_websocket_server $server, $request) {
    echo "server: handshake success with fd{$request->fd}\n";
});

$server->on('message', function (swoole_websocket_server $server, $frame) {
    echo "receive from {$frame->fd}:{$frame->data}, opcode:{$frame->opcode}\n"; // PHP 8 (see the top)
    $server->push($frame->fd, "this is server");
});

$server->on('close', function ($ser, $fd) {
    echo "client {$fd} closed\n";
});

$server->start();

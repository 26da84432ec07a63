<?php
/* The PHP side of bench/php_echo: a TCP echo server on swirl.so, Swoole's
 * API, BASE mode with one worker, what the C `swirl echo --mode base
 * --workers 1` does. Usage: php echo_server.php [PORT] (0: a free port);
 * prints "listening on 127.0.0.1:PORT" once it accepts connections. */
$server = new Swoole\Server('127.0.0.1', (int)($argv[1] ?? 9501), SWOOLE_BASE);
$server->set(['worker_num' => 1, 'log_level' => 4 /* SWOOLE_LOG_WARNING */]);
$server->on('start', function ($server) {
    echo "listening on 127.0.0.1:{$server->port}\n";
});
$server->on('receive', function ($server, $fd, $reactor_id, $data) {
    $server->send($fd, $data);
});
$server->start();

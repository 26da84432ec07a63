<?php
/* The hello world of Swoole's HTTP server (seed 003 §4, the manual's
 * swoole_http_server chapter) on swirl.so: every request is answered with
 * "<h1>Hello Swoole. #NNNN</h1>".
 *
 * Usage: php http_server.php [PORT [HOST [WORKERS [base|process]]]]
 * Defaults: 9501, 0.0.0.0, one worker per CPU, process mode. PORT 0 takes
 * a free port. Prints "listening on http://HOST:PORT" once it serves (the
 * bound port, also for 0). bench/php_http runs it as
 * `http_server.php 0 127.0.0.1 1 base`. */
$port = (int)($argv[1] ?? 9501);
$host = $argv[2] ?? '0.0.0.0';
$workers = (int)($argv[3] ?? swoole_cpu_num());
$mode = ($argv[4] ?? 'process') === 'base' ? SWOOLE_BASE : SWOOLE_PROCESS;

$http = new Swoole\Http\Server($host, $port, $mode);
$http->set([
    'worker_num' => $workers,
    'log_level' => SWOOLE_LOG_WARNING,
]);
$http->on('start', function ($server) use ($host) {
    echo "listening on http://$host:{$server->port}\n";
});
$http->on('request', function ($request, $response) {
    $response->header("Content-Type", "text/html; charset=utf-8");
    $response->end("<h1>Hello Swoole. #" . rand(1000, 9999) . "</h1>");
});
$http->start();

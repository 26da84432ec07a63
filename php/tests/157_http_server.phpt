--TEST--
Swoole\Http\Server as a Swoole\Server: connect/close callbacks with the request's fd, an extra port serving HTTP (server_port, its own connect callback), two PROCESS workers sharing connections, Server methods on a request's fd (exist, getClientInfo, close), start() refused without a request callback (Swoole's fatal error) or with dispatch_mode 1, swoole_http_server alias
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/http.inc';

[$pid, $port] = http_run(SWOOLE_PROCESS, ['worker_num' => 2], function ($req, $resp) {
    global $server;
    $fd = $req->fd;
    switch ($req->server['request_uri']) {
    case '/close':
        log_line("close it: " . var_export($server->close($fd), true));
        break; /* no end: the connection is gone, so no warning either */
    case '/info':
        $i = $server->getClientInfo($fd);
        $resp->end(json_encode(['exist' => $server->exist($fd), 'server_port' => $i['server_port'],
                                'req_port' => $req->server['server_port'], 'worker' => $server->worker_id]));
        break;
    default:
        log_line("request fd=$fd");
        $resp->end((string)$server->worker_id);
    }
}, function ($s) {
    $GLOBALS['server'] = $s;
    $s->on('connect', function ($s, $fd, $reactor) { log_line("connect fd=$fd"); });
    $s->on('close', function ($s, $fd, $reactor) { log_line("close fd=$fd"); });
    $p = $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP);
    $p->on('connect', function ($s, $fd) { log_line("extra port connect"); });
    $s->on('workerStart', function ($s, $id) use ($p) {
        if ($id === 0) {
            file_put_contents(sys_get_temp_dir() . '/swirl-extra-port-' . $s->master_pid, $p->port);
        }
    });
});

/* connect, request and close callbacks see one fd */
$c = client($port);
fwrite($c, http_req('GET', '/'));
http_read($c);
fclose($c);
wait_log("close fd=");
preg_match_all('/(connect|request|close) fd=(\d+)/', http_log(), $m);
echo implode(',', $m[1]), " one fd: ", var_export(count(array_unique($m[2])) === 1, true), "\n";

/* two workers: connections are shared between them */
$workers = [];
for ($i = 0; $i < 6; $i++) {
    $workers[http_do($port, 'GET', '/')['body']] = true;
}
ksort($workers);
echo "workers: ", implode(',', array_keys($workers)), "\n";

/* the extra port serves HTTP */
$f = sys_get_temp_dir() . '/swirl-extra-port-' . $pid;
for ($i = 0; $i < 200 && !@filesize($f); $i++) usleep(10000);
$extra = (int)file_get_contents($f);
unlink($f);
$o = json_decode(http_do($extra, 'GET', '/info')['body'], true);
echo "extra port: exist=", var_export($o['exist'], true), " server_port ok=",
    var_export($o['server_port'] === $extra && $o['req_port'] === $extra && $extra !== $port, true), "\n";
$o = json_decode(http_do($port, 'GET', '/info')['body'], true);
echo "main port: server_port ok=", var_export($o['req_port'] === $port, true), "\n";
wait_log("close fd=");
echo "extra port connects: ", substr_count(http_log(), "extra port connect"), "\n";

/* the handler closes the connection */
$c = client($port);
fwrite($c, http_req('GET', '/close'));
var_dump(http_read($c));
fclose($c);
wait_log("close fd=");
echo "still serving: ", http_do($port, 'GET', '/')['status'], "\n";
echo "stopped: ", server_stop($pid), "\n";
echo preg_replace('/(connect|close|request) fd=\d+\n/', '', http_log());

/* start() refused: without a request callback, Swoole's fatal error (in a child) */
$proc = new Swoole\Process(function () {
    $s = new swoole_http_server('127.0.0.1', 0, SWOOLE_BASE);
    var_dump($s instanceof Swoole\Http\Server);
    $s->start();
}, true, 1 /* SOCK_STREAM */, false);
$proc->start();
$r = Swoole\Process::wait();
echo "exit {$r['code']}: ", trim($proc->read()), "\n";
$s = new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$s->set(['dispatch_mode' => 1, 'log_level' => 5]);
$s->on('request', function () {});
var_dump($s->start());
?>
--EXPECTF--
connect,request,close one fd: true
workers: 0,1
extra port: exist=true server_port ok=true
main port: server_port ok=true
extra port connects: 1
NULL
still serving: 200
stopped: 0
close it: true
exit 255: bool(true)

Fatal error: Swoole\Server::start(): require onRequest callback in %s on line %d

Warning: Swoole\Server::start(): dispatch_mode 1: an HTTP server needs every request of a connection in one worker (2, 4 or 5) so pipelined responses stay in order in %s on line %d
bool(false)

--TEST--
Swoole\Http\Response::create($server, $fd) in the master (a timer set in onStart) answers a connection whose worker was killed, as Laravel Octane sends its 408; a connection that does not exist is refused
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

$box = new Swoole\Atomic(0);
[$pid, $port] = server_run(function ($ready) use ($box) {
    $s = new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 1, 'log_level' => 5]);
    $s->on('start', function ($s) use ($ready, $box) {
        Swoole\Timer::tick(10, function () use ($s, $box) {
            $fd = $box->get();
            if ($fd === 0) {
                return;
            }
            $box->set(0);
            Swoole\Process::kill($s->getWorkerPid(0), SIGKILL);
            set_error_handler(function ($no, $m) { log_line("warning: $m"); return true; });
            log_line("bad fd: " . var_export(Swoole\Http\Response::create($s, $fd + 1000000), true));
            restore_error_handler();
            $r = Swoole\Http\Response::create($s, $fd);
            log_line("created: " . get_class($r));
            $r->status(408);
            $r->header('Content-Type', 'text/plain');
            log_line("end: " . var_export($r->end("Request timed out\n"), true));
            log_line("end again: " . var_export(@$r->end("x"), true));
        });
        $ready($s);
    });
    $s->on('request', function ($req, $resp) use ($box) {
        if ($req->server['request_uri'] === '/stuck') {
            $box->set($req->fd);
            sleep(30);
        }
        $resp->end("fine\n");
    });
    return $s;
}, false);

$c = client($port);
fwrite($c, "GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n");
$head = '';
while (!str_contains($head, "\r\n\r\n") && ($l = fgets($c)) !== false) $head .= $l;
echo strtok($head, "\r\n"), "\n";
echo "keep-alive: ", var_export(stripos($head, 'connection: keep-alive') !== false, true), "\n";
echo fread($c, 18);
fclose($c);
/* the manager starts another worker: the server goes on */
for ($i = 0; $i < 300; $i++) {
    $body = @file_get_contents("http://127.0.0.1:$port/next");
    if ($body !== false) break;
    usleep(10000);
}
echo "next: $body";
echo "stopped: ", server_stop($pid), "\n";
echo preg_replace('/connection \d+/', 'connection N', log_take());
?>
--EXPECT--
HTTP/1.1 408 Request Timeout
keep-alive: true
Request timed out
next: fine
stopped: 0
warning: Swoole\Http\Response::create(): http response: connection N: no such connection
bad fd: false
created: Swoole\Http\Response
end: true
end again: false

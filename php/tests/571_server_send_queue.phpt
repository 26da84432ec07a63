--TEST--
Swoole\Server without send_yield: in PROCESS mode one callback may send many times socket_buffer_size (the worker queues it and goes on, the master takes it as the client reads), a send loop without end stops with false at the worker's bound (32 times socket_buffer_size); in BASE mode a send past socket_buffer_size fails at once with false and a warning
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

function build(int $mode) {
    return function () use ($mode) {
        $s = new Swoole\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 1, 'socket_buffer_size' => 256 * 1024, 'log_level' => 5]);
        $s->on('receive', function ($s, $fd, $rid, $data) {
            if ($data === 'ping') {
                $s->send($fd, 'pong');
                return;
            }
            $n = $data === 'huge' ? 1024 : 64; /* 4 MiB, or 64 MiB */
            $chunk = str_repeat('x', 65536);
            set_error_handler(function ($no, $msg) use ($data) {
                log_line("$data warning: " . preg_replace('/\d+/', 'N', $msg));
                return true;
            });
            for ($i = 0; $i < $n; $i++) {
                if (!$s->send($fd, $chunk)) {
                    break;
                }
            }
            restore_error_handler();
            log_line("$data: " . ($i === $n ? "all" : "not all") . " sent");
        });
        return $s;
    };
}

echo "PROCESS\n";
[$pid, $port] = server_run(build(SWOOLE_PROCESS));
$c = client($port);
fwrite($c, 'bulk');
usleep(200000);
echo "read ", strlen(client_read($c, 64 * 65536)), "\n";
$slow = client($port);
fwrite($slow, 'huge');
for ($i = 0; $i < 500 && !str_contains((string)@file_get_contents(log_file()), 'huge:'); $i++) {
    usleep(20000);
}
fwrite($c, 'ping');
echo "other client: ", client_read($c, 4), "\n";
echo server_stop($pid), "\n";
echo log_take();

echo "BASE\n";
[$pid, $port] = server_run(build(SWOOLE_BASE));
$c = client($port);
fwrite($c, 'huge');
for ($i = 0; $i < 500 && !str_contains((string)@file_get_contents(log_file()), 'huge:'); $i++) {
    usleep(20000);
}
echo server_stop($pid), "\n";
echo log_take();
?>
--EXPECT--
PROCESS
read 4194304
other client: pong
0
bulk: all sent
huge warning: Swoole\Server::send(): send to connection N: this worker's queue to its reactor holds N bytes (N times socket_buffer_size)
huge: not all sent
BASE
0
huge warning: Swoole\Server::send(): send to connection N: output buffer full (socket_buffer_size N)
huge: not all sent

--TEST--
Swoole\Server send_yield (BASE and PROCESS): a send that does not fit in socket_buffer_size waits for room instead of failing, so one callback sends many times the buffer to a client that reads late; and to a client that never reads, the wait ends with false when send_timeout passes or the connection is reset, and the worker serves others after
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

function build(int $mode) {
    return function () use ($mode) {
        $s = new Swoole\Server('127.0.0.1', 0, $mode);
        $s->set(['worker_num' => 1, 'socket_buffer_size' => 256 * 1024, 'send_yield' => true,
                 'send_timeout' => 0.5, 'log_level' => 5]);
        $s->on('receive', function ($s, $fd, $rid, $data) {
            if ($data === 'ping') {
                $s->send($fd, 'pong');
                return;
            }
            $n = $data === 'huge' ? 1024 : 64; /* 4 MiB, or 64 MiB */
            $chunk = str_repeat('x', 65536);
            for ($i = 0; $i < $n; $i++) {
                if (!@$s->send($fd, $chunk)) {
                    break;
                }
            }
            log_line("$data: $i of $n sent");
        });
        return $s;
    };
}

foreach ([SWOOLE_BASE => 'BASE', SWOOLE_PROCESS => 'PROCESS'] as $mode => $name) {
    echo "$name\n";
    [$pid, $port] = server_run(build($mode));
    $c = client($port);
    fwrite($c, 'bulk');
    usleep(200000); /* read late: the sends waited */
    $got = strlen(client_read($c, 64 * 65536));
    echo "read $got\n";

    $slow = client($port);
    fwrite($slow, 'huge');
    for ($i = 0; $i < 500 && !str_contains((string)@file_get_contents(log_file()), 'huge:'); $i++) {
        usleep(20000);
    }
    fwrite($c, 'ping');
    echo "other client: ", client_read($c, 4), "\n";
    echo server_stop($pid), "\n";
    $log = log_take();
    echo str_contains($log, 'bulk: 64 of 64 sent') ? "bulk all sent\n" : $log;
    echo preg_match('/huge: (\d+) of 1024 sent/', $log, $m) && $m[1] < 1024 ? "huge ended with false\n" : $log;
}
?>
--EXPECT--
BASE
read 4194304
other client: pong
0
bulk all sent
huge ended with false
PROCESS
read 4194304
other client: pong
0
bulk all sent
huge ended with false

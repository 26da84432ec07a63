--TEST--
Swoole\Server::send: a Unix datagram peer whose buffer is full is false without a warning (EAGAIN in swoole_last_error(), as Swoole's non-blocking sendto); a numeric string is a connection id, as Swoole reads it
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
$path = sys_get_temp_dir() . '/swirl-641-' . getmypid() . '.sock';
@unlink($path);
[$pid, $port] = server_run(function () use ($path) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->set(['worker_num' => 1, 'log_file' => '/dev/null']);
    $s->listen($path, 0, SWOOLE_SOCK_UNIX_DGRAM);
    $s->on('receive', function ($s, $fd, $rid, $data) {
        $s->send((string)$fd, "as a string\n");
        $s->send(" $fd", "with a space\n");
        $s->send("$fd", "done\n");
    });
    $s->on('packet', function ($s, $data, $client) {
        $warned = 0;
        set_error_handler(function () use (&$warned) { $warned++; return true; });
        for ($n = 0; $n < 10000; $n++) {
            if (!$s->send($client['address'], str_repeat('B', 60000))) {
                break;
            }
        }
        restore_error_handler();
        log_line("sent " . ($n > 0 && $n < 10000 ? 'some' : $n) . ", then false; warnings: $warned; last error: "
                 . swoole_last_error() . " " . swoole_strerror(swoole_last_error()));
        $s->sendto($client['address'], 0, 'more');
        log_line("sendto: last error " . swoole_last_error());
    });
    return $s;
});
$c = client($port);
fwrite($c, "x");
echo client_read($c, strlen("as a string\nwith a space\ndone\n"));

$u = new Swoole\Client(SWOOLE_SOCK_UNIX_DGRAM);
var_dump($u->connect($path, 0, 5));
$u->send('fill');
for ($i = 0; $i < 500 && !str_contains(@file_get_contents(log_file()), 'sendto'); $i++) {
    usleep(10000);
}
var_dump(strlen($u->recv()));
echo "stopped: ", server_stop($pid), "\n";
echo log_take();
@unlink($path);
?>
--EXPECT--
as a string
with a space
done
bool(true)
int(60000)
stopped: 0
sent some, then false; warnings: 0; last error: 11 Resource temporarily unavailable
sendto: last error 11

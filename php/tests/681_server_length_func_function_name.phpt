--TEST--
Swoole\Server: package_length_func as a function name; without open_length_check it is not called; null sets it back to the length field
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

function two_bytes(string $data): int {
    log_line("called");
    return 2;
}

[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    log_line('set: ' . var_export($s->set(['worker_num' => 1, 'log_file' => '/dev/null',
                                            'package_length_func' => 'two_bytes']), true));
    $s->on('receive', function ($s, $fd, $rid, $data) { $s->send($fd, "<$data>"); });
    return $s;
});
$c = client($port);
fwrite($c, "abcd");                 /* not framed: one delivery */
echo client_read($c, 6), "\n";
echo "stopped: ", server_stop($pid), "\n";

[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->set(['worker_num' => 1, 'log_file' => '/dev/null', 'open_length_check' => true,
             'package_length_type' => 'C', 'package_body_offset' => 1,
             'package_length_func' => 'two_bytes']);
    log_line('set null: ' . var_export($s->set(['package_length_func' => null]), true));
    $s->on('receive', function ($s, $fd, $rid, $data) { $s->send($fd, '<' . substr($data, 1) . '>'); });
    return $s;
});
$c = client($port);
fwrite($c, "\x03abc");              /* the length field again */
echo client_read($c, 6), "\n";
fwrite($c, "\x01z");
echo client_read($c, 4), "\n";
echo "stopped: ", server_stop($pid), "\n";

[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->set(['worker_num' => 1, 'log_file' => '/dev/null', 'open_length_check' => true,
             'package_length_func' => 'two_bytes']);
    $s->on('receive', function ($s, $fd, $rid, $data) { $s->send($fd, "<$data>"); });
    return $s;
});
$c = client($port);
fwrite($c, "abcd");
echo client_read($c, 8), "\n";
echo "stopped: ", server_stop($pid), "\n";
echo log_take();
?>
--EXPECT--
<abcd>
stopped: 0
<abc>
<z>
stopped: 0
<ab><cd>
stopped: 0
set: true
set null: true
called
called

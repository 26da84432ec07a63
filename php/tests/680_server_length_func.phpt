--TEST--
Swoole\Server: package_length_func cuts the stream (a closure, a function name, [object, method] on a port); whole, many in one write, byte by byte; a negative length or one past package_max_length closes only that connection
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

/* "<digits>:<body>": the whole length once the ':' is there */
function digits_colon(string $data): int {
    $colon = strpos($data, ':');
    if ($colon === false) {
        return preg_match('/^[0-9]{1,8}$/', $data) ? 0 : -1;
    }
    $head = substr($data, 0, $colon);
    return preg_match('/^[0-9]{1,8}$/', $head) ? $colon + 1 + (int)$head : -1;
}

class FirstByte {
    public function length(string $data): int { return ord($data[0]); }
}

$path = sys_get_temp_dir() . '/swirl-680-' . getmypid() . '.sock';
@unlink($path);
[$pid, $port] = server_run(function () use ($path) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $calls = 0;
    log_line('set: ' . var_export($s->set([
        'worker_num' => 1,
        'log_file' => '/dev/null',
        'open_length_check' => true,
        'package_max_length' => 100,
        'package_length_func' => function ($data) use (&$calls) {
            $calls++;
            return digits_colon($data);
        },
    ]), true));
    log_line('setting: ' . get_class($s->setting['package_length_func']));
    $p = $s->listen($path, 0, SWOOLE_SOCK_UNIX_STREAM);
    log_line('port set: ' . var_export($p->set(['open_length_check' => true,
                                                  'package_length_func' => [new FirstByte, 'length']]), true));
    $s->on('receive', function ($s, $fd, $rid, $data) use (&$calls) {
        $s->send($fd, '<' . strlen($data) . '>');
        if ($data === '4:last') {
            log_line("called: " . ($calls > 0 ? 'yes' : 'no'));
        }
    });
    return $s;
});
$c = client($port);
fwrite($c, "5:hello");
echo client_read($c, 3), "\n";
fwrite($c, "1:a2:bb10:0123456789");
echo client_read($c, 14), "\n";
foreach (str_split("12:abcdefghijkl") as $byte) {
    fwrite($c, $byte);
    usleep(2000);
}
echo client_read($c, 4), "\n";

$bad = client($port);
fwrite($bad, "x:junk");
var_dump(fread($bad, 10));       /* closed: "" */
$big = client($port);
fwrite($big, "98:");              /* 101 bytes: past package_max_length */
var_dump(fread($big, 10));
fwrite($c, "97:" . str_repeat('m', 97));
echo client_read($c, 5), "\n";   /* exactly 100: delivered */

$u = stream_socket_client("unix://$path", $errno, $errstr, 5);
stream_set_timeout($u, 5);
fwrite($u, "\x05abcd\x03xy");
echo client_read($u, 6), "\n";
fwrite($c, "4:last");
echo client_read($c, 3), "\n";
echo "stopped: ", server_stop($pid), "\n";
echo log_take();
@unlink($path);
?>
--EXPECT--
<7>
<3><4><13>
<15>
string(0) ""
string(0) ""
<100>
<5><3>
<6>
stopped: 0
set: true
setting: Closure
port set: true
called: yes

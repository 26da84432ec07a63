--TEST--
examples/php/reactor_multi.php: seed 003 §3.2 WorkerMulit, SO_REUSEPORT workers serving with Swoole\Event::add on PHP stream sockets
--EXTENSIONS--
pcntl
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/examples.inc';
$port = free_port();
$outfile = tempnam(sys_get_temp_dir(), 'swirl-out');
$proc = proc_open('exec ' . example_cmd('reactor_multi.php', [$port]), [0 => ['file', '/dev/null', 'r'], 1 => ['file', $outfile, 'w'], 2 => ['file', $outfile, 'a']], $pipes);
$master = proc_get_status($proc)['pid'];
register_shutdown_function(function () use ($master) { /* even if the test fails */
    foreach (children_of($master) as $p) @Swoole\Process::kill($p, SIGKILL);
    @Swoole\Process::kill($master, SIGKILL);
});
var_dump(wait_port($port));
usleep(200000);
$workers = children_of($master);
echo count($workers), " workers serving\n";   /* the seed's fork(): 5 children, the last one ends at once */
$ok = 0;
for ($i = 0; $i < 20; $i++) {
    $c = stream_socket_client("tcp://127.0.0.1:$port", $e, $s, 2);
    fwrite($c, "GET / HTTP/1.1\r\n\r\n");
    stream_set_timeout($c, 2);
    $r = '';
    while (!str_ends_with($r, "hello world client \n") && ($d = fread($c, 1024)) !== false && $d !== '') $r .= $d;
    $ok += str_starts_with($r, "HTTP/1.1 200 OK\r\n") && str_ends_with($r, "Content-length: 20\r\n\r\nhello world client \n");
    fclose($c);
}
echo "$ok/20 answered\n";
usleep(200000);
foreach ($workers as $p) Swoole\Process::kill($p, SIGKILL);
for ($i = 0; $i < 100 && children_of($master); $i++) usleep(20000); /* the master reaps them and ends */
$st = proc_close($proc);
/* the master waits for 4 children (the seed's loop): the last killed worker is reaped by init */
$left = fn() => count(array_filter(array_merge($workers, [$master]), fn($p) => @Swoole\Process::kill($p, 0)));
for ($i = 0; $i < 100 && $left(); $i++) usleep(20000);
echo "master exit $st, left: ", $left(), "\n";
$out = file_get_contents($outfile);
preg_match_all('/==== >>>> : (\d+) /', $out, $m);
echo "accepts logged: ", count($m[1]), ", by workers of the master: ", var_export(!array_diff(array_map('intval', $m[1]), $workers), true), "\n";
echo "connections: ", substr_count($out, "有一个连接进来了"), "\n";
unlink($outfile);
?>
--EXPECT--
bool(true)
4 workers serving
20/20 answered
master exit 0, left: 0
accepts logged: 21, by workers of the master: true
connections: 21

--TEST--
examples/php/prefork.php: seed 003 §2, pre-forked workers blocking in accept (pcntl only)
--EXTENSIONS--
pcntl
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/examples.inc';
$port = free_port();
$outfile = tempnam(sys_get_temp_dir(), 'swirl-out');
$proc = proc_open('exec ' . example_cmd('prefork.php', [$port]), [0 => ['file', '/dev/null', 'r'], 1 => ['file', $outfile, 'w'], 2 => ['file', $outfile, 'a']], $pipes);
$master = proc_get_status($proc)['pid'];
register_shutdown_function(function () use ($master, $outfile) { /* even if the test fails */
    preg_match_all('/==== >>>> : (\d+) /', (string)@file_get_contents($outfile), $m);
    foreach (array_merge(children_of($master), array_map('intval', $m[1])) as $p) @Swoole\Process::kill($p, SIGKILL);
    @Swoole\Process::kill($master, SIGKILL);
    @unlink($outfile);
});
var_dump(wait_port($port));
usleep(200000);
$workers = children_of($master);
echo count($workers), " workers serving\n";
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
for ($i = 0; $i < 100 && children_of($master); $i++) usleep(20000); /* the master ends after the first */
$st = proc_close($proc);
/* the master waits for one child (the seed's code): the others are reaped by init */
$left = fn() => count(array_filter(array_merge($workers, [$master]), fn($p) => @Swoole\Process::kill($p, 0)));
for ($i = 0; $i < 100 && $left(); $i++) usleep(20000);
echo "master exit $st, left: ", $left(), "\n";
$out = file_get_contents($outfile);
preg_match_all('/==== >>>> : (\d+) /', $out, $m);
echo "pids logged are the workers': ", var_export(!array_diff(array_map('intval', $m[1]), $workers), true), ", requests done: ", substr_count($out, "完成工作"), "\n";
echo "connections: ", substr_count($out, "有一个连接进来了"), "\n";
?>
--EXPECT--
bool(true)
4 workers serving
20/20 answered
master exit 0, left: 0
pids logged are the workers': true, requests done: 21
connections: 21

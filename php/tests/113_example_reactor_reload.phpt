--TEST--
examples/php/reactor_reload.php: seed 003's reactor + SO_REUSEPORT workers (Swoole\Event::add on PHP stream sockets) and reload by SIGUSR1
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/examples.inc';
$port = free_port();
$pidfile = tempnam(sys_get_temp_dir(), 'swirl-wp');
$outfile = tempnam(sys_get_temp_dir(), 'swirl-out');
$proc = proc_open('exec ' . example_cmd('reactor_reload.php', [$port]), [0 => ['file', '/dev/null', 'r'], 1 => ['file', $outfile, 'w'], 2 => ['file', $outfile, 'a']],
                  $pipes, null, ['WORKER_PID_FILE' => $pidfile]);
$master = proc_get_status($proc)['pid'];
register_shutdown_function(function () use ($master, $pidfile) { /* even if the test fails */
    foreach (array_merge(children_of($master), pids($pidfile)) as $p) @Swoole\Process::kill($p, SIGKILL);
    @Swoole\Process::kill($master, SIGKILL);
});

function pids(string $f): array {
    clearstatcache();
    if (!is_file($f)) return [];
    return array_map('intval', array_filter(explode('|', file_get_contents($f))));
}
function request(int $port): string {
    $c = stream_socket_client("tcp://127.0.0.1:$port", $e, $s, 2);
    fwrite($c, "GET / HTTP/1.1\r\n\r\n");
    stream_set_timeout($c, 2);
    $r = '';
    while (!str_ends_with($r, "hello world client \n") && !feof($c) && ($d = fread($c, 1024)) !== false && $d !== '') $r .= $d;
    fclose($c); /* keep-alive: the client closes */
    return $r;
}
function alive(array $pids): int {
    return count(array_filter($pids, fn($p) => @Swoole\Process::kill($p, 0)));
}
var_dump(wait_port($port));
for ($i = 0; $i < 100 && count(pids($pidfile)) < 4; $i++) usleep(20000);
$old = pids($pidfile);
echo count($old), " workers, alive ", alive($old), "\n";
$ok = 0;
for ($i = 0; $i < 8; $i++) $ok += str_ends_with(request($port), "Content-length: 20\r\n\r\nhello world client \n");
echo "$ok/8 answered\n";

Swoole\Process::kill($master, SIGUSR1);
for ($i = 0; $i < 100 && (count(pids($pidfile)) < 8 || alive($old) > 0); $i++) usleep(20000);
$new = array_slice(pids($pidfile), 4);
wait_port($port); /* the new workers listen (one more connection) */
echo "after SIGUSR1: ", count($new), " new workers, alive ", alive($new), ", old alive ", alive($old), "\n";
$ok = 0;
for ($i = 0; $i < 8; $i++) $ok += str_ends_with(request($port), "hello world client \n");
echo "$ok/8 answered\n";

/* the seed's stop(): SIGKILL to the workers, which the master reaps; then
 * the master (every worker it has, whatever happened above) */
$all = array_unique(array_merge($old, $new, children_of($master)));
foreach ($all as $p) @Swoole\Process::kill($p, SIGKILL);
for ($i = 0; $i < 100 && alive($all) > 0; $i++) usleep(20000);
Swoole\Process::kill($master, SIGKILL);
proc_close($proc);
for ($i = 0; $i < 100 && alive(array_merge($all, [$master])) > 0; $i++) usleep(20000);
echo "left alive: ", alive(array_merge($all, [$master])), "\n";
$out = file_get_contents($outfile);
echo strtok($out, "\n"), "\n";
echo "connections seen by the workers: ", substr_count($out, "有一个连接进来了"), "\n";
unlink($pidfile);
unlink($outfile);
?>
--EXPECTF--
bool(true)
4 workers, alive 4
8/8 answered
after SIGUSR1: 4 new workers, alive 4, old alive 0
8/8 answered
left alive: 0
==== >>>> : start 开始 访问：tcp://127.0.0.1:%d 
connections seen by the workers: 18

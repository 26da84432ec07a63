--TEST--
examples/php/mezzio/server.php: mezzio-swoole's server setup (its factory's modes and socket types, every event its runner registers, the pid file from getMasterPid/getManagerPid, ->host, ->port, process names, tasks, document_root + enable_static_handler, reload()), asked by curl, reloaded by SIGUSR1, stopped by SIGTERM; its log is all it prints (Swoole's own INFO line at each reload included, as Swoole prints it)
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/frameworks.inc';
$port = free_port();
$pidFile = sys_get_temp_dir() . '/swirl-mezzio-' . getmypid() . '.pid';
[$proc, $master, $out] = fw_start('mezzio/server.php', [$port, 'process', $pidFile]);
var_dump(wait_port($port));
fw_until(fn() => substr_count(file_get_contents($out), 'Worker started') >= 3);
[$m, $manager] = array_map('intval', explode(',', file_get_contents($pidFile)));
echo "pid file: master ", $m === $master ? 'ok' : 'WRONG', ", manager ", in_array($manager, children_of($master)) ? 'ok' : 'WRONG', "\n";
$title = fn($pid) => trim(str_replace("\0", ' ', (string)@file_get_contents("/proc/$pid/cmdline")));
$titles = array_map($title, children_of($manager));
sort($titles);
echo $title($master), ", ", $title($manager), ", ", implode(', ', $titles), "\n";

echo preg_replace('/\d+$/m', 'PID', fw_curl("http://127.0.0.1:$port/"));
echo preg_replace('/\d+/', 'N', fw_curl("http://127.0.0.1:$port/task?job=abc"));
echo fw_curl("http://127.0.0.1:$port/css/site.css");
echo fw_curl("http://127.0.0.1:$port/nothing");
fw_until(fn() => str_contains(file_get_contents($out), 'finished'));

$old = children_of($manager);
echo fw_curl("http://127.0.0.1:$port/reload");
echo "reload(): ", fw_until(fn() => fw_alive($old) === 0 && count(children_of($manager)) === count($old)) ? "workers replaced" : "NOT DONE", "\n";
fw_reload($master, $manager, "http://127.0.0.1:$port/", 'mezzio app');
fw_stop($proc, $master);
echo "pid file left: ", json_encode(file_exists($pidFile)), "\n";
/* all the server printed: its log's lines, counted */
$lines = array_count_values(explode("\n", trim(str_replace([getcwd(), ":$port"], ['CWD', ':PORT'],
                                                           preg_replace(['/task \d+ finished/', '/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [#$*^@]\d+\.\d+\]/m'], ['task N finished', '[DATE PROCESS]'], file_get_contents($out))))));
ksort($lines);
foreach ($lines as $line => $n) echo "$n x $line\n";
?>
--EXPECT--
bool(true)
pid file: master ok, manager ok
mezzio-master, mezzio-manager, mezzio-task-worker-2, mezzio-worker-0, mezzio-worker-1
mezzio app, worker pid PID
task N queued
body { color: #333; }
no route for /nothing
reloading
reload(): workers replaced
reload: done, 3 workers -> 3, old left 0, same pids 0, every request answered
after reload: 4/4 answered
SIGTERM: exit 0, left running 0
pid file left: false
2 x [DATE PROCESS]	INFO	Server is reloading all workers now
1 x [notice] Swoole HTTP has been terminated
1 x [notice] Swoole is running at 127.0.0.1:PORT, in CWD
3 x [notice] Worker 0 stopped
3 x [notice] Worker 1 stopped
3 x [notice] Worker 2 stopped
3 x [notice] Worker started in CWD with ID 0
3 x [notice] Worker started in CWD with ID 1
3 x [notice] Worker started in CWD with ID 2
2 x [notice] after reload
2 x [notice] before reload
1 x [notice] manager stopped
1 x [notice] task N finished: ABC

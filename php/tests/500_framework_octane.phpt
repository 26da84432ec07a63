--TEST--
examples/php/octane: the Swoole calls of Laravel Octane's server script (PROCESS mode, enable_coroutine off, tasks, a Table subclass, process titles, the state file), asked by curl, reloaded by SIGUSR1, stopped by SIGTERM
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/frameworks.inc';
$port = free_port();
$stateFile = tempnam(sys_get_temp_dir(), 'swirl-octane');
$events = tempnam(sys_get_temp_dir(), 'swirl-octane-ev');
/* Octane's defaultServerOptions (less send_yield, which needs coroutines:
 * 501 has it) with 2 workers and 2 task workers; no tick and no
 * max_execution_time, the master's calls 501 makes */
file_put_contents($stateFile, json_encode(['state' => [
    'appName' => 'demo', 'host' => '127.0.0.1', 'port' => $port,
    'defaultServerOptions' => [
        'enable_coroutine' => false, 'daemonize' => false, 'log_level' => SWOOLE_LOG_ERROR,
        'max_request' => 500, 'package_max_length' => 10 * 1024 * 1024, 'reactor_num' => 'auto',
        'socket_buffer_size' => 10 * 1024 * 1024, 'task_max_request' => 500,
        'task_worker_num' => 2, 'worker_num' => 2,
    ],
    'octaneConfig' => ['max_execution_time' => 0, 'tick' => false],
]]));
[$proc, $master, $out] = fw_start('octane/server.php', [$stateFile], ['OCTANE_EVENTS' => $events]);
var_dump(wait_port($port));
fw_until(fn() => count(file($events)) >= 4);
/* onStart (the master) and the workers' starts run in no set order */
fw_until(fn() => isset(json_decode((string)file_get_contents($stateFile), true)['managerProcessId']));

$state = json_decode(file_get_contents($stateFile), true);
echo "state file: master ", $state['masterProcessId'] === $master ? 'ok' : 'WRONG',
     ", manager ", in_array($state['managerProcessId'], children_of($master)) ? 'ok' : 'WRONG', "\n";
$manager = $state['managerProcessId'];
$title = fn($pid) => str_replace("\0", '', (string)@file_get_contents("/proc/$pid/cmdline"));
echo $title($master), "\n", $title($manager), "\n";
$titles = array_map($title, children_of($manager));
sort($titles);
echo implode("\n", $titles), "\n";
$ev = file($events, FILE_IGNORE_NEW_LINES);
sort($ev);
echo preg_replace('/ \d+$/m', ' PID', implode("\n", $ev)), "\n";

echo preg_replace('/\d+ pid \d+/', 'N pid PID', fw_curl("http://127.0.0.1:$port/"));
echo fw_curl("http://127.0.0.1:$port/tasks");
echo fw_head(fw_curl('-i', "http://127.0.0.1:$port/cookie")), "\n";
$big = fw_curl("http://127.0.0.1:$port/big");
echo "big: ", strlen($big), " bytes, ", $big === str_repeat("0123456789abcdef\n", 8192) ? 'intact' : 'CORRUPT', "\n";
echo fw_head(fw_curl('-i', "http://127.0.0.1:$port/nothing")), "\n";

echo "reactor_num auto: ", json_decode(fw_curl("http://127.0.0.1:$port/settings"), true)['reactor_num'] === swoole_cpu_num() ? 'swoole_cpu_num()' : 'WRONG', "\n";
echo fw_curl("http://127.0.0.1:$port/settings");

/* octane:status, octane:reload, octane:stop through the state file */
$control = fn($cmd) => trim(shell_exec(example_cmd('octane/control.php', [$stateFile, $cmd]) . ' 2>&1'));
echo "status: ", $control('status'), "\n";
fw_reload($master, $manager, "http://127.0.0.1:$port/", 'hello from worker', fn() => print("reload: " . $control('reload') . "\n"));
echo "workers started: ", preg_match_all('/^(worker|task) /m', file_get_contents($events)), ", stopped: ", preg_match_all('/^stop /m', file_get_contents($events)), "\n";
fw_stop($proc, $master, fn() => print("stop: " . $control('stop') . "\n"));
echo "workers stopped: ", preg_match_all('/^stop /m', file_get_contents($events)), "\n";
echo "status: ", $control('status'), "\n";
echo "usage: ", $control('restart'), "\n";
$log = file_get_contents($out);
echo "output: ", json_encode($log), "\n";
unlink($stateFile);
unlink($events);
?>
--EXPECTF--
bool(true)
state file: master ok, manager ok
swoole_http_server: master process for demo
swoole_http_server: manager process for demo
swoole_http_server: task worker process for demo
swoole_http_server: task worker process for demo
swoole_http_server: worker process for demo
swoole_http_server: worker process for demo
task 2 PID
task 3 PID
worker 0 PID
worker 1 PID
hello from worker N pid PID
42
'OCTANE'
HTTP/1.1 200 OK
Server: NAME
Content-Length: 12
Connection: keep-alive
Content-Type: text/plain
Set-Cookie: session=abc%20123; expires=%s GMT; Max-Age=3600; path=/; SameSite=Lax; HttpOnly
Set-Cookie: theme=dark; path=/
big: 139264 bytes, intact
HTTP/1.1 404 Not Found
Server: NAME
Content-Length: 10
Connection: keep-alive
Content-Type: text/plain
reactor_num auto: swoole_cpu_num()
{"enable_coroutine":false,"reactor_num":%d,"task_worker_num":2,"worker_num":2}
status: running
reload: reloading
reload: done, 4 workers -> 4, old left 0, same pids 0, every request answered
after reload: 4/4 answered
workers started: 8, stopped: 4
stop: stopping
SIGTERM: exit 0, left running 0
workers stopped: 8
status: not running
usage: usage: php control.php STATE_FILE status|reload|stop
output: ""

--TEST--
examples/php/octane: Octane's calls from the master (send_yield, a Timer::tick in onStart sending task('octane-tick'), max_execution_time: the master kills the stuck worker and answers 408 with Http\Response::create($server, $fd))
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/frameworks.inc';
$port = free_port();
$stateFile = tempnam(sys_get_temp_dir(), 'swirl-octane');
$events = tempnam(sys_get_temp_dir(), 'swirl-octane-ev');
/* Octane's defaultServerOptions as they are, 2 workers, 1 task worker */
file_put_contents($stateFile, json_encode(['state' => [
    'appName' => 'demo', 'host' => '127.0.0.1', 'port' => $port,
    'defaultServerOptions' => [
        'enable_coroutine' => false, 'daemonize' => false, 'log_level' => SWOOLE_LOG_ERROR,
        'max_request' => 500, 'package_max_length' => 10 * 1024 * 1024, 'reactor_num' => 1,
        'send_yield' => true, 'socket_buffer_size' => 10 * 1024 * 1024, 'task_max_request' => 500,
        'task_worker_num' => 1, 'worker_num' => 2,
    ],
    'octaneConfig' => ['max_execution_time' => 1, 'tick' => true],
]]));
[$proc, $master, $out] = fw_start('octane/server.php', [$stateFile], ['OCTANE_EVENTS' => $events]);
var_dump(wait_port($port));
/* the master's tick reaches the task worker */
/* (a tick a second: 8 s is a margin, not a measure) */
echo "tick: ", fw_until(fn() => str_contains(file_get_contents($events), "tick 2"), 8.0) ? "handled by the task worker" : "NOT SEEN", "\n";
$state = json_decode(file_get_contents($stateFile), true);
$before = children_of($state['managerProcessId']);
/* a request that never ends: the master kills its worker and answers 408 */
echo "stuck: ", fw_curl('-o', '/dev/null', '-w', '%{http_code}', "http://127.0.0.1:$port/stuck"), "\n";
fw_until(fn() => count(children_of($state['managerProcessId'])) === count($before)
                 && count(array_diff(children_of($state['managerProcessId']), $before)) === 1);
echo "workers replaced: ", count(array_diff(children_of($state['managerProcessId']), $before)), "\n";
echo preg_replace('/\d+ pid \d+/', 'N pid PID', fw_curl("http://127.0.0.1:$port/"));
fw_reload($master, $state['managerProcessId'], "http://127.0.0.1:$port/", 'hello from worker');
fw_stop($proc, $master);
echo "output: ", json_encode(file_get_contents($out)), "\n";
unlink($stateFile);
unlink($events);
?>
--EXPECT--
bool(true)
tick: handled by the task worker
stuck: 408
workers replaced: 1
hello from worker N pid PID
reload: done, 3 workers -> 3, old left 0, same pids 0, every request answered
after reload: 4/4 answered
SIGTERM: exit 0, left running 0
output: ""

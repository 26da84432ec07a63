--TEST--
Swoole\Server: socket_send_timeout (Server::set or swoole_async_set): a task worker's finish() to a busy worker waits that long for room, then is false with Swoole's log line "Server::finish() (ERRNO 9014): send result to worker timed out" and no PHP warning; the results sent before arrive; without it finish() never waits; a negative value is refused
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

function run_case(string $how): void {
    $marker = sys_get_temp_dir() . '/swirl-642-' . getmypid() . '.done';
    $swoole_log = sys_get_temp_dir() . '/swirl-642-' . getmypid() . '.log';
    @unlink($marker);
    @unlink($swoole_log);
    [$pid, $port] = server_run(function () use ($how, $marker, $swoole_log) {
        if ($how === 'swoole_async_set') {
            swoole_async_set(['socket_send_timeout' => 0.3]);
        }
        $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
        $set = ['worker_num' => 1, 'task_worker_num' => 1, 'socket_buffer_size' => 128 * 1024,
                'log_file' => $swoole_log, 'log_level' => SWOOLE_LOG_NOTICE];
        if ($how === 'Server::set') {
            $set['socket_send_timeout'] = 0.3;
        }
        $s->set($set);
        $s->on('receive', function ($s, $fd, $rid, $data) use ($marker) {
            $s->task($fd);
            /* busy until the task worker is done (the task starts at once) */
            for ($i = 0; $i < 2000 && !file_exists($marker); $i++) {
                usleep(10000);
            }
        });
        $s->on('task', function ($s, $id, $src, $fd) use ($marker) {
            $n = 0;
            set_error_handler(function ($no, $m) { log_line("warning: $m"); return true; });
            while ($n < 400 && $s->finish([$fd, str_repeat('A', 8000)])) {
                $n++;
            }
            restore_error_handler();
            log_line("sent " . ($n === 400 ? 'all' : ($n > 0 ? 'some' : 'none'))
                     . ($n < 400 ? ", then false, last error " . swoole_last_error() : ''));
            $s->send($fd, "$n\n");
            touch($marker);
        });
        $s->on('finish', function ($s, $id, $r) {
            static $got = 0;
            if (++$got % 10 === 0 || $got === 400) {
                $s->send($r[0], "got $got\n");
            }
        });
        return $s;
    });
    $c = client($port);
    fwrite($c, "go");
    $sent = (int)client_read($c);
    $last = '';
    while ($sent >= 10 && $last !== "got " . ($sent - $sent % 10) . "\n" && ($line = client_read($c)) !== '') {
        $last = $line;
    }
    echo "$how: results ", $last === "got " . ($sent - $sent % 10) . "\n" ? 'all arrived' : "missing ($last)", "\n";
    fclose($c);
    server_stop($pid);
    echo str_replace(getmypid(), 'PID', log_take());
    echo preg_replace('/^\[[^\]]+\]/m', '[date]', (string)@file_get_contents($swoole_log));
    @unlink($marker);
    @unlink($swoole_log);
}

run_case('Server::set');
run_case('swoole_async_set');
run_case('default');

$s = new Swoole\Server('127.0.0.1', 0);
var_dump(@$s->set(['socket_send_timeout' => -1]), str_contains(error_get_last()['message'], 'socket_send_timeout'));
?>
--EXPECTF--
Server::set: results all arrived
sent some, then false, last error 110
[date]	WARNING	Server::finish() (ERRNO 9014): send result to worker timed out
swoole_async_set: results all arrived
sent some, then false, last error 110
[date]	WARNING	Server::finish() (ERRNO 9014): send result to worker timed out
default: results all arrived
sent all
bool(false)
bool(true)

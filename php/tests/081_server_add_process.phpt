--TEST--
Swoole\Server::addProcess: a user process reads what workers write to its pipe; the manager restarts it when it is killed (same pipe); send() from it reaches the connection; bad arguments
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

$s0 = new Swoole\Server('127.0.0.1', 0);
try { $s0->addProcess(new stdClass); } catch (TypeError $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }
$started = new Swoole\Process(fn() => 0);
$started->start();
Swoole\Process::wait();
set_error_handler(function ($no, $msg) { echo "warning: $msg\n"; return true; });
var_dump($s0->addProcess($started));
restore_error_handler();

function user_pids(): array {
    preg_match_all('/^user process (\d+)$/m', (string)file_get_contents(log_file()), $m);
    return array_map('intval', $m[1]);
}

[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 2, 'log_level' => 5]);
    $proc = new Swoole\Process(function (Swoole\Process $p) use ($s) {
        log_line("user process " . getmypid());
        while (true) {
            $msg = $p->read();
            [$fd, $data] = explode(':', $msg, 2);
            log_line("read: $data");
            set_error_handler(function ($no, $m) { log_line("send warning: $m"); return true; });
            log_line("sent: " . var_export($s->send((int)$fd, "user process: $data\n"), true));
            restore_error_handler();
        }
    }, false, 2);
    log_line("addProcess: " . var_export($s->addProcess($proc), true));
    $s->on('receive', function ($s, $fd, $rid, $data) use ($proc) {
        $n = $proc->write("$fd:" . trim($data) . " from a worker");
        $s->send($fd, "written: $n\n");
    });
    return $s;
});

for ($i = 0; $i < 200 && count(user_pids()) < 1; $i++) usleep(10000);
/* the worker's reply and the user process's (Server::send from a user
 * process reaches the connection), in either order */
function two_lines($c): void {
    $lines = [client_read($c), client_read($c)];
    sort($lines);
    echo implode('', $lines);
}
$c = client($port);
fwrite($c, "one\n");
two_lines($c);
$first = user_pids()[0];
Swoole\Process::kill($first, SIGKILL);
for ($i = 0; $i < 500 && count(user_pids()) < 2; $i++) usleep(10000);
$pids = user_pids();
echo "restarted: ", var_export(count($pids) === 2 && $pids[1] !== $first, true), "\n";
fwrite($c, "two\n");
two_lines($c);
fclose($c);
echo "stopped: ", server_stop($pid), "\n";
echo "user process left: ", var_export(file_exists("/proc/{$pids[1]}") && !str_contains((string)@file_get_contents("/proc/{$pids[1]}/stat"), ') Z'), true), "\n";
echo preg_replace('/user process \d+/', 'user process PID', log_take());
?>
--EXPECTF--
TypeError: Swoole\Server::addProcess(): Argument #1 ($process) must be of type Swoole\Process, stdClass given
warning: Swoole\Server::addProcess(): %s
bool(false)
user process: one from a worker
written: %d
restarted: true
user process: two from a worker
written: %d
stopped: 0
user process left: false
addProcess: 0
user process PID
read: one from a worker
sent: true
user process PID
read: two from a worker
sent: true

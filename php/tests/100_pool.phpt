--TEST--
Swoole\Process\Pool: a message-queue pool fed by another process, each message handled once, a killed worker replaced, SIGTERM stops it, nothing left
--EXTENSIONS--
pcntl
--FILE--
<?php
$dir = sys_get_temp_dir() . '/swirl-pool-' . getmypid();
@mkdir($dir);
$key = 0x5a000000 | (getmypid() & 0xffffff);

$master = pcntl_fork();
if ($master === 0) {
    $pool = new Swoole\Process\Pool(3, SWOOLE_IPC_MSGQUEUE, $key);
    $pool->on('workerStart', function (Swoole\Process\Pool $pool, int $id) use ($dir) {
        file_put_contents("$dir/start", "$id " . getmypid() . "\n", FILE_APPEND | LOCK_EX);
        register_shutdown_function(function () use ($dir, $id) {
            file_put_contents("$dir/shutdown", "$id\n", FILE_APPEND | LOCK_EX);
        });
    });
    $pool->on('Message', function ($pool, $data) use ($dir) {
        file_put_contents("$dir/got", getmypid() . " $data\n", FILE_APPEND | LOCK_EX);
    });
    $pool->on('workerStop', function ($pool, $id) use ($dir) {
        file_put_contents("$dir/stop", "$id\n", FILE_APPEND | LOCK_EX);
    });
    var_dump($pool->start());
    echo "master returned, master_pid ok: ", var_export($pool->master_pid === getmypid(), true), "\n";
    exit(0);
}

function lines(string $f): array {
    clearstatcache();
    return is_file($f) ? file($f, FILE_IGNORE_NEW_LINES) : [];
}
function wait_lines(string $f, int $n): array {
    for ($i = 0; $i < 500 && count(lines($f)) < $n; $i++) usleep(10000);
    return lines($f);
}

$starts = wait_lines("$dir/start", 3);
echo count($starts), " workers started\n";

/* another process feeds the queue, as Swoole's docs do */
$feeder = new Swoole\Process(function () {}, false, false);
$feeder->useQueue($key);
for ($i = 0; $i < 200; $i++) $feeder->push("msg$i");
$got = wait_lines("$dir/got", 200);
$data = array_map(fn($l) => explode(' ', $l)[1], $got);
sort($data, SORT_NATURAL);
echo "handled ", count($got), ", distinct ", count(array_unique($data)), ", all there: ",
    var_export($data === array_map(fn($i) => "msg$i", range(0, 199)), true), "\n";

/* kill one worker: it is replaced */
[$id, $pid] = explode(' ', $starts[0]);
Swoole\Process::kill((int)$pid, SIGKILL);
$starts = wait_lines("$dir/start", 4);
[$id2, $pid2] = explode(' ', $starts[3]);
echo "replaced: ", var_export($id2 === $id && $pid2 !== $pid, true), "\n";
for ($i = 200; $i < 260; $i++) $feeder->push("msg$i");
$got = wait_lines("$dir/got", 260);
echo "handled after the replacement: ", count($got), "\n";
usleep(100000);
echo "handled once: ", count(lines("$dir/got")), "\n";
$pids = array_map(fn($l) => (int)explode(' ', $l)[1], $starts);

Swoole\Process::kill($master, SIGTERM);
pcntl_waitpid($master, $st);
echo "master exit ", pcntl_wexitstatus($st), "\n";
$stop = lines("$dir/stop"); sort($stop);
$sd = lines("$dir/shutdown"); sort($sd);
echo "workerStop: ", implode(',', $stop), "; shutdown functions: ", implode(',', $sd), "\n";
$alive = array_filter($pids, fn($p) => Swoole\Process::kill($p, 0));
echo "left alive: ", count($alive), "\n";
$feeder->freeQueue();
array_map('unlink', glob("$dir/*"));
rmdir($dir);
?>
--EXPECTF--
3 workers started
handled 200, distinct 200, all there: true
%Areplaced: true
handled after the replacement: 260
handled once: 260
bool(true)
master returned, master_pid ok: true
master exit 0
workerStop: 0,1,2; shutdown functions: 0,1,2
left alive: 0

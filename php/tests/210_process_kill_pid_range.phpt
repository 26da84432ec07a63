--TEST--
Swoole\Process::kill() refuses a pid outside pid_t instead of truncating it (getmypid() - 2**32 signalled this process, 1 - 2**32 would signal init); useQueue() refuses a key outside key_t
--EXTENSIONS--
swoole
--FILE--
<?php
/* signal 0 only asks whether the process exists: safe to try on ourselves */
foreach ([getmypid() - 4294967296, getmypid() + 4294967296, PHP_INT_MIN] as $pid) {
    try {
        var_dump(Swoole\Process::kill($pid, 0));
    } catch (ValueError $e) {
        echo get_class($e), ": ", $e->getMessage(), "\n";
    }
}
var_dump(Swoole\Process::kill(getmypid(), 0));

$p = new Swoole\Process(function () {}, false, 0);
foreach ([4294967296 + 0x5a17, -4294967296 - 1] as $key) {
    try {
        var_dump($p->useQueue($key));
    } catch (ValueError $e) {
        echo get_class($e), ": ", $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
ValueError: invalid pid %i or signal 0
ValueError: invalid pid %i or signal 0
ValueError: invalid pid %i or signal 0
bool(true)
ValueError: Swoole\Process::useQueue(): Argument #1 ($key) must be a 32-bit System V key
ValueError: Swoole\Process::useQueue(): Argument #1 ($key) must be a 32-bit System V key

--TEST--
Swoole\Event::add() of a Swoole\Process: Event::exit() and the end of a BASE server's worker loop unwatch it (it can be added again; write() and close() after the server's loop is gone touch no freed loop)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
pcntl_alarm(30);   // a hang fails the test

function echo_child() {
    $p = new Swoole\Process(function (Swoole\Process $p) {
        while (($d = $p->read()) !== false && $d !== '') {
            $p->write("echo:$d");
        }
    }, false, 1);
    $p->start();
    return $p;
}

// Event::exit() drops the watch: the same process can be added again
$p = echo_child();
var_dump(Swoole\Event::add($p, function ($p) { echo "first: ", $p->read(), "\n"; Swoole\Event::exit(); }) > 0);
$p->write("one");
Swoole\Event::wait();
var_dump(Swoole\Event::isset($p));
var_dump(Swoole\Event::add($p, function ($p) { echo "second: ", $p->read(), "\n"; Swoole\Event::del($p); }) > 0);
$p->write("two");
Swoole\Event::wait();
$p->close();
Swoole\Process::wait();

// a single-worker BASE server: its worker loop is the script's process's;
// the process added in workerStart is unwatched when that loop ends
log_file();
$pid = pcntl_fork();
if ($pid === 0) {
    $p = echo_child();
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->set(['worker_num' => 1, 'log_level' => 5]);
    $s->on('receive', function () {});
    $s->on('workerStart', function ($s) use ($p) {
        Swoole\Event::add($p, function ($p) use ($s) {
            log_line("in the server: " . $p->read());
            $s->shutdown();
        });
        $p->write("three");
    });
    $s->start();
    // the server's loop is freed: the pipe is a plain blocking pipe again
    log_line("write after: " . var_export($p->write("four"), true));
    log_line("read after: " . $p->read());
    log_line("close after: " . var_export($p->close(), true));
    Swoole\Process::wait();
    exit(0);
}
pcntl_waitpid($pid, $st);
echo "server process exit: ", pcntl_wexitstatus($st), "\n";
echo log_take();
?>
--EXPECT--
bool(true)
first: echo:one
bool(false)
bool(true)
second: echo:two
server process exit: 0
in the server: echo:three
write after: 4
read after: echo:four
close after: true

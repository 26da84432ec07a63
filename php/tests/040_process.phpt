--TEST--
Swoole\Process: start, pid/pipe, write/read both ways, redirected echo, exec, exit codes, wait, kill, every callable form
--EXTENSIONS--
swoole
--FILE--
<?php
function read_all(Swoole\Process $p): string {
    $out = '';
    while (($s = $p->read()) !== '' && $s !== false) {
        $out .= $s;
    }
    return $out;
}

// redirected stdout: echo in the child goes into the pipe, even from an output buffer
$p = new swoole_process(function (swoole_process $w) {
    echo "hello from the child\n";
    echo "pid matches: ", var_export($w->pid === getmypid(), true), "\n";
    ob_start();
    echo "buffered, flushed at exit\n";
}, true);
var_dump($p->pid, is_int($p->pipe));
$pid = $p->start();
var_dump($pid > 0, $p->pid === $pid);
echo read_all($p);
$r = Swoole\Process::wait();
var_dump($r['pid'] === $pid, $r['code'], $r['signal']);

// both directions, a datagram pipe keeps message boundaries
$p = new Swoole\Process(function ($w) {
    $a = $w->read();
    $b = $w->read();
    $w->write("got [$a] [$b]");
}, false, 2);
$p->start();
$p->write("one");
$p->write("two");
var_dump($p->read());
Swoole\Process::wait();

// exec with redirect: the new program talks through the pipe
$p = new Swoole\Process(function ($w) {
    $w->exec('/bin/sh', ['-c', 'read line; echo "sh got: $line"; exit 4']);
}, true);
$p->start();
$p->write("from php\n");
echo read_all($p);
var_dump(Swoole\Process::wait()['code']);
$p = new Swoole\Process(function ($w) { var_dump($w->exec('/nonexistent/prog', [])); }, false, false);
$p->start();
Swoole\Process::wait();

// exit codes: return, exit(), $process->exit(n), an uncaught exception
$codes = [];
foreach ([fn($w) => null, fn($w) => exit(5), fn($w) => $w->exit(6)] as $f) {
    (new Swoole\Process($f, false, false))->start();
    $codes[] = Swoole\Process::wait()['code'];
}
echo implode(' ', $codes), "\n";

// kill and wait report the signal; kill with signal 0 tests existence
$p = new Swoole\Process(function () { sleep(10); }, false, false);
$pid = $p->start();
var_dump(Swoole\Process::kill($pid, 0), Swoole\Process::kill($pid));
$r = Swoole\Process::wait(true);
var_dump($r['pid'] === $pid, $r['code'], $r['signal'] === SIGTERM);
var_dump(Swoole\Process::kill($pid, 0));
var_dump(Swoole\Process::wait(false), Swoole\Process::wait());   // no children left

// every callable form
function worker_fn(Swoole\Process $w) { $w->write("function name"); }
class Worker {
    public function __construct(private string $tag) {}
    public function run(Swoole\Process $w) { $w->write("method of $this->tag"); }
    public static function st(Swoole\Process $w) { $w->write("static method"); }
}
$tag = 'closure with use';
foreach (['worker_fn', [new Worker('object'), 'run'], 'Worker::st', ['Worker', 'st'],
          function ($w) use ($tag) { $w->write($tag); }] as $cb) {
    $p = new Swoole\Process($cb);
    $p->start();
    echo $p->read(), "\n";
    Swoole\Process::wait();
}
?>
--EXPECTF--
int(0)
bool(true)
bool(true)
bool(true)
hello from the child
pid matches: true
buffered, flushed at exit
bool(true)
int(0)
int(0)
string(15) "got [one] [two]"
sh got: from php
int(4)

Warning: Swoole\Process::exec(): %s/nonexistent/prog%s in %s on line %d
bool(false)
0 5 6
bool(true)
bool(true)
bool(true)
int(0)
bool(true)
bool(false)
bool(false)
bool(false)
function name
method of object
static method
static method
closure with use

--TEST--
Swoole\Process: setTimeout, setBlocking, $process->id, the 4th constructor argument, an illegal callback, daemon's $pipes
--EXTENSIONS--
swoole
--FILE--
<?php
use Swoole\Process;

// ids: 1, 2, 3 in order of creation (Swoole's $process->id), also in the child
$a = new Process(function (Process $p) { echo "child id ", $p->id, "\n"; }, false, 1, true);
$b = new Process(function () {});
var_dump($a->id, $b->id);
$a->start();
Process::wait();

// a read that waits longer than the timeout returns false (and warns)
$p = new Process(function (Process $p) { $p->read(); }); // waits for the parent
$p->start();
var_dump($p->setTimeout(0.2));
var_dump(@$p->read());
echo swoole_strerror(swoole_last_error()) !== '' ? "error set\n" : "no error\n";
// silenced by swoole.display_errors=off
ini_set('swoole.display_errors', 'off');
var_dump($p->read());
ini_set('swoole.display_errors', 'on');
$p->setTimeout(-1);
$p->write("go");
Process::wait();

// non-blocking: false at once when nothing is there, data once it is
$p = new Process(function (Process $p) { $p->write("x"); $p->read(); });
$p->start();
var_dump($p->setBlocking(false));
usleep(100000);
var_dump($p->read());
var_dump(@$p->read());
var_dump($p->setBlocking(true));
$p->write("bye");
Process::wait();

// no pipe: refused
$n = new Process(function () {}, false, 0);
var_dump(@$n->setTimeout(1), @$n->setBlocking(false));

// the callback replaced by something not callable: warning, no fork
$p = new Process(function () {});
$p->callback = null;
var_dump($p->start());

// daemon's third argument: the daemon's stdout and stderr are the socket
[$r, $w] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$p = new Process(function () use ($r, $w) {
    fclose($r);
    Process::daemon(true, true, [null, $w, $w]);
    fwrite(STDOUT, "out\n");
    fwrite(STDERR, "err\n");
}, false, 0);
$p->start();
Process::wait();
fclose($w);
echo stream_get_contents($r);
try {
    Process::daemon(true, true, [new stdClass]);
} catch (ValueError $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECTF--
int(1)
int(2)
child id 1
bool(true)
bool(false)
error set
bool(false)
bool(true)
string(1) "x"
bool(false)
bool(true)
bool(false)
bool(false)

Warning: Swoole\Process::start(): illegal callback function in %s on line %d
bool(false)
out
err
Swoole\Process::daemon(): Argument #3 ($pipes) must hold streams, file descriptors or null

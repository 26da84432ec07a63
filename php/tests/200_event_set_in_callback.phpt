--TEST--
Swoole\Event::set() and ::del() inside the fd's own read callback, the callback a method of an object held by nothing else: the running callable stays alive until it returns (no use after free); a Process callback that drops itself
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
pcntl_alarm(20);   // a hang fails the test
$calls = 0;
class H {
    public $n = 0;
    public $name;
    function __construct($name) { $this->name = $name; }
    function onRead($fd) {
        fread($fd, 8192);
        if (++$GLOBALS['calls'] > 3) {   // only when broken: never loop for ever
            Swoole\Event::del($fd);
            return;
        }
        // replaces (and so would free) the callable running now, and $this
        Swoole\Event::set($fd, [new H('second'), 'onRead']);
        $GLOBALS['junk'][] = new H('junk');   // would take the memory of a freed $this
        $this->n++;
        echo $this->name, " still alive: ", $this->n, "\n";
        fwrite($GLOBALS['b'], "y");   // wakes the next callback
        if ($this->name == 'second') {
            Swoole\Event::del($fd);   // frees this callable too
            echo $this->name, " after del: ", $this->name, "\n";
            fclose($GLOBALS['b']);
        }
    }
}
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
fwrite($b, "x");
Swoole\Event::add($a, [new H('first'), 'onRead']);
Swoole\Event::wait();

// a timer whose callback clears itself and is the only holder of its object
class T {
    public $name;
    function __construct($name) { $this->name = $name; }
    function run($id) {
        Swoole\Timer::clear($id);
        $GLOBALS['junk'][] = new T('junk');
        echo "timer cleared itself: ", $this->name, "\n";
    }
}
Swoole\Timer::tick(5, [new T('T'), 'run']);
Swoole\Event::wait();

// a signal handler that replaces itself
class S {
    public $name;
    function __construct($name) { $this->name = $name; }
    function on($sig) {
        Swoole\Process::signal(SIGUSR1, null);
        $GLOBALS['junk'][] = new S('junk');
        echo "signal handler removed itself: ", $this->name, " ", $sig == SIGUSR1 ? "SIGUSR1" : $sig, "\n";
    }
}
Swoole\Process::signal(SIGUSR1, [new S('S'), 'on']);
Swoole\Timer::after(5, function () { Swoole\Process::kill(getmypid(), SIGUSR1); });
Swoole\Event::wait();

// a child whose callback drops $process->callback (its only reference)
class C {
    public $name;
    function __construct($name) { $this->name = $name; }
    function run(Swoole\Process $p) {
        $p->callback = null;
        $GLOBALS['junk'][] = new C('junk');
        $p->write("child alive: " . $this->name);
    }
}
$p = new Swoole\Process([new C('C'), 'run']);
$p->start();
echo $p->read(), "\n";
$st = Swoole\Process::wait();
echo "child exit: code ", $st['code'], " signal ", $st['signal'], "\n";
?>
--EXPECT--
first still alive: 1
second still alive: 1
second after del: second
timer cleared itself: T
signal handler removed itself: S SIGUSR1
child alive: C
child exit: code 0 signal 0

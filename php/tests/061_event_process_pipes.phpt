--TEST--
Swoole\Event with Swoole\Process pipes: seed 002's "correct code" (pipes added after every fork) and "wrong code" (added after each fork), a Process object as the fd, async write to a child
--EXTENSIONS--
swoole
--FILE--
<?php
function process(swoole_process $process) {
    $process->write($process->pid);
}

function run(bool $wrong_order): void {
    $workers = [];
    $got = [];
    $add = function (swoole_process $process) use (&$got, &$workers) {
        swoole_event_add($process->pipe, function ($pipe) use ($process, &$got, &$workers) {
            $data = $process->read();
            if ($data === '') {                 // the child exited: its pipe reached end of file
                swoole_event_del($pipe);
                return;
            }
            $got[] = (int)$data === $process->pid ? "RECV pid of child" : "RECV wrong: $data";
        });
    };
    for ($i = 0; $i < 3; $i++) {
        $process = new swoole_process('process');
        $pid = $process->start();
        $workers[$pid] = $process;
        if ($wrong_order) {
            $add($process);
        }
    }
    if (!$wrong_order) {
        foreach ($workers as $process) {
            $add($process);
        }
    }
    swoole_event_wait();
    $reaped = 0;
    while (swoole_process::wait()) {
        $reaped++;
    }
    echo $wrong_order ? "wrong order" : "correct order", ": ", implode(', ', $got), "; reaped $reaped\n";
}
run(false);
run(true);

// a Swoole\Process as the fd, writing to the child through the loop
$p = new Swoole\Process(function (Swoole\Process $w) {
    $n = 0;
    while (($s = $w->read()) !== '') {
        $n += strlen($s);
        if ($n >= 300000) break;
    }
    $w->write("child read $n bytes");
});
$p->start();
var_dump(Swoole\Event::add($p, function ($proc) use ($p) {
    var_dump($proc === $p);
    echo $proc->read(), "\n";
    Swoole\Event::del($proc);
}) === $p->pipe);
var_dump($p->write(str_repeat('x', 300000)));   // more than the socket takes at once: buffered by the loop
Swoole\Event::wait();
var_dump(Swoole\Process::wait()['code']);
?>
--EXPECT--
correct order: RECV pid of child, RECV pid of child, RECV pid of child; reaped 3
wrong order: RECV pid of child, RECV pid of child, RECV pid of child; reaped 3
bool(true)
int(300000)
bool(true)
child read 300000 bytes
int(0)

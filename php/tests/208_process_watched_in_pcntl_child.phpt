--TEST--
Swoole\Process added to the loop, then pcntl_fork(): the child's copy is not watched by the parent's loop (write(), close() and Event::add() in the child touch no inherited loop; the parent's watch goes on)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
pcntl_alarm(30);   // a hang fails the test

$p = new Swoole\Process(function (Swoole\Process $p) {
    while (($d = $p->read()) !== false && $d !== '') {
        $p->write("echo:$d");
    }
}, false, 1);
$p->start();
var_dump(Swoole\Event::add($p, function ($p) { echo "parent: ", $p->read(), "\n"; Swoole\Event::del($p); }) > 0);

$pid = pcntl_fork();
if ($pid === 0) {
    // the child's copy of $p: a plain pipe here, not in the parent's loop
    $w = $p->write("from-child");
    $r = $p->read();
    // it can be added to the child's own loop
    $a = Swoole\Event::add($p, function ($p) { Swoole\Event::del($p); }) > 0;
    Swoole\Event::del($p);
    $c = $p->close();
    file_put_contents(sys_get_temp_dir() . '/swirl-208-' . getmypid(),
        "child write: $w\nchild read: $r\nchild add: " . var_export($a, true) . "\nchild close: " . var_export($c, true) . "\n");
    exit(0);
}
pcntl_waitpid($pid, $st);
echo "child exit: ", pcntl_wifexited($st) ? pcntl_wexitstatus($st) : 'signal ' . pcntl_wtermsig($st), "\n";
$f = sys_get_temp_dir() . '/swirl-208-' . $pid;
echo @file_get_contents($f);
@unlink($f);
// the parent's watch still works
$p->write("from-parent");
Swoole\Event::wait();
$p->close();
Swoole\Process::wait();
echo "done\n";
?>
--EXPECT--
bool(true)
child exit: 0
child write: 10
child read: echo:from-child
child add: true
child close: true
parent: echo:from-parent
done

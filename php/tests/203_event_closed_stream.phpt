--TEST--
Swoole\Event: a stream fclose()d inside its read callback leaves the loop (wait() returns) and can still be Event::del()eted; the same for a Process closed in its callback
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
pcntl_alarm(20);   // a hang fails the test

// closed, then deleted in the same callback
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
Swoole\Event::add($a, function ($fd) {
    echo "read: ", fread($fd, 100), "\n";
    fclose($fd);
    var_dump(Swoole\Event::del($fd));
    var_dump(Swoole\Event::isset($fd));
});
fwrite($b, "one");
Swoole\Event::wait();
echo "wait returned\n";

// closed and not deleted: the loop forgets it by itself
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
Swoole\Event::add($a, function ($fd) {
    echo "read: ", fread($fd, 100), "\n";
    fclose($fd);
});
fwrite($b, "two");
Swoole\Event::wait();
echo "wait returned\n";
var_dump(Swoole\Event::del($a));

// closed in its callback, its fd number taken by a new stream added there
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
Swoole\Event::add($a, function ($fd) use (&$c, &$d) {
    fread($fd, 100);
    fclose($fd);
    [$c, $d] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    var_dump(Swoole\Event::add($c, function ($c) {
        echo "new stream: ", fread($c, 100), "\n";
        Swoole\Event::del($c);
    }) !== false);
    fwrite($d, "four");
});
fwrite($b, "x");
Swoole\Event::wait();
echo "wait returned\n";

// a process closed in its callback
$p = new Swoole\Process(function ($p) { $p->write("three"); sleep(5); }, false, 1);
$p->start();
Swoole\Event::add($p, function ($p) {
    echo "read: ", $p->read(), "\n";
    $p->close();
});
Swoole\Event::wait();
echo "wait returned\n";
Swoole\Process::kill($p->pid, SIGKILL);
Swoole\Process::wait();
?>
--EXPECTF--
read: one
bool(true)
bool(false)
wait returned
read: two
wait returned

Warning: Swoole\Event::del(): the stream was closed and is not in the event loop in %s on line %d
bool(false)
bool(true)
new stream: four
wait returned
read: three
wait returned

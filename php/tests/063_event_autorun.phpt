--TEST--
Swoole\Event: a script that never calls wait gets the loop run at its end (after the shutdown functions registered before, before destructors); defer
--EXTENSIONS--
swoole
--FILE--
<?php
register_shutdown_function(function () { echo "shutdown function registered first\n"; });
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
swoole_event_add($a, function ($s) {
    echo "read: ", fread($s, 100), "\n";
    swoole_event_del($s);
    swoole_event_defer(function () { echo "deferred\n"; });
});
swoole_timer_after(20, function () use ($b) { fwrite($b, "late data"); });
class D { function __destruct() { echo "destructor after the loop\n"; } }
$d = new D;
swoole_timer_after(50, function () use ($d) { echo "timer holds an object\n"; });
echo "end of script\n";
?>
--EXPECT--
end of script
shutdown function registered first

Deprecated: swoole_event_rshutdown(): Event::wait() in shutdown function is deprecated in Unknown on line 0
read: late data
deferred
timer holds an object
destructor after the loop

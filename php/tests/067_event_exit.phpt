--TEST--
Swoole\Event: exit() in a callback ends the script (shutdown functions and destructors run, the loop is not run again); swoole_event_exit leaves the loop
--EXTENSIONS--
swoole
--FILE--
<?php
swoole_timer_tick(5, function ($id) {
    static $n = 0;
    if (++$n == 3) {
        echo "leaving the loop\n";
        swoole_event_exit();
    }
});
swoole_event_wait();
var_dump(iterator_to_array(Swoole\Timer::list()));
register_shutdown_function(function () { echo "shutdown function\n"; });
swoole_timer_after(5, function () { echo "exit in a timer\n"; exit(3); });
swoole_timer_after(50, function () { echo "never runs\n"; });
Swoole\Event::wait();
echo "never reached\n";
?>
--EXPECT--
leaving the loop
array(0) {
}
exit in a timer
shutdown function

--TEST--
Swoole\Event: an exception thrown in a callback stops the loop and reaches the caller of wait(); uncaught, PHP reports it and the loop is not run again
--EXTENSIONS--
swoole
--FILE--
<?php
swoole_timer_after(10, function () { throw new RuntimeException("from a timer"); });
$t = swoole_timer_tick(5, function () { echo "tick\n"; });
try {
    Swoole\Event::wait();
} catch (RuntimeException $e) {
    echo "caught: ", $e->getMessage(), "\n";
}
Swoole\Timer::clear($t);
var_dump(iterator_to_array(Swoole\Timer::list()));
swoole_event_defer(function () { throw new LogicException("uncaught from defer"); });
swoole_timer_after(10, function () { echo "never runs\n"; });
?>
--EXPECTF--
tick
caught: from a timer
array(0) {
}

Deprecated: swoole_event_rshutdown(): Event::wait() in shutdown function is deprecated in Unknown on line 0

Fatal error: Uncaught LogicException: uncaught from defer in %s:%d
%A

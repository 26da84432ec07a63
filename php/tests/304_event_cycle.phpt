--TEST--
Swoole\Event::cycle / swoole_event_cycle: a callback at the end of each loop iteration (after the deferred calls, or before them), the loop's first iteration does not wait; removal, replacement, bad input; the loop left for the script's end is deprecated as in Swoole 6
--EXTENSIONS--
swoole
--FILE--
<?php
use Swoole\Event;
use Swoole\Timer;

var_dump(Event::cycle(null));                      // nothing to remove
$n = 0;
var_dump(Event::cycle(function () use (&$n) {
    echo "cycle [$n]\n";
    if (++$n == 3) {
        Event::cycle(null);                        // removes itself while it runs
    }
}));
Timer::after(20, function () {
    echo "timer [1]\n";
    Timer::after(20, fn() => print("timer [2]\n"));
    Event::defer(fn() => print("defer\n"));
});
Event::wait();

echo "-- before the deferred calls\n";
swoole_event_cycle(fn() => print("cycle (replaced)\n"));
swoole_event_cycle(function () {
    static $i = 0;
    echo "cycle before\n";
    if (++$i == 2) {
        Event::cycle(null);
    }
}, true);
Timer::after(10, function () {
    echo "timer\n";
    Event::defer(fn() => print("defer\n"));
});
Event::wait();

try {
    Event::cycle('no_such_function');
} catch (TypeError $e) {
    echo $e->getMessage(), "\n";
}
// a throw in the first (non-waiting) iteration leaves no stop behind for the next wait
Event::defer(function () { throw new Exception("first iteration"); });
try {
    Event::wait();
} catch (Exception $e) {
    echo "caught: ", $e->getMessage(), "\n";
}
Timer::after(10, fn() => print("timer after the throw\n"));
Event::wait();
echo "-- the script's end\n";
Timer::after(10, fn() => print("timer at the end\n"));
?>
--EXPECTF--
bool(false)
bool(true)
cycle [0]
timer [1]
defer
cycle [1]
timer [2]
cycle [2]
-- before the deferred calls
cycle before
timer
cycle before
defer
Swoole\Event::cycle(): Argument #1 ($callback) must be a valid callback or null, function "no_such_function" not found or invalid function name
caught: first iteration
timer after the throw
-- the script's end

Deprecated: swoole_event_rshutdown(): Event::wait() in shutdown function is deprecated in Unknown on line 0
timer at the end

--TEST--
Swoole\Event::dispatch() with nothing in the loop returns at once (it waited in epoll for ever); with a timer it still waits for it
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
pcntl_alarm(20); /* a dispatch that never returns fails the test */
var_dump(Swoole\Event::dispatch());
var_dump(swoole_event_dispatch());
Swoole\Timer::after(50, function () { echo "timer\n"; });
var_dump(Swoole\Event::dispatch());
var_dump(Swoole\Event::dispatch());
echo "end\n";
?>
--EXPECT--
bool(true)
bool(true)
timer
bool(true)
bool(true)
end

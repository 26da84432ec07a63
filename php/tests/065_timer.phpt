--TEST--
Swoole\Timer: tick and after with extra parameters, clear inside a callback, tick count, exists, clearAll, list, info; bad input
--EXTENSIONS--
swoole
--FILE--
<?php
$count = 0;
$id = Swoole\Timer::tick(10, function ($timer_id, $a, $b) use (&$count, &$id) {
    $count++;
    if ($count == 1) var_dump($timer_id === $id, $a, $b, Swoole\Timer::info($timer_id));
    if ($count == 5) var_dump(swoole_timer_clear($timer_id), swoole_timer_exists($timer_id));
}, 'a', ['b']);
var_dump(is_int($id) && $id > 0, swoole_timer_exists($id));
$start = microtime(true);
swoole_timer_after(30, function (...$params) use ($start) {
    var_dump($params, microtime(true) - $start >= 0.029);
}, 1, "two");
$once = swoole_timer_after(1000, function () { echo "never\n"; });
var_dump(swoole_timer_clear($once), swoole_timer_clear($once), swoole_timer_exists($once));
$self = Swoole\Timer::after(5, function () use (&$self) {
    var_dump(Swoole\Timer::exists($self));          // an after timer is over once it fires
});
class T { static function run($id) { echo "static method tick\n"; Swoole\Timer::clear($id); } }
swoole_timer_tick(7, 'T::run');
Swoole\Event::wait();
var_dump($count, iterator_to_array(Swoole\Timer::list()));

$x = Swoole\Timer::tick(100, fn() => 1);
$y = Swoole\Timer::after(100, fn() => 1);
var_dump(count(Swoole\Timer::list()), Swoole\Timer::clearAll(), iterator_to_array(Swoole\Timer::list()), Swoole\Timer::exists($x));
Swoole\Event::wait();

var_dump(swoole_timer_after(0, fn() => 1), Swoole\Timer::tick(-5, fn() => 1), swoole_timer_clear(12345), Swoole\Timer::info(12345));
try { swoole_timer_tick("x", fn() => 1); } catch (TypeError $e) { echo $e->getMessage(), "\n"; }
try { swoole_timer_after(10, "nope"); } catch (TypeError $e) { echo $e->getMessage(), "\n"; }
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
bool(false)
static method tick
bool(true)
string(1) "a"
array(1) {
  [0]=>
  string(1) "b"
}
array(5) {
  ["exec_msec"]=>
  int(%d)
  ["exec_count"]=>
  int(1)
  ["interval"]=>
  int(10)
  ["round"]=>
  int(%d)
  ["removed"]=>
  bool(false)
}
array(2) {
  [0]=>
  int(1)
  [1]=>
  string(3) "two"
}
bool(true)
bool(true)
bool(false)
int(5)
array(0) {
}
int(2)
bool(true)
array(0) {
}
bool(false)

Warning: swoole_timer_after(): Timer must be greater than or equal to 1, 0 given in %s on line %d

Warning: Swoole\Timer::tick(): Timer must be greater than or equal to 1, -5 given in %s on line %d
bool(false)
bool(false)
bool(false)
NULL
swoole_timer_tick(): Argument #1 ($ms) must be of type int, string given
swoole_timer_after(): Argument #2 ($callback) must be a valid callback, function "nope" not found or invalid function name

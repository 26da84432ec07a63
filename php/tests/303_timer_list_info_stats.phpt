--TEST--
Swoole\Timer::list (Swoole\Timer\Iterator), info, stats and their swoole_timer_* functions: rounds (a timer made in a round runs in a later one), removed while its callback runs, an after() timer counted while it runs
--EXTENSIONS--
swoole
--FILE--
<?php
use Swoole\Timer;

var_dump(Timer::stats());
var_dump(function_exists('swoole_timer_info') && function_exists('swoole_timer_stats') &&
         function_exists('swoole_timer_list') && function_exists('swoole_timer_clear_all'));
$a = Timer::after(500, fn() => 1);
$b = swoole_timer_after(200, fn() => 1);
$list = Timer::list();
var_dump(get_class($list), $list instanceof ArrayIterator, get_parent_class($list));
$ids = iterator_to_array(swoole_timer_list());
sort($ids);
var_dump($ids === [$a, $b]);
$i = Timer::info($a);
var_dump(array_keys($i), $i['exec_msec'] >= 500 && $i['exec_msec'] < 1500, $i['interval'], $i['round'], $i['removed']);
var_dump(swoole_timer_info($b)['exec_msec'] < $i['exec_msec']);
var_dump(Timer::info(999999), swoole_timer_info(-1));
var_dump(Timer::stats()['num'], swoole_timer_stats()['initialized']);
var_dump(swoole_timer_clear_all(), iterator_to_array(Timer::list()), Timer::stats()['num']);

Timer::tick(5, function (int $id) {
    static $n = 0;
    $n++;
    $i = Timer::info($id);
    if ($n == 1) {
        var_dump($i['interval'], $i['exec_count'], $i['round'], $i['removed']);
        $round = Timer::stats()['round'];
        var_dump($round >= 1);
        return;
    }
    var_dump($i['exec_count']);
    Timer::clear($id);
    var_dump(Timer::exists($id), Timer::info($id)['removed']);    // still answered while it runs
    $after = Timer::after(1, function () use (&$after) {
        $s = Timer::stats();
        var_dump($s['num'], Timer::info($after)['removed']);       // counted while it runs
    });
    var_dump(Timer::info($after)['round'] === Timer::stats()['round'], Timer::info($after)['interval']);
});
Swoole\Event::wait();
var_dump(Timer::info(1), Timer::stats()['num']);
$r = new ReflectionExtension('swoole');
var_dump(substr_count((string)$r, 'Swoole\\Timer\\Iterator'));
?>
--EXPECTF--
array(3) {
  ["initialized"]=>
  bool(false)
  ["num"]=>
  int(0)
  ["round"]=>
  int(0)
}
bool(true)
string(21) "Swoole\Timer\Iterator"
bool(true)
string(13) "ArrayIterator"
bool(true)
array(5) {
  [0]=>
  string(9) "exec_msec"
  [1]=>
  string(10) "exec_count"
  [2]=>
  string(8) "interval"
  [3]=>
  string(5) "round"
  [4]=>
  string(7) "removed"
}
bool(true)
int(0)
int(0)
bool(false)
bool(true)
NULL
NULL
int(2)
bool(true)
bool(true)
array(0) {
}
int(0)
int(5)
int(1)
int(0)
bool(false)
bool(true)
int(2)
bool(false)
bool(true)
bool(true)
int(0)
int(1)
bool(false)
NULL
int(0)
int(3)

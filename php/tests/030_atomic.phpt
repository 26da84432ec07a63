--TEST--
Swoole\Atomic and Swoole\Atomic\Long: add, sub, get, set, cmpset, wait, wakeup; wrap-around; bad input
--EXTENSIONS--
swoole
--FILE--
<?php
$a = new Swoole\Atomic();
var_dump($a->get(), $a->add(), $a->add(10), $a->sub(3), $a->get());
$a->set(100);
var_dump($a->get(), $a->cmpset(100, 7), $a->cmpset(100, 8), $a->get());
$a->set(0);
var_dump($a->sub(1));                 // 32-bit unsigned: wraps
var_dump((new swoole_atomic(5))->get(), (new Swoole\Atomic(-1))->get());

// wait: value 1 -> 0 at once; value 0 -> sleep until wakeup or the time-out
$w = new Swoole\Atomic(1);
var_dump($w->wait(0.1), $w->get());
$t = microtime(true);
var_dump($w->wait(0.1));
var_dump(microtime(true) - $t >= 0.08, swoole_strerror(swoole_errno()));
var_dump($w->wakeup(), $w->get(), $w->wait(0), $w->get());
$w->set(5);
var_dump($w->wait(0.01));

$l = new Swoole\Atomic\Long(PHP_INT_MAX - 1);
var_dump($l->add(), $l->add() === PHP_INT_MIN, $l->sub(), $l->get() === PHP_INT_MAX);
$l->set(-5);
var_dump($l->get(), $l->cmpset(-5, 1 << 40), $l->get(), $l->cmpset(0, 1));
var_dump((new swoole_atomic_long(3))->sub(10));
$lw = new Swoole\Atomic\Long(0);
var_dump($lw->wait(0.05), $lw->wakeup(), $lw->wait(0.05));

foreach ([fn() => $a->add('x'), fn() => $a->set(), fn() => $a->cmpset(1), fn() => $a->wakeup(0),
          fn() => $a->wait('x'), fn() => new Swoole\Atomic\Long('abc'), fn() => clone $a,
          fn() => serialize($l)] as $f) {
    try {
        $f();
        echo "no error\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
int(0)
int(1)
int(11)
int(8)
int(8)
int(100)
bool(true)
bool(false)
int(7)
int(4294967295)
int(5)
int(4294967295)
bool(true)
int(0)
bool(false)
bool(true)
string(%d) "%s"
bool(true)
int(1)
bool(true)
int(0)
bool(false)
int(9223372036854775807)
bool(true)
int(9223372036854775807)
bool(true)
int(-5)
bool(true)
int(1099511627776)
bool(false)
int(-7)
bool(false)
bool(true)
bool(true)
TypeError: Swoole\Atomic::add(): Argument #1 ($add_value) must be of type int, string given
ArgumentCountError: Swoole\Atomic::set() expects exactly 1 argument, 0 given
ArgumentCountError: Swoole\Atomic::cmpset() expects exactly 2 arguments, 1 given
ValueError: Swoole\Atomic::wakeup(): Argument #1 ($count) must be greater than 0
TypeError: Swoole\Atomic::wait(): Argument #1 ($timeout) must be of type float, string given
TypeError: Swoole\Atomic\Long::__construct(): Argument #1 ($value) must be of type int, string given
Error: Trying to clone an uncloneable object of class Swoole\Atomic
Exception: Serialization of 'Swoole\Atomic\Long' is not allowed

--TEST--
Swoole\Table: bad input gets a TypeError, a ValueError or a warning with swirl's message and false
--EXTENSIONS--
swoole
--FILE--
<?php
function t(callable $f) {
    try {
        var_dump($f());
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
t(fn() => new Swoole\Table(0));
t(fn() => new Swoole\Table(-5));
t(fn() => new Swoole\Table('many'));
t(fn() => new Swoole\Table());

$t = new Swoole\Table(2);
t(fn() => $t->create());                                    // no column
t(fn() => $t->column('bad', 9));
t(fn() => $t->column('s', Swoole\Table::TYPE_STRING));      // a string needs a size
t(fn() => $t->column('i', Swoole\Table::TYPE_INT, 3));
t(fn() => $t->column(str_repeat('c', 64), Swoole\Table::TYPE_INT));
t(fn() => $t->column('id', Swoole\Table::TYPE_INT));
t(fn() => $t->column('id', Swoole\Table::TYPE_INT));        // twice
t(fn() => $t->column('name', Swoole\Table::TYPE_STRING, 4));
t(fn() => $t->column([], 1));
t(fn() => $t->create());
t(fn() => $t->create());
t(fn() => $t->column('late', Swoole\Table::TYPE_INT));

t(fn() => $t->set(str_repeat('k', 63), ['id' => 1]));
t(fn() => $t->set(str_repeat('k', 64), ['id' => 1]));
t(fn() => $t->get(str_repeat('k', 64)));
t(fn() => $t->exists(str_repeat('k', 64)));
t(fn() => $t->del(str_repeat('k', 64)));
t(fn() => $t->incr(str_repeat('k', 64), 'id'));
t(fn() => $t->set('', ['id' => 1]) && $t->del(''));          // the empty key is a key (Swoole 6.2)
t(fn() => $t->set('a', ['name' => 'toolong']));
t(fn() => $t->set('a', 'not an array'));
t(fn() => $t->set('a'));
t(fn() => $t->get('a', 'nope'));
t(fn() => $t->incr('a', 'nope'));
t(fn() => $t->incr('a', 'name'));
t(fn() => $t->incr('a', 'id', 'x'));
t(fn() => $t->set('b', ['id' => 2]));
t(fn() => $t->set('c', ['id' => 3]));                       // full
t(fn() => count($t));
t(fn() => clone $t);
t(fn() => serialize($t));
?>
--EXPECTF--
ValueError: Swoole\Table::__construct(): Argument #1 ($table_size) must be between 1 and 1073741824, 0 given
ValueError: Swoole\Table::__construct(): Argument #1 ($table_size) must be between 1 and 1073741824, -5 given
TypeError: Swoole\Table::__construct(): Argument #1 ($table_size) must be of type int, string given
ArgumentCountError: Swoole\Table::__construct() expects at least 1 argument, 0 given

Warning: Swoole\Table::create(): table: %s in %s on line %d
bool(false)

Warning: Swoole\Table::column(): table: column "bad": unknown type 9 %s in %s on line %d
bool(false)

Warning: Swoole\Table::column(): table: string column "s": size must be 1..1048576 bytes, got 0 in %s on line %d
bool(false)

Warning: Swoole\Table::column(): table: %s in %s on line %d
bool(false)

Warning: Swoole\Table::column(): table: %s in %s on line %d
bool(false)
bool(true)

Warning: Swoole\Table::column(): table: column "id" declared twice in %s on line %d
bool(false)
bool(true)
TypeError: Swoole\Table::column(): Argument #1 ($name) must be of type string, array given
bool(true)

Warning: Swoole\Table::create(): table: created twice in %s on line %d
bool(false)

Warning: Swoole\Table::column(): table: column "late" added after create: declare every column first in %s on line %d
bool(false)
bool(true)

Warning: Swoole\Table::set(): key[kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk]: table: key of 64 bytes is longer than 63 in %s on line %d
bool(false)

Warning: Swoole\Table::get(): key[%s]: table: key of 64 bytes is longer than 63 in %s on line %d
bool(false)

Warning: Swoole\Table::exists(): key[%s]: table: key of 64 bytes is longer than 63 in %s on line %d
bool(false)

Warning: Swoole\Table::del(): key[%s]: table: key of 64 bytes is longer than 63 in %s on line %d
bool(false)

Warning: Swoole\Table::incr(): key[%s]: table: key of 64 bytes is longer than 63 in %s on line %d
bool(false)
bool(true)

Warning: Swoole\Table::set(): table: string of 7 bytes is longer than column "name" (4 bytes) in %s on line %d
bool(false)
TypeError: Swoole\Table::set(): Argument #2 ($value) must be of type array, string given
ArgumentCountError: Swoole\Table::set() expects exactly 2 arguments, 1 given

Warning: Swoole\Table::get(): column nope does not exist in %s on line %d
bool(false)

Warning: Swoole\Table::incr(): column nope does not exist in %s on line %d
bool(false)

Warning: Swoole\Table::incr(): column name is a string column: only int and float columns can be incremented in %s on line %d
bool(false)
TypeError: Swoole\Table::incr(): Argument #3 ($incrby) must be of type int|float, string given
bool(true)

Warning: Swoole\Table::set(): table: full (2 rows), cannot insert key "c" in %s on line %d
bool(false)
int(2)
Error: Trying to clone an uncloneable object of class Swoole\Table
Exception: Serialization of 'Swoole\Table' is not allowed

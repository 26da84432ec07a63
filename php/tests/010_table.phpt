--TEST--
Swoole\Table: columns, create, set, get, exist/exists, del, incr, decr, count, memorySize, foreach
--EXTENSIONS--
swoole
--FILE--
<?php
$t = new Swoole\Table(16);
var_dump($t->column('id', Swoole\Table::TYPE_INT));
var_dump($t->column('small', Swoole\Table::TYPE_INT, 1));
var_dump($t->column('name', Swoole\Table::TYPE_STRING, 16));
var_dump($t->column('score', Swoole\Table::TYPE_FLOAT));
$before = $t->memorySize();
var_dump($t->create(), $t->memorySize() > 0, $t->getMemorySize() === $t->memorySize(), $before === 0); // 0 before create, as Swoole
var_dump($t->getSize(), count($t), $t->count());

var_dump($t->set('alice', ['id' => 1, 'name' => 'Alice', 'score' => 9.5, 'extra' => 'ignored']));
var_dump($t->set('bob', ['id' => '2', 'name' => 42, 'small' => 300]));  // converted; 300 wraps in 1 byte
var_dump($t->get('alice'));
var_dump($t->get('bob'));
var_dump($t->get('alice', 'name'), $t->get('alice', 'score'), $t->get('bob', 'small'));
var_dump($t->get('nobody'), $t->get('nobody', 'id'));
var_dump($t->exist('alice'), $t->exists('bob'), $t->exists('carol'));

// set keeps the columns not given
var_dump($t->set('alice', ['score' => 1.0]), $t->get('alice', 'name'));

var_dump($t->incr('alice', 'id'), $t->incr('alice', 'id', 10), $t->decr('alice', 'id', 3));
var_dump($t->incr('alice', 'score', 0.5), $t->decr('alice', 'score'));
var_dump($t->incr('carol', 'id', 7), $t->get('carol'));   // incr makes the row

var_dump(count($t));
$rows = [];
foreach ($t as $key => $row) {
    $rows[$key] = $row['id'];
}
ksort($rows);
var_dump($rows);

var_dump($t->del('carol'), $t->del('carol'), $t->delete('bob'), count($t));
foreach ($t as $key => $row) {
    echo "$key => {$row['name']}\n";
}
// a get inside foreach does not disturb the iteration
$t->set('x', ['id' => 5]);
$seen = [];
foreach ($t as $key => $row) { $seen[] = $key; $t->get('alice'); }
sort($seen);
echo implode(',', $seen), "\n";

// the snake_case name is the same class
$s = new swoole_table(1);
$s->column('n', swoole_table::TYPE_INT);
$s->create();
$s->set('k', ['n' => 3]);
var_dump(get_class($s), $s->get('k', 'n'));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
int(16)
int(0)
int(0)
bool(true)
bool(true)
array(4) {
  ["id"]=>
  int(1)
  ["small"]=>
  int(0)
  ["name"]=>
  string(5) "Alice"
  ["score"]=>
  float(9.5)
}
array(4) {
  ["id"]=>
  int(2)
  ["small"]=>
  int(44)
  ["name"]=>
  string(2) "42"
  ["score"]=>
  float(0)
}
string(5) "Alice"
float(9.5)
int(44)
bool(false)
bool(false)
bool(true)
bool(true)
bool(false)
bool(true)
string(5) "Alice"
int(2)
int(12)
int(9)
float(1.5)
float(0.5)
int(7)
array(4) {
  ["id"]=>
  int(7)
  ["small"]=>
  int(0)
  ["name"]=>
  string(0) ""
  ["score"]=>
  float(0)
}
int(3)
array(3) {
  ["alice"]=>
  int(9)
  ["bob"]=>
  int(2)
  ["carol"]=>
  int(7)
}
bool(true)
bool(false)
bool(true)
int(1)
alice => Alice
alice,x
string(12) "Swoole\Table"
int(3)

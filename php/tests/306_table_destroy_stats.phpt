--TEST--
Swoole\Table::stats(), destroy() (the table ends for the processes that share it: their row calls die with Swoole's fatal error), getMemorySize() 0 before create and after destroy, the empty key
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
use Swoole\Table;

$t = new Table(4);
$t->column('v', Table::TYPE_INT);
var_dump($t->getMemorySize(), $t->stats());
$t->create();
var_dump($t->getMemorySize() > 0);
foreach (['a', 'b', 'c', ''] as $k) {
    $t->set($k, ['v' => 1]);
}
$t->set('a', ['v' => 2]);
var_dump($t->set('x', ['v' => 1]));                 // full
$t->del('b');
var_dump($t->get('', 'v'), $t->exists(''));
$s = $t->stats();
var_dump(array_keys($s));
var_dump($s['num'], $s['insert_count'], $s['update_count'], $s['delete_count'],
         $s['total_slice_num'], $s['available_slice_num'], $s['conflict_count'] >= 0);

// a forked child sees the destroy and dies of it
$pid = pcntl_fork();
if ($pid === 0) {
    while ($t->getMemorySize() > 0 && $t->stats() !== false) {
        usleep(1000);
    }
    $t->get('a');
    echo "not reached\n";
    exit(0);
}
$destroyed = $t->destroy();
pcntl_waitpid($pid, $status);
var_dump($destroyed, pcntl_wexitstatus($status));
var_dump($t->getMemorySize(), $t->stats(), count($t));
$t->get('a');
echo "not reached\n";
?>
--EXPECTF--
int(0)
bool(false)
bool(true)

Warning: Swoole\Table::set(): %s in %s on line %d
bool(false)
int(1)
bool(true)
array(8) {
  [0]=>
  string(3) "num"
  [1]=>
  string(14) "conflict_count"
  [2]=>
  string(18) "conflict_max_level"
  [3]=>
  string(12) "insert_count"
  [4]=>
  string(12) "update_count"
  [5]=>
  string(12) "delete_count"
  [6]=>
  string(19) "available_slice_num"
  [7]=>
  string(15) "total_slice_num"
}
int(3)
int(4)
int(1)
int(1)
int(4)
int(1)
bool(true)

Fatal error: Swoole\Table::get(): table is not created or has been destroyed in %s on line %d
bool(true)
int(255)
int(0)
bool(false)
int(0)

Fatal error: Swoole\Table::get(): table is not created or has been destroyed in %s on line %d

--TEST--
Swoole\Table: a row call before create() is Swoole 6.2's fatal error; count, getSize, getMemorySize and stats answer
--EXTENSIONS--
swoole
--FILE--
<?php
$t = new Swoole\Table(8);
$t->column('id', Swoole\Table::TYPE_INT);
var_dump(count($t), $t->getSize(), $t->getMemorySize(), $t->stats());
$t->get('1');
echo "not reached\n";
?>
--EXPECTF--
int(0)
int(8)
int(0)
bool(false)

Fatal error: Swoole\Table::get(): table is not created or has been destroyed in %s on line %d

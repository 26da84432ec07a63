--TEST--
examples/php/table.php: a Swoole\Table shared by four Swoole\Process workers counts every word
--EXTENSIONS--
swoole
--FILE--
<?php
include __DIR__ . '/../../examples/php/table.php';
?>
--EXPECTF--
worker 0 counted 1375 words
worker 1 counted 1375 words
worker 2 counted 1375 words
worker 3 counted 1375 words
9 distinct words, 5500 in all (expected 5500), table memory %d KiB
  the     1500  (first seen by worker %d, last counted by worker %d)
%a

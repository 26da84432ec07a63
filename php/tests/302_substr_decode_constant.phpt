--TEST--
swoole_substr_unserialize, swoole_substr_json_decode (a part of a string, offsets from either end; bad offsets); Swoole\Constant
--EXTENSIONS--
swoole
--FILE--
<?php
$a = ['hello' => str_repeat('x', 100), 'int' => 42, 'list' => ['a,', 'b']];
$s = serialize($a);
$str = pack('N', strlen($s)) . $s . "\r\n";
$l = strlen($str) - 6;
var_dump(swoole_substr_unserialize($str, 4, $l) === $a);
var_dump(@swoole_substr_unserialize($str, 4) === $a);         // the rest, "\r\n" ignored by unserialize
var_dump(swoole_substr_unserialize($str, -(strlen($str) - 4), $l) === $a);
var_dump(swoole_substr_unserialize($str, strlen($str) + 10), swoole_substr_unserialize($str, -(strlen($str) + 5)),
         swoole_substr_unserialize('', 0));
var_dump(@swoole_substr_unserialize($str, 0));                 // not a serialized value there
var_dump(swoole_substr_unserialize(serialize(new ArrayObject([1])), 0, 0, ['allowed_classes' => false]) instanceof __PHP_Incomplete_Class);

$j = json_encode($a);
$str = pack('N', strlen($j)) . $j . "\r\n";
var_dump(swoole_substr_json_decode($str, 4, strlen($j), true) === $a);
var_dump(swoole_substr_json_decode($str, 4, strlen($j))->int);
var_dump(swoole_substr_json_decode($str, -(strlen($str) - 4), strlen($j), true) === $a);
var_dump(swoole_substr_json_decode($str, 0, -1, true), json_last_error() !== 0);
var_dump(swoole_substr_json_decode('[[1]]', 0, 0, true, 1));     // too deep
var_dump(swoole_substr_json_decode($str, strlen($str) + 10));
var_dump(swoole_substr_json_decode($str, -(strlen($str) + 5)));
var_dump(swoole_substr_json_decode('', 0));
try {
    swoole_substr_json_decode('[1]', 0, 0, true, 0);
} catch (ValueError $e) {
    echo $e->getMessage(), "\n";
}

// Swoole\Constant: Swoole 6.2's names of events and settings
var_dump(Swoole\Constant::EVENT_START, Swoole\Constant::EVENT_WORKER_START, Swoole\Constant::EVENT_REQUEST,
         Swoole\Constant::OPTION_WORKER_NUM, Swoole\Constant::OPTION_ENABLE_COROUTINE, Swoole\Constant::OPTION_LOG_FILE);
$c = (new ReflectionClass(Swoole\Constant::class))->getConstants();
var_dump(count($c) > 200, count(array_filter($c, 'is_string')) === count($c));
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
bool(false)
bool(false)
bool(true)
bool(true)
int(42)
bool(true)
NULL
bool(true)
NULL

Warning: swoole_substr_json_decode(): Offset must be less than the length of the string in %s on line %d
NULL

Warning: swoole_substr_json_decode(): Offset must be not less than the negative length of the string in %s on line %d
NULL

Warning: swoole_substr_json_decode(): Non-empty string required in %s on line %d
NULL
swoole_substr_json_decode(): Argument #5 ($depth) must be greater than 0 and less than 2147483647
string(5) "start"
string(11) "workerStart"
string(7) "request"
string(10) "worker_num"
string(16) "enable_coroutine"
string(8) "log_file"
bool(true)
bool(true)

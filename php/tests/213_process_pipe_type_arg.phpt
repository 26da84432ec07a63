--TEST--
Swoole\Process::__construct()'s $pipe_type is coerced as a declared int|bool is ("2" and 2.0 are 2, "abc" is true, null is 0 with a deprecation, an array a TypeError); null read an undefined value before (valgrind: uninitialised value), "2" and 2.0 were refused
--EXTENSIONS--
swoole
--FILE--
<?php
foreach (["2", 2.0, "1", 0.0, null, "abc", 1.5, [], new stdClass] as $v) {
    try {
        $p = new Swoole\Process(function () {}, false, $v);
        echo json_encode($v), ": ", $p->pipe === null ? "no pipe" : "a pipe", "\n";
    } catch (Throwable $e) {
        echo json_encode($v), ": ", get_class($e), ": ", $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
"2": a pipe
2: a pipe
"1": a pipe
0: no pipe

Deprecated: Swoole\Process::__construct(): Passing null to parameter #3 ($pipe_type) of type int|bool is deprecated in %s on line %d
null: no pipe
"abc": a pipe

Deprecated: Implicit conversion from float 1.5 to int loses precision in %s on line %d
1.5: a pipe
[]: TypeError: Swoole\Process::__construct(): Argument #3 ($pipe_type) must be of type int|bool, array given
{}: TypeError: Swoole\Process::__construct(): Argument #3 ($pipe_type) must be of type int|bool, stdClass given

--TEST--
swirl: swoole_version, swoole_cpu_num, swoole_errno, swoole_strerror, swoole_last_error, swoole_set_process_name
--EXTENSIONS--
swoole
--FILE--
<?php
var_dump(swoole_version() === SWOOLE_VERSION, SWOOLE_VERSION === phpversion('swoole'));
var_dump((bool)preg_match('/^\d+\.\d+\.\d+$/', swoole_version()));
var_dump(swoole_cpu_num() >= 1, swoole_cpu_num() === SWOOLE_CPU_NUM);
var_dump(swoole_strerror(0));
var_dump(swoole_strerror(2), swoole_strerror(-2));       // errno values, either sign
var_dump(swoole_strerror(1011), swoole_strerror(-1015));  // Swoole's code 1011; swirl's own code as the core returns it
var_dump(swoole_strerror(999999));

// a failing call sets the code and the message naming the culprit
var_dump(@swoole_set_process_name(''));
var_dump(swoole_errno(), swoole_last_error() === swoole_errno());
var_dump(swoole_strerror(swoole_errno()));
var_dump(swirl_last_error_msg() !== '');
var_dump(swoole_set_process_name(''));

var_dump(swoole_set_process_name('php swirl test'));
var_dump(trim(file_get_contents('/proc/self/comm')));

foreach ([fn() => swoole_strerror('abc'), fn() => swoole_set_process_name([]),
          fn() => swoole_version(1), fn() => swoole_set_process_name("a\0b")] as $f) {
    try {
        $f();
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(7) "Success"
string(25) "No such file or directory"
string(25) "No such file or directory"
string(13) "SSL not ready"
string(11) "no such key"
string(20) "Unknown error 999999"
bool(false)
int(505)
bool(true)
string(14) "Invalid params"
bool(true)

Warning: swoole_set_process_name(): %s in %s on line %d
bool(false)
bool(true)
string(14) "php swirl test"
TypeError: swoole_strerror(): Argument #1 ($errno) must be of type int, string given
TypeError: swoole_set_process_name(): Argument #1 ($process_name) must be of type string, array given
ArgumentCountError: swoole_version() expects exactly 0 arguments, 1 given
ValueError: swoole_set_process_name(): Argument #1 ($process_name) must not contain any null bytes

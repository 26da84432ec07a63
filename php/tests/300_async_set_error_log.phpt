--TEST--
swoole_async_set (log_file, log_level applied; Swoole's other keys accepted; an unknown key refused), swoole_error_log(_ex) in Swoole's line format, swoole_ignore_error, swoole_clear_error
--EXTENSIONS--
swoole
--FILE--
<?php
$log = sys_get_temp_dir() . '/swirl_300_' . getmypid() . '.log';
@unlink($log);
var_dump(swoole_async_set(['log_file' => $log, 'log_level' => SWOOLE_LOG_INFO]));
// Swoole's process-wide keys swirl has no use for: accepted, no warning
var_dump(swoole_async_set(['enable_coroutine' => false, 'hook_flags' => 0, 'dns_server' => '8.8.8.8',
    'socket_buffer_size' => 1 << 20, 'aio_worker_num' => 2, 'enable_signalfd' => true,
    'wait_signal' => true, 'use_async_resolver' => false, 'disable_dns_cache' => true,
    'dns_lookup_random' => true, 'trace_flags' => 0, 'display_errors' => true]));

swoole_error_log(SWOOLE_LOG_INFO, "hello 1");
swoole_error_log(SWOOLE_LOG_DEBUG, "hidden below log_level");
swoole_error_log_ex(SWOOLE_LOG_WARNING, 888888, "hello 2");
swoole_ignore_error(999999);
swoole_error_log_ex(SWOOLE_LOG_ERROR, 999999, "hello 3 ignored");
var_dump(swoole_async_set(['log_level' => SWOOLE_LOG_ERROR]));
swoole_error_log(SWOOLE_LOG_WARNING, "hidden: warning < error");
swoole_error_log(SWOOLE_LOG_ERROR, "shown error");
swoole_error_log(SWOOLE_LOG_NONE, "never: NONE is not a level to write at");
swoole_error_log(-1, "never");
$lines = file($log, FILE_IGNORE_NEW_LINES);
var_dump(count($lines));
foreach ($lines as $l) {
    var_dump((bool)preg_match('/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \*' . getmypid() . '\.0\]\t(INFO|WARNING|ERROR)\t/', $l));
    echo substr($l, strpos($l, "\t") + 1), "\n";
}

// refused: unknown key (named), bad values; the others are still applied
var_dump(swoole_async_set(['no_such_key' => 1, 'log_level' => SWOOLE_LOG_WARNING]));
var_dump(swoole_async_set(['log_level' => 99]));
var_dump(swoole_async_set([5 => 'x']));
var_dump(swoole_async_set(['log_file' => "/nonexistent-dir/x.log"]));
var_dump(swoole_async_set(['log_file' => "a\0b"]));
swoole_async_set(['log_file' => '', 'log_level' => SWOOLE_LOG_INFO]);   // back to stderr
unlink($log);

// swoole_clear_error
@swoole_set_process_name('');
var_dump(swoole_last_error() > 0);
swoole_clear_error();
var_dump(swoole_last_error());
try {
    swoole_error_log('x', 'y');
} catch (TypeError $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
int(3)
bool(true)
INFO	hello 1
bool(true)
WARNING	swoole_error_log_ex() (ERRNO 888888): hello 2
bool(true)
ERROR	shown error

Warning: swoole_async_set(): unknown setting "no_such_key" in %s on line %d
bool(false)

Warning: swoole_async_set(): %s in %s on line %d
bool(false)

Warning: swoole_async_set(): unknown setting 5 in %s on line %d
bool(false)

Warning: swoole_async_set(): %s/nonexistent-dir/x.log%s in %s on line %d
bool(false)

Warning: swoole_async_set(): invalid argument in %s on line %d
bool(false)
bool(true)
int(0)
swoole_error_log(): Argument #1 ($level) must be of type int, string given

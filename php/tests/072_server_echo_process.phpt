--TEST--
Swoole\Server SWOOLE_PROCESS: echo with connect/receive/close arguments, EOF split, getClientInfo, exist, stats, close, callable forms
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server_echo.inc';
echo_scenario(SWOOLE_PROCESS);
?>
--EXPECT--
port: ok
echo fd=FD reactor=R data="one\n"
echo fd=FD reactor=R data="two\n"
echo fd=FD reactor=R data="three\n"
bool(true)
bool(true)
array(6) {
  ["reactor_id"]=>
  bool(true)
  ["connect_time"]=>
  bool(true)
  ["exist"]=>
  bool(true)
  ["exist_other"]=>
  bool(false)
  ["info_other"]=>
  bool(false)
  ["list"]=>
  bool(true)
}
array(4) {
  [0]=>
  array(17) {
    [0]=>
    string(10) "start_time"
    [1]=>
    string(14) "connection_num"
    [2]=>
    string(11) "abort_count"
    [3]=>
    string(12) "accept_count"
    [4]=>
    string(11) "close_count"
    [5]=>
    string(10) "worker_num"
    [6]=>
    string(15) "task_worker_num"
    [7]=>
    string(15) "idle_worker_num"
    [8]=>
    string(11) "tasking_num"
    [9]=>
    string(20) "task_idle_worker_num"
    [10]=>
    string(13) "request_count"
    [11]=>
    string(14) "dispatch_count"
    [12]=>
    string(20) "worker_request_count"
    [13]=>
    string(14) "task_queue_num"
    [14]=>
    string(16) "task_queue_bytes"
    [15]=>
    string(19) "task_rejected_count"
    [16]=>
    string(16) "tls_failed_count"
  }
  [1]=>
  bool(true)
  [2]=>
  int(2)
  [3]=>
  bool(true)
}
bye
string(0) ""
bool(true)
stopped: 0
close fd=FD reactor=R
connect fd=FD reactor=R
workerStart ok=1
workerStart ok=1

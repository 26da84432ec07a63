--TEST--
examples/php/client.php: seed 002 §3, the blocking swoole_client (connect "host:port", recv, the set() examples, SWOOLE_KEEP, errCode) against examples/php/echo_server.php
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/examples.inc';
$port = free_port();
$pid = pcntl_fork();
if ($pid === 0) {
    $argv = ['echo_server.php', $port];
    include example_path('echo_server.php');
    exit(0);
}
$ok = wait_port($port);
usleep(200000); /* the server's line first */
var_dump($ok);
[$out, $rc] = run_example('client.php', ["127.0.0.1:$port"]);
echo implode("\n", $out), "\nclient exit $rc\n";
Swoole\Process::kill($pid, SIGTERM);
echo "server exit ", wait_child($pid), "\n";
?>
--EXPECTF--
listening on 127.0.0.1:%d
bool(true)
recv: hello world
eof: "GET \/ HTTP\/1.0\r\nHost: example\r\n\r\n"
length: 99996 bytes, intact
bound to: 127.0.0.1
keep: the same connection
recv: still echoing
connect to port 1 failed: errCode 111 (Connection refused)
client exit 0
server exit 0

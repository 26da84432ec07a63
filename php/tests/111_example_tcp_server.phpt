--TEST--
examples/php/tcp_server.php: seed 002 §2 `on`, a TCP server with connect/receive/close (reply then close by the server)
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/examples.inc';
$port = free_port();
$pid = pcntl_fork();
if ($pid === 0) {
    $argv = ['tcp_server.php', $port];
    include example_path('tcp_server.php');
    exit(0);
}
$ok = wait_port($port); /* one connection: Connect, Close */
usleep(300000);
var_dump($ok);
$c = stream_socket_client("tcp://127.0.0.1:$port");
fwrite($c, "hello");
$reply = stream_get_contents($c); /* the server closes after its reply */
usleep(300000);
echo "reply: $reply\n";
Swoole\Process::kill($pid, SIGTERM);
$rc = wait_child($pid);
echo "exit $rc\n";
?>
--EXPECTF--
listening on 127.0.0.1:%d
Client:Connect.
Client: Close.
bool(true)
Client:Connect.
Client: Close.
reply: Swoole: hello
%Aexit 0

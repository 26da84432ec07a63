--TEST--
examples/php/websocket_server.php: seed 002 §8.2's WebSocket server (open, message, push, close) with a raw PHP client
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/examples.inc';
require __DIR__ . '/websocket.inc';
$port = free_port();
$out = tempnam(sys_get_temp_dir(), 'swirl-out');
$proc = proc_open('exec ' . example_cmd('websocket_server.php', [$port]),
                  [0 => ['file', '/dev/null', 'r'], 1 => ['file', $out, 'w'], 2 => ['file', $out, 'a']], $pipes);
$pid = proc_get_status($proc)['pid'];
register_shutdown_function(function () use ($pid, $out) { /* even if the test fails */
    foreach (children_of($pid) as $p) @Swoole\Process::kill($p, SIGKILL);
    @Swoole\Process::kill($pid, SIGKILL);
    @unlink($out);
});
/* wait for the start line (a probe connection would be a client too) */
for ($i = 0; $i < 500 && !str_contains((string)file_get_contents($out), 'listening'); $i++) usleep(10000);
$c = ws_connect($port, '/');
ws_send($c, "hello");
echo "got: ", ws_text($c), "\n";
ws_send($c, "second", WEBSOCKET_OPCODE_BINARY);
echo "got: ", ws_text($c), "\n";
ws_send($c, pack('n', 1000), WEBSOCKET_OPCODE_CLOSE);
echo "got: ", ws_text($c), "\n";
var_dump(ws_ended($c));
for ($i = 0; $i < 200 && !str_contains(file_get_contents($out), 'closed'); $i++) usleep(10000);
Swoole\Process::kill($pid, SIGTERM);
echo "exit ", proc_close($proc), "\n";
echo preg_replace('/^.*\sINFO\s.*\n/m', '', file_get_contents($out));
?>
--EXPECTF--
got: this is server
got: this is server
got: close 1000 
bool(true)
exit 0
listening on 127.0.0.1:%d
server: handshake success with fd%d
receive from %d:hello, opcode:1
receive from %d:second, opcode:2
client %d closed

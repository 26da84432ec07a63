--TEST--
Swoole\Server::listen/addListener: Swoole\Server\Port with its own framing and callbacks, the ports property, Port::set/on errors
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

$s0 = new Swoole\Server('127.0.0.1', 0);
$p0 = $s0->addListener('127.0.0.1', 0, SWOOLE_SOCK_TCP);
var_dump($p0 instanceof swoole_server_port, count($s0->ports), $s0->ports[1] === $p0, $s0->ports[0]->host);
set_error_handler(function ($no, $msg) { echo "warning: $msg\n"; return true; });
var_dump($p0->set(['worker_num' => 2, 'open_eof_check' => true]));
var_dump($p0->setting);
var_dump($p0->on('task', fn() => 1));
var_dump($s0->listen('no such host', 1));
restore_error_handler();
try { new Swoole\Server\Port(); } catch (Error $e) { echo get_class($e), "\n"; }
unset($s0, $p0);

[$pid, $port] = server_run(function ($ready) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 2, 'log_level' => 5, 'open_eof_split' => true, 'package_eof' => "\n"]);
    $s->on('receive', function ($s, $fd, $rid, $data) {
        $s->send($fd, "main: " . json_encode($data) . "\n");
    });
    $s->on('close', function ($s, $fd) { log_line("main close"); });
    $p = $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP);
    $p->set(['open_length_check' => true, 'package_length_type' => 'N',
             'package_length_offset' => 0, 'package_body_offset' => 4]);
    $p->on('Receive', function ($s, $fd, $rid, $data) {
        $body = substr($data, 4);
        $s->send($fd, pack('N', strlen($body) + 7) . "second:" . $body);
    });
    $p->on('connect', function ($s, $fd) { log_line("second connect"); });
    $p->on('close', function ($s, $fd) { log_line("second close"); });
    $s->on('start', function ($s) use ($ready) {
        log_line("ports " . $s->ports[0]->port . " " . $s->ports[1]->port);
        $ready($s);
    });
    return $s;
}, false);
preg_match('/ports (\d+) (\d+)/', file_get_contents(log_file()), $m);
echo "main port matches: ", var_export((int)$m[1] === $port, true), ", second port: ", var_export($m[2] > 0 && $m[2] != $port, true), "\n";

$a = client($port);
$b = client($m[2]);
fwrite($a, "one\ntwo\n");
echo client_read($a), client_read($a);
fwrite($b, pack('N', 5) . "hello" . pack('N', 3));
usleep(50000);
fwrite($b, "abc");
for ($i = 0; $i < 2; $i++) {
    $len = unpack('N', client_read($b, 4))[1];
    echo client_read($b, $len), "\n";
}
fclose($a);
fclose($b);
usleep(200000);
echo "stopped: ", server_stop($pid), "\n";
$lines = explode("\n", trim(log_take()));
sort($lines);
echo preg_replace('/ports \d+ \d+/', 'ports P Q', implode("\n", $lines)), "\n";
?>
--EXPECTF--
bool(true)
int(2)
bool(true)
string(9) "127.0.0.1"
warning: Swoole\Server\Port::set(): %Sworker_num%S
bool(false)
array(1) {
  ["open_eof_check"]=>
  bool(true)
}
warning: Swoole\Server\Port::on(): unknown event types[task] (a port has connect, receive, close and packet; request on an HTTP server; handshake, beforeHandshakeResponse, open and message on a WebSocket server)
bool(false)
warning: Swoole\Server::listen(): %s
bool(false)
Error
main port matches: true, second port: true
main: "one\n"
main: "two\n"
second:hello
second:abc
stopped: 0
main close
ports P Q
second close
second connect

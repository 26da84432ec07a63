--TEST--
Swoole\Client timeouts and failures: recv on a server that never answers (false, errCode EAGAIN, within the timeout from connect, 'timeout' or 'read_timeout'), MSG_DONTWAIT, connect refused (111), connect timed out (110), a name that does not resolve
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = client_server();

/* recv on a silent server: [result, errCode, seconds waited] */
function silent_recv(Swoole\Client $c, int $flag = 0): array {
    $c->send("silent\n");
    $t0 = microtime(true);
    $r = @$c->recv(65535, $flag);
    return [$r, $c->errCode, microtime(true) - $t0];
}

// the connect timeout is the read timeout too (Swoole's SO_RCVTIMEO)
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
$c->connect('127.0.0.1', $port, 0.4);
[$r, $code, $dt] = silent_recv($c);
var_dump($r, $code, $dt >= 0.35 && $dt < 2.0, $c->isConnected());
echo $c->errMsg, "\n";
// the connection is still usable after a timeout
$c->send("echo:still here\n");
var_dump($c->recv());

// the 'timeout' setting, connect without a timeout
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
$c->set(['timeout' => 0.2]);
$c->connect('127.0.0.1', $port);
[$r, $code, $dt] = silent_recv($c);
var_dump($r, $code, $dt >= 0.15 && $dt < 1.5);

// read_timeout alone, with framing on
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
$c->set(['read_timeout' => 0.3, 'open_eof_check' => true, 'package_eof' => "\r\n"]);
$c->connect('127.0.0.1', $port, 5.0);
[$r, $code, $dt] = silent_recv($c);
var_dump($r, $code, $dt >= 0.25 && $dt < 1.5);

// MSG_DONTWAIT: at once
[$r, $code, $dt] = silent_recv($c, Swoole\Client::MSG_DONTWAIT);
var_dump($r, $code, $dt < 0.2);
$c->send("line:now\n");
usleep(100000);
var_dump($c->recv(65535, Swoole\Client::MSG_DONTWAIT));

// refused: a port bound but not listening
$s = stream_socket_server('tcp://127.0.0.1:0', $e, $es, STREAM_SERVER_BIND);
$closed = (int)substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump($c->connect('127.0.0.1', $closed, 1.0));
var_dump($c->errCode, $c->isConnected(), $c->sock);
fclose($s);

// timed out: a listener whose accept queue is full drops new SYNs
$ctx = stream_context_create(['socket' => ['backlog' => 0]]);
$full = stream_socket_server('tcp://127.0.0.1:0', $e, $es, STREAM_SERVER_BIND | STREAM_SERVER_LISTEN, $ctx);
$fport = (int)substr(strrchr(stream_socket_get_name($full, false), ':'), 1);
$fillers = [];
for ($i = 0; $i < 8; $i++) {
    $c = new Swoole\Client(SWOOLE_SOCK_TCP);
    $t0 = microtime(true);
    $ok = @$c->connect('127.0.0.1', $fport, 0.3);
    $dt = microtime(true) - $t0;
    if (!$ok) {
        break;
    }
    $fillers[] = $c;
}
var_dump($ok, $c->errCode, $dt >= 0.25 && $dt < 2.0);
echo $c->errMsg, "\n";
unset($fillers);
fclose($full);

// a name that does not resolve
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump(@$c->connect('no-such-host.invalid', 80, 2.0), $c->errCode > 0, $c->isConnected());

echo "stopped: ", server_stop($pid), "\n";
log_take();
?>
--EXPECTF--
bool(false)
int(11)
bool(true)
bool(true)
recv from 127.0.0.1:%d: timed out after 0.4 s
string(10) "still here"
bool(false)
int(11)
bool(true)
bool(false)
int(11)
bool(true)
bool(false)
int(11)
bool(true)
string(5) "now
"

Warning: Swoole\Client::connect(): connect to 127.0.0.1:%d: Connection refused in %s on line %d
bool(false)
int(111)
bool(false)
int(-1)
bool(false)
int(110)
bool(true)
connect to 127.0.0.1:%d: timed out after 0.3 s
bool(false)
bool(true)
bool(false)
stopped: 0
